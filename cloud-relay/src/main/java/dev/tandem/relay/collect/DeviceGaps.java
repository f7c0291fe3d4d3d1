package dev.tandem.relay.collect;

/**
 * What the store holds for one device, and what it misses. Sequence numbers start at the
 * store's first sequence; every number below the highest one stored that is not stored is
 * missing. Of those, {@link #evicted()} were reported by the device as evicted from its spool
 * (disk budget reached while offline): a counted gap, not a loss. {@link #lost()} is the rest.
 * Missing numbers can also be batches still in flight (a retry arrives later), so a non-zero
 * loss is only final once the device has uploaded everything. Immutable.
 */
public final class DeviceGaps {
  private final String device;
  private final long stored;
  private final long minSeq;
  private final long maxSeq;
  private final long missing;
  private final long evicted;
  private final long unused;
  private final long refused;

  DeviceGaps(String device, long stored, long minSeq, long maxSeq, long missing, long evicted,
      long unused, long refused) {
    this.device = device;
    this.stored = stored;
    this.minSeq = minSeq;
    this.maxSeq = maxSeq;
    this.missing = missing;
    this.evicted = evicted;
    this.unused = unused;
    this.refused = refused;
  }

  public String device() {
    return device;
  }

  /** Distinct records stored for this device. */
  public long stored() {
    return stored;
  }

  /** Lowest sequence stored, or -1 when none. */
  public long minSeq() {
    return minSeq;
  }

  /** Highest sequence stored, or -1 when none. */
  public long maxSeq() {
    return maxSeq;
  }

  /** Sequence numbers from the first sequence up to {@link #maxSeq()} that are not stored. */
  public long missing() {
    return missing;
  }

  /** Records the device reported as evicted from its spool (cumulative, as last reported). */
  public long evicted() {
    return evicted;
  }

  /**
   * Missing numbers the device declared it never used: the rest of a block of sequence numbers
   * reserved before a restart (the sequence store reserves in blocks, so a crash skips some).
   */
  public long unused() {
    return unused;
  }

  /**
   * Missing numbers whose batch the collector refused (it passed a {@link BatchLimits} limit);
   * the device was told and dropped it.
   */
  public long refused() {
    return refused;
  }

  /** Missing numbers explained neither by evictions, unused numbers nor refused batches. */
  public long lost() {
    return Math.max(0, missing - evicted - unused - refused);
  }

  @Override
  public String toString() {
    return "DeviceGaps{device=" + device + ", stored=" + stored + ", seq=[" + minSeq + ".."
        + maxSeq + "], missing=" + missing + ", evicted=" + evicted  + ", unused=" + unused + ", refused=" + refused + ", lost=" + lost() + "}";
  }
}
