package dev.tandem.runtime.internal.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A device's record sequence numbers, monotonic across restarts. Thread-safe.
 *
 * <p>Design note. Writing the file for every number would double the fsyncs of the spool, so
 * numbers are reserved in blocks: the file holds the first number not yet reserved, written to a
 * temporary file, forced, and renamed over the old one before any number of the new block is
 * handed out. After a crash the store continues from that number, strictly above every number
 * handed out before; the unused rest of a block shows as a gap, which a collector counts as
 * loss only if no record carries those numbers, and none does. On a full disk the store keeps
 * handing out numbers (inference never stops) but says they are not {@link #durable}; records
 * under those numbers are dropped and counted, so no number is ever written twice.
 */
public final class SequenceStore {
  /** The file name in the spool directory. */
  public static final String FILE_NAME = "sequence";

  private final Path file;
  private final int block;
  private long next;
  private long reservedUpTo; // exclusive
  private boolean failing;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SequenceStore.class);

  private SequenceStore(Path file, int block, long start) {
    this.file = file;
    this.block = block;
    this.next = start;
    this.reservedUpTo = start;
  }

  /**
   * Opens (or creates) the store in {@code directory}, reserving {@code block} numbers at a time.
   *
   * @throws UncheckedIOException if the file cannot be read or is not a number
   */
  public static SequenceStore open(Path directory, int block) {
    if (block < 1) {
      throw new IllegalArgumentException("block must be >= 1, was " + block);
    }
    Path file = directory.resolve(FILE_NAME);
    long start = 1;
    try {
      Files.createDirectories(directory);
      if (Files.exists(file)) {
        String s = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        try {
          start = Math.max(1, Long.parseLong(s));
        } catch (NumberFormatException e) {
          throw new IOException("sequence file " + file + " does not hold a number: '" + s + "'", e);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new SequenceStore(file, block, start);
  }

  /** Opens the store with blocks of 1000. */
  public static SequenceStore open(Path directory) {
    return open(directory, 1000);
  }

  /**
   * The next number; never throws and never blocks on a full disk. Costs a file write and fsync
   * once per block. When a new block cannot be made durable (a full or failing disk) the number
   * is handed out all the same but is not {@link #durable}: a restart could hand it out again, so
   * no record may be written under it; the reservation is tried again at the next number.
   */
  public synchronized long next() {
    if (next >= reservedUpTo) {
      try {
        reserve(next + block);
        if (failing) {
          failing = false;
          log.info("sequence numbers reserved again in {} from {}", file, next);
        }
      } catch (UncheckedIOException e) {
        if (!failing) {
          failing = true;
          log.warn("cannot reserve sequence numbers in {} ({}); records are dropped until it can",
              file, e.getCause() != null ? e.getCause().toString() : e.toString());
        }
      }
    }
    return next++;
  }

  /**
   * Whether {@code seq} lies below the durable reservation: no restart can hand it out again, so
   * a record may carry it.
   */
  public synchronized boolean durable(long seq) {
    return seq < reservedUpTo;
  }

  /** The number {@link #next()} would return, without taking it. */
  public synchronized long peek() {
    return next;
  }

  private void reserve(long upTo) {
    Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap((upTo + "\n").getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve sequence numbers in " + file, e);
    }
    try {
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve sequence numbers in " + file, e);
    }
    Dirs.force(file.getParent());
    reservedUpTo = upTo;
  }
}
