package dev.tandem.runtime.internal.fleet;

import java.io.IOException;
import java.util.List;

/**
 * The uploader's view of the spool: the oldest records not yet acknowledged by the collector,
 * and their removal once they are. Implementations are thread-safe.
 */
public interface UploadQueue {
  /** A batch: encoded record lines in spool order, their sequence range, and where they end. */
  final class Batch {
    private final List<String> lines;
    private final long seqFrom;
    private final long seqTo;
    private final Object position;

    public Batch(List<String> lines, long seqFrom, long seqTo, Object position) {
      this.lines = lines;
      this.seqFrom = seqFrom;
      this.seqTo = seqTo;
      this.position = position;
    }

    public List<String> lines() {
      return lines;
    }

    public boolean isEmpty() {
      return lines.isEmpty();
    }

    public long seqFrom() {
      return seqFrom;
    }

    public long seqTo() {
      return seqTo;
    }

    /** The queue's own marker for {@link UploadQueue#acknowledge}. */
    public Object position() {
      return position;
    }
  }

  /** Up to {@code maxRecords} of the oldest unacknowledged records (an empty batch if none). */
  Batch peek(int maxRecords) throws IOException;

  /** The collector has stored {@code batch}: remove exactly its records. */
  void acknowledge(Batch batch) throws IOException;

  /** Records the spool has evicted to stay within its disk budget, since it was created. */
  long evictedTotal();
}
