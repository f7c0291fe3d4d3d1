package dev.tandem.relay.collect;

/**
 * What {@link LogStore#store} did with one batch: how many records it wrote, how many it
 * skipped as already stored, and how many it rejected (device mismatch, bad schema). When
 * {@code store} returns, whatever was written is durable; only then may the batch be acked.
 */
public final class StoreResult {
  private final String batchId;
  private final int written;
  private final int duplicates;
  private final int rejected;

  StoreResult(String batchId, int written, int duplicates, int rejected) {
    this.batchId = batchId;
    this.written = written;
    this.duplicates = duplicates;
    this.rejected = rejected;
  }

  public String batchId() {
    return batchId;
  }

  public int written() {
    return written;
  }

  public int duplicates() {
    return duplicates;
  }

  public int rejected() {
    return rejected;
  }

  @Override
  public String toString() {
    return "StoreResult{batch=" + batchId + ", written=" + written + ", duplicates=" + duplicates
        + ", rejected=" + rejected + "}";
  }
}
