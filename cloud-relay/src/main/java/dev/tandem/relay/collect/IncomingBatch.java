package dev.tandem.relay.collect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One batch as it came off the wire: the device it came from (taken from the topic, never from
 * the payload), the batch id and sequence range from its user properties, the spool's
 * cumulative eviction count, and the records as JSON lines. Immutable.
 */
public final class IncomingBatch {
  /** Device ids and batch ids become file names: keep them to a safe alphabet. */
  static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  /** Widest unused range accepted, and most numbers all of a batch's ranges may cover (a sequence block is far smaller). */
  static final long MAX_UNUSED_RANGE = 1_000_000;

  /** Most unused ranges in one batch (one per restart whose rest of a block was skipped). */
  static final int MAX_UNUSED_RANGES = 1_000;

  private final String device;
  private final String batchId;
  private final long seqFrom;
  private final long seqTo;
  private final long evictedTotal;
  private final List<String> lines;
  private final List<long[]> unused;

  /**
   * @throws IllegalArgumentException naming the field when an id is unsafe as a file name or
   *     the range is inverted
   */
  public IncomingBatch(
      String device, String batchId, long seqFrom, long seqTo, long evictedTotal,
      List<String> lines) {
    this(device, batchId, seqFrom, seqTo, evictedTotal, lines, new ArrayList<long[]>());
  }

  /**
   * As above, with sequence ranges the device declares it never used (numbers a restart skipped),
   * each {@code {from, to}} inclusive.
   */
  public IncomingBatch(
      String device, String batchId, long seqFrom, long seqTo, long evictedTotal,
      List<String> lines, List<long[]> unused) {
    if (device == null || !SAFE_ID.matcher(device).matches() || device.startsWith(".")) {
      throw new IllegalArgumentException("device id must match " + SAFE_ID + ", was " + device);
    }
    if (batchId == null || !SAFE_ID.matcher(batchId).matches() || batchId.startsWith(".")) {
      throw new IllegalArgumentException("batch_id must match " + SAFE_ID + ", was " + batchId);
    }
    if (seqTo < seqFrom) {
      throw new IllegalArgumentException("seq_to " + seqTo + " < seq_from " + seqFrom);
    }
    if (evictedTotal < 0) {
      throw new IllegalArgumentException("evicted must be >= 0, was " + evictedTotal);
    }
    this.device = device;
    this.batchId = batchId;
    this.seqFrom = seqFrom;
    this.seqTo = seqTo;
    this.evictedTotal = evictedTotal;
    this.lines = Collections.unmodifiableList(new ArrayList<>(lines));
    if (unused.size() > MAX_UNUSED_RANGES) {
      throw new IllegalArgumentException(unused.size() + " unused ranges, more than " + MAX_UNUSED_RANGES);
    }
    long width = 0;
    for (long[] r : unused) {
      if (r.length == 2 && r[0] <= r[1]) {
        width += r[1] - r[0] + 1;
      }
    }
    if (width > MAX_UNUSED_RANGE) {
      throw new IllegalArgumentException("unused ranges cover " + width + " numbers, more than " + MAX_UNUSED_RANGE);
    }
    for (long[] r : unused) {
      if (r.length != 2 || r[0] > r[1] || r[0] < 0) {
        throw new IllegalArgumentException("unused ranges must be from-to with from <= to");
      }
      if (r[1] - r[0] >= MAX_UNUSED_RANGE) {
        throw new IllegalArgumentException("unused range " + r[0] + "-" + r[1] + " wider than "
            + MAX_UNUSED_RANGE);
      }
    }
    this.unused = Collections.unmodifiableList(new ArrayList<>(unused));
  }

  /** Sequence ranges the device never used (declared after a restart), {@code {from, to}}. */
  public List<long[]> unused() {
    return unused;
  }

  public String device() {
    return device;
  }

  public String batchId() {
    return batchId;
  }

  public long seqFrom() {
    return seqFrom;
  }

  public long seqTo() {
    return seqTo;
  }

  public long evictedTotal() {
    return evictedTotal;
  }

  public List<String> lines() {
    return lines;
  }
}
