package dev.tandem.runtime.spool;

/**
 * When the spool forces appended records to the storage device. Immutable.
 *
 * <ul>
 *   <li>{@link #everyRecord()}: before {@code append} returns; a record whose append returned
 *       survives a crash of the process and of the machine.
 *   <li>{@link #interval(long)}: at the first append at least that long after the last force,
 *       and on close; a process crash loses nothing (the OS holds the bytes), a power loss at
 *       most the last interval.
 *   <li>{@link #none()}: left to the OS.
 * </ul>
 */
public final class FsyncPolicy {
  private static final FsyncPolicy EVERY = new FsyncPolicy(0);
  private static final FsyncPolicy NONE = new FsyncPolicy(-1);

  private final long intervalMs;

  private FsyncPolicy(long intervalMs) {
    this.intervalMs = intervalMs;
  }

  public static FsyncPolicy everyRecord() {
    return EVERY;
  }

  /** @throws IllegalArgumentException if {@code ms <= 0} */
  public static FsyncPolicy interval(long ms) {
    if (ms <= 0) {
      throw new IllegalArgumentException("fsync interval must be > 0 ms, was " + ms);
    }
    return new FsyncPolicy(ms);
  }

  public static FsyncPolicy none() {
    return NONE;
  }

  boolean isEveryRecord() {
    return intervalMs == 0;
  }

  boolean isNone() {
    return intervalMs < 0;
  }

  /** The interval in ms; 0 for every record, -1 for none. */
  public long intervalMs() {
    return intervalMs;
  }

  @Override
  public String toString() {
    return isEveryRecord() ? "every" : isNone() ? "none" : "interval " + intervalMs + " ms";
  }
}
