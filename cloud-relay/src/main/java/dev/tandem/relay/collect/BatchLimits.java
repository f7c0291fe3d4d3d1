package dev.tandem.relay.collect;

/**
 * How much one log batch may hold, checked while it is unpacked so that no batch, however it
 * was built, costs the collector more memory than these bounds. A device's spool cuts batches
 * of at most 1 MiB of JSON lines, so an honest batch stays far below every default. Immutable.
 */
public final class BatchLimits {
  /** Default largest MQTT payload (the compressed batch): 8 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 8 << 20;
  /** Default largest unpacked batch: 16 MiB. */
  public static final long DEFAULT_MAX_INFLATED_BYTES = 16L << 20;
  /** Default most lines in one batch, empty ones included: 100,000. */
  public static final int DEFAULT_MAX_LINES = 100_000;
  /** Default longest line: 1 MiB. */
  public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

  private final int maxPayloadBytes;
  private final long maxInflatedBytes;
  private final int maxLines;
  private final int maxLineBytes;

  private BatchLimits(int maxPayloadBytes, long maxInflatedBytes, int maxLines, int maxLineBytes) {
    this.maxPayloadBytes = maxPayloadBytes;
    this.maxInflatedBytes = maxInflatedBytes;
    this.maxLines = maxLines;
    this.maxLineBytes = maxLineBytes;
  }

  /** The defaults above. */
  public static BatchLimits defaults() {
    return new BatchLimits(DEFAULT_MAX_PAYLOAD_BYTES, DEFAULT_MAX_INFLATED_BYTES, DEFAULT_MAX_LINES,
        DEFAULT_MAX_LINE_BYTES);
  }

  /**
   * Limits of one's own choosing.
   *
   * @throws IllegalArgumentException naming the first limit that is not positive, or a line
   *     limit above the inflated limit
   */
  public static BatchLimits of(int maxPayloadBytes, long maxInflatedBytes, int maxLines, int maxLineBytes) {
    positive("maxPayloadBytes", maxPayloadBytes);
    positive("maxInflatedBytes", maxInflatedBytes);
    positive("maxLines", maxLines);
    positive("maxLineBytes", maxLineBytes);
    if (maxLineBytes > maxInflatedBytes) {
      throw new IllegalArgumentException("maxLineBytes (" + maxLineBytes + ") must not exceed maxInflatedBytes ("
          + maxInflatedBytes + ")");
    }
    return new BatchLimits(maxPayloadBytes, maxInflatedBytes, maxLines, maxLineBytes);
  }

  private static void positive(String name, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be > 0, was " + v);
    }
  }

  /** Largest MQTT payload, compressed; also announced to the broker as the Maximum Packet Size. */
  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** Largest batch once unpacked. */
  public long maxInflatedBytes() {
    return maxInflatedBytes;
  }

  /** Most lines, empty ones included. */
  public int maxLines() {
    return maxLines;
  }

  /** Longest line, in bytes. */
  public int maxLineBytes() {
    return maxLineBytes;
  }

  @Override
  public String toString() {
    return "BatchLimits{payload=" + maxPayloadBytes + ", inflated=" + maxInflatedBytes + ", lines=" + maxLines
        + ", line=" + maxLineBytes + "}";
  }
}
