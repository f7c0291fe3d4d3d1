package dev.tandem.runtime.internal.fleet;

import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.spool.ReadResult;
import dev.tandem.runtime.spool.Spool;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The spool as an upload queue: one batch is one closed spool segment, oldest first, and an
 * acknowledged batch is removed as a whole segment, so removal is exact however records of
 * concurrent decisions interleave. When no segment is closed, the current one is rotated, at
 * most once per {@code rotateIntervalMs}, so that a busy device sends fewer, larger batches.
 * A segment the spool evicts (disk budget) while it is being uploaded is simply gone: its
 * records count as evicted.
 */
public final class SpoolUploadQueue implements UploadQueue {
  private final Spool spool;
  private final long rotateIntervalMs;
  private long lastRotateNanos;

  public SpoolUploadQueue(Spool spool, long rotateIntervalMs) {
    this.spool = spool;
    this.rotateIntervalMs = rotateIntervalMs;
    this.lastRotateNanos = System.nanoTime() - rotateIntervalMs * 1_000_000L;
  }

  @Override
  public synchronized Batch peek(int maxRecords) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      List<Path> closed = spool.closedSegments();
      if (closed.isEmpty()) {
        if (System.nanoTime() - lastRotateNanos < rotateIntervalMs * 1_000_000L) {
          return empty();
        }
        lastRotateNanos = System.nanoTime();
        Optional<Path> rotated = spool.rotate();
        if (!rotated.isPresent()) {
          return empty();
        }
        closed = spool.closedSegments();
        if (closed.isEmpty()) {
          return empty();
        }
      }
      Path seg = closed.get(0);
      ReadResult r;
      try {
        r = Spool.read(seg);
      } catch (UncheckedIOException e) {
        continue; // evicted between listing and reading
      }
      if (r.records().isEmpty()) {
        spool.remove(seg); // only torn or unreadable lines: nothing to send
        continue;
      }
      List<String> lines = new ArrayList<>(r.records().size());
      long min = Long.MAX_VALUE;
      long max = Long.MIN_VALUE;
      for (Record rec : r.records()) {
        lines.add(RecordCodec.encode(rec));
        min = Math.min(min, rec.seq());
        max = Math.max(max, rec.seq());
      }
      return new Batch(Collections.unmodifiableList(lines), min, max, seg);
    }
    return empty();
  }

  private static Batch empty() {
    return new Batch(Collections.<String>emptyList(), 0, 0, null);
  }

  @Override
  public synchronized void acknowledge(Batch batch) {
    if (batch.position() != null) {
      spool.remove((Path) batch.position());
    }
  }

  @Override
  public long evictedTotal() {
    // Records dropped unwritten (a full disk) are gaps of the same kind: not lost in transit.
    return spool.evictedRecords() + spool.droppedRecords();
  }

  /** The highest sequence number in the spool, or 0 when it is empty (read at start). */
  public static long maxSeq(Path spoolDir) {
    long max = 0;
    for (Record r : Spool.readAll(spoolDir).records()) {
      max = Math.max(max, r.seq());
    }
    return max;
  }
}
