package dev.tandem.runtime.spool;

import dev.tandem.runtime.internal.spool.Dirs;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.record.RecordFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The on-device log: records appended as JSON lines to segment files in one directory, until an
 * uploader has them acknowledged and {@link #remove removes} them. Thread-safe; one
 * {@code Spool} per directory (nothing locks the directory against a second process).
 *
 * <ul>
 *   <li>Segments are named {@code segment-<20-digit number>.jsonl}; a new one is started when the
 *       current one would exceed {@code maxSegmentBytes}, or on {@link #rotate()}.
 *   <li>Disk budget: when all segments together exceed it, the oldest closed segments are
 *       deleted; their record count is added to {@link #evictedRecords()}, kept in
 *       {@code evictions.json} across restarts.
 *   <li>Free space: the budget also keeps {@code reserveBytes} free on the file system. Below
 *       that, the oldest closed segments are evicted (counted as above) before the file system
 *       fills. A record that cannot be written all the same (the disk full with nothing left to
 *       evict) is dropped, counted in {@link #droppedRecords()} by reason, and the segment is cut
 *       back to its last whole line; appends succeed again as soon as there is space.
 *   <li>Durability follows the {@link FsyncPolicy}. A crash can leave the last line torn; on
 *       open, a torn tail of the newest segment is cut off (counted in {@link #repairedTornLines()})
 *       so appends continue on a line boundary, and {@link #read} skips and counts a torn last line.
 * </ul>
 */
public final class Spool implements AutoCloseable {
  private static final String PREFIX = "segment-";
  private static final String SUFFIX = ".jsonl";
  static final String EVICTIONS = "evictions.json";

  private final Path dir;
  private final long maxSegmentBytes;
  private final long diskBudgetBytes;
  private final FsyncPolicy fsync;
  private final long reserveBytes;
  private final java.nio.file.FileStore store;
  private final java.util.Map<String, Long> dropped = new java.util.TreeMap<>();
  private long droppedTotal;
  private boolean dropsUnsaved;
  private boolean lastWriteFailed;
  private long bytesSinceSpaceCheck = Long.MAX_VALUE / 2;
  private long lastSpaceCheckNanos;

  private FileChannel channel;
  private Path current;
  private long currentBytes;
  private long currentNumber;
  private long closedBytes;
  private long lastForceNanos = System.nanoTime();
  private boolean dirty;
  private long evictedRecords;
  private long evictedSegments;
  private long evictedBytes;
  private long repairedTornLines;
  private boolean closed;

  private Spool(Builder b) throws IOException {
    this.dir = b.dir;
    this.maxSegmentBytes = b.maxSegmentBytes;
    this.diskBudgetBytes = b.diskBudgetBytes;
    this.fsync = b.fsync;
    this.reserveBytes = b.reserveBytes;
    Files.createDirectories(dir);
    this.store = Files.getFileStore(dir);
    loadEvictions();
    try {
      Path f = dir.resolve(EVICTIONS);
      if (!Files.exists(f) || Files.size(f) != EVICTIONS_FILE_BYTES) {
        saveEvictions(); // its padded size, while there is space
      }
    } catch (IOException e) {
      // a full disk at open: saved later
    }
    List<Path> segs = listSegments();
    for (int i = 0; i < segs.size() - 1; i++) {
      closedBytes += Files.size(segs.get(i));
    }
    if (segs.isEmpty()) {
      currentNumber = 1;
    } else {
      Path last = segs.get(segs.size() - 1);
      currentNumber = number(last);
      repairTail(last);
    }
    openCurrent();
  }

  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /**
   * Appends one record as a line. Returns once the line is written (and, with
   * {@link FsyncPolicy#everyRecord()}, forced to the device).
   *
   * @throws UncheckedIOException if the write fails
   * @throws IllegalStateException after {@link #close()}
   */
  public void append(Record record) {
    byte[] line = (RecordCodec.encode(record) + "\n").getBytes(StandardCharsets.UTF_8);
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("spool " + dir + " is closed");
      }
      try {
        keepFreeSpace(line.length);
      } catch (IOException e) {
        // evicting failed: the write below decides whether this record is dropped
      }
      try {
        if (!channel.isOpen()) {
          openCurrent(); // a rotation that failed on a full disk
        }
        if (currentBytes > 0 && currentBytes + line.length > maxSegmentBytes) {
          rotateLocked();
        }
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
          channel.write(buf);
        }
        currentBytes += line.length;
        dirty = true;
        if (fsync.isEveryRecord()) {
          force();
        } else if (!fsync.isNone() && System.nanoTime() - lastForceNanos >= fsync.intervalMs() * 1_000_000L) {
          force();
        }
      } catch (IOException e) {
        dropLocked(REASON_WRITE_FAILED);
        cutBackToLastLine();
        throw new UncheckedIOException("cannot append to spool " + current + " (record dropped and counted)", e);
      }
      lastWriteFailed = false;
      try {
        evictOverBudget();
        if (dropsUnsaved) {
          saveEvictions();
          dropsUnsaved = false;
        }
      } catch (IOException e) {
        // the record is written; the bookkeeping is tried again at the next append
      }
    }
  }

  /** The reason of a record dropped because it could not be written (a full or failing disk). */
  public static final String REASON_WRITE_FAILED = "write_failed";

  /**
   * Counts a record that was never appended (its sequence number could not be reserved, say):
   * it is reported with the evictions, as a gap that is not a loss.
   */
  public synchronized void recordDropped(String reason) {
    dropLocked(reason);
  }

  private void dropLocked(String reason) {
    dropped.merge(reason, 1L, Long::sum);
    droppedTotal++;
    dropsUnsaved = true;
    lastWriteFailed = true;
  }

  /** Records dropped unwritten, over this directory's life (as far as could be saved). */
  public synchronized long droppedRecords() {
    return droppedTotal;
  }

  /** {@link #droppedRecords()} by reason, since this spool was opened. */
  public synchronized java.util.Map<String, Long> droppedByReason() {
    return new java.util.TreeMap<>(dropped);
  }

  /** Whether the last append (or record) was dropped: the spool cannot write now. */
  public synchronized boolean writeFailing() {
    return lastWriteFailed;
  }

  /** After a failed write: the segment back to its last whole line, so later appends stay readable. */
  private void cutBackToLastLine() {
    try {
      if (channel.isOpen() && channel.size() > currentBytes) {
        channel.truncate(currentBytes);
      }
    } catch (IOException e) {
      // the torn tail is cut off when the spool is next opened
    }
  }

  /**
   * Before a write: when the file system's free space falls under the reserve, evicts the oldest
   * closed segments until it does not (checked every 64 KiB written or every second).
   */
  private void keepFreeSpace(int next) throws IOException {
    bytesSinceSpaceCheck += next;
    long now = System.nanoTime();
    if (bytesSinceSpaceCheck < 64 * 1024 && now - lastSpaceCheckNanos < 1_000_000_000L && !lastWriteFailed) {
      return;
    }
    bytesSinceSpaceCheck = 0;
    lastSpaceCheckNanos = now;
    long usable = store.getUsableSpace();
    if (usable - next >= reserveBytes) {
      return;
    }
    boolean changed = false;
    for (Path p : listSegments()) {
      if (usable - next >= reserveBytes || p.equals(current)) {
        break;
      }
      long size = Files.size(p);
      evictSegment(p);
      changed = true;
      usable += size;
    }
    if (changed) {
      saveEvictions();
    }
  }

  /**
   * Closes the current segment, if it holds anything, so that an uploader can take it; the next
   * append starts a new one. Returns the closed segment, or empty if there was nothing to close.
   */
  public synchronized Optional<Path> rotate() {
    checkOpen();
    if (currentBytes == 0) {
      return Optional.empty();
    }
    Path closedSeg = current;
    try {
      rotateLocked();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot rotate spool " + dir, e);
    }
    return Optional.of(closedSeg);
  }

  /** Segments no longer appended to, oldest first. */
  public synchronized List<Path> closedSegments() {
    checkOpen();
    List<Path> all = listSegmentsUnchecked();
    all.remove(current);
    return all;
  }

  /**
   * Deletes a closed segment (its records were delivered). Returns whether it existed.
   *
   * @throws IllegalArgumentException for the current segment or a file outside this spool
   */
  public synchronized boolean remove(Path segment) {
    checkOpen();
    Path p = segment.toAbsolutePath().normalize();
    if (!Objects.equals(p.getParent(), dir.toAbsolutePath().normalize()) || !isSegment(p)) {
      throw new IllegalArgumentException(segment + " is not a segment of spool " + dir);
    }
    if (p.equals(current.toAbsolutePath().normalize())) {
      throw new IllegalArgumentException(segment + " is the current segment: rotate() first");
    }
    try {
      long size = Files.exists(p) ? Files.size(p) : 0;
      boolean deleted = Files.deleteIfExists(p);
      if (deleted) {
        closedBytes -= size;
      }
      return deleted;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove " + segment, e);
    }
  }

  /** Forces what was appended to the storage device. */
  public synchronized void flush() {
    checkOpen();
    try {
      force();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot force spool " + current, e);
    }
  }

  /** Bytes of all segments. */
  public synchronized long sizeBytes() {
    return closedBytes + currentBytes;
  }

  /** Records deleted unsent because of the disk budget, over this directory's life. */
  public synchronized long evictedRecords() {
    return evictedRecords;
  }

  public synchronized long evictedSegments() {
    return evictedSegments;
  }

  public synchronized long evictedBytes() {
    return evictedBytes;
  }

  /** Torn last lines cut off when this spool was opened (0 or 1). */
  public synchronized long repairedTornLines() {
    return repairedTornLines;
  }

  /** When appended records are forced to the storage device. */
  public FsyncPolicy fsyncPolicy() {
    return fsync;
  }

  public Path directory() {
    return dir;
  }

  /** Forces and closes the current segment. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (dropsUnsaved) {
      try {
        saveEvictions();
      } catch (IOException e) {
        // the drops since the last save are not kept across this restart
      }
    }
    try {
      if (!fsync.isNone() && channel.isOpen()) {
        force();
      }
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close spool " + current, e);
    }
  }

  /**
   * Reads one segment: every complete line, skipping (and counting) a torn last line and any
   * complete line that does not decode.
   *
   * @throws UncheckedIOException if the file cannot be read
   */
  public static ReadResult read(Path segment) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(segment);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + segment, e);
    }
    List<Record> records = new ArrayList<>();
    List<String> corrupt = new ArrayList<>();
    int start = 0;
    int lineNo = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        lineNo++;
        String line = new String(bytes, start, i - start, StandardCharsets.UTF_8);
        start = i + 1;
        if (line.isEmpty()) {
          continue;
        }
        try {
          records.add(RecordCodec.decode(line));
        } catch (RecordFormatException e) {
          corrupt.add(segment.getFileName() + " line " + lineNo + ": " + e.getMessage());
        }
      }
    }
    int torn = start < bytes.length ? 1 : 0;
    return new ReadResult(records, torn, corrupt);
  }

  /** Reads every segment, oldest first, into one result. */
  public static ReadResult readAll(Path directory) {
    List<Record> records = new ArrayList<>();
    List<String> corrupt = new ArrayList<>();
    int torn = 0;
    for (Path p : listSegments(directory)) {
      ReadResult r = read(p);
      records.addAll(r.records());
      corrupt.addAll(r.corruptLines());
      torn += r.tornLines();
    }
    return new ReadResult(records, torn, corrupt);
  }

  // ---- internals

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("spool " + dir + " is closed");
    }
  }

  private void force() throws IOException {
    if (dirty) {
      channel.force(false);
      dirty = false;
    }
    lastForceNanos = System.nanoTime();
  }

  private void rotateLocked() throws IOException {
    if (!fsync.isNone()) {
      force();
    }
    channel.close();
    closedBytes += currentBytes;
    currentNumber++;
    openCurrent();
  }

  private void openCurrent() throws IOException {
    current = dir.resolve(String.format(Locale.ROOT, "%s%020d%s", PREFIX, currentNumber, SUFFIX));
    boolean existed = Files.exists(current);
    channel = FileChannel.open(current, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    currentBytes = channel.size();
    if (!existed && !fsync.isNone()) {
      Dirs.force(dir); // the new file's directory entry must survive too
    }
  }

  private void repairTail(Path last) throws IOException {
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (size == 0) {
        return;
      }
      // Scan back for the last newline; everything after it is a torn append.
      long pos = size;
      ByteBuffer one = ByteBuffer.allocate(8192);
      long keep = 0;
      outer:
      while (pos > 0) {
        int n = (int) Math.min(one.capacity(), pos);
        pos -= n;
        ((Buffer) one).clear(); // Buffer's methods: ByteBuffer's covariant overrides are missing on Android
        ((Buffer) one).limit(n);
        while (one.hasRemaining()) {
          if (ch.read(one, pos + one.position()) < 0) {
            break;
          }
        }
        for (int i = n - 1; i >= 0; i--) {
          if (one.get(i) == '\n') {
            keep = pos + i + 1;
            break outer;
          }
        }
      }
      if (keep < size) {
        ch.truncate(keep);
        ch.force(true);
        repairedTornLines++;
      }
    }
  }

  private void evictOverBudget() throws IOException {
    if (closedBytes + currentBytes <= diskBudgetBytes) {
      return;
    }
    List<Path> segs = listSegments();
    boolean changed = false;
    for (Path p : segs) {
      if (closedBytes + currentBytes <= diskBudgetBytes || p.equals(current)) {
        break;
      }
      evictSegment(p);
      changed = true;
    }
    if (changed) {
      saveEvictions();
    }
  }

  private void evictSegment(Path p) throws IOException {
    byte[] bytes = Files.readAllBytes(p);
    long lines = 0;
    for (byte b : bytes) {
      if (b == '\n') {
        lines++;
      }
    }
    Files.delete(p);
    closedBytes -= bytes.length;
    evictedRecords += lines;
    evictedSegments++;
    evictedBytes += bytes.length;
  }

  private void loadEvictions() throws IOException {
    Path f = dir.resolve(EVICTIONS);
    if (!Files.exists(f)) {
      return;
    }
    String s = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
    try {
      JsonObject o = JsonParser.parseString(s).getAsJsonObject();
      evictedRecords = o.get("records").getAsLong();
      evictedSegments = o.get("segments").getAsLong();
      evictedBytes = o.get("bytes").getAsLong();
      droppedTotal = o.has("dropped") ? o.get("dropped").getAsLong() : 0;
    } catch (RuntimeException e) {
      throw new IOException("cannot read " + f + ": " + e.getMessage(), e);
    }
  }

  /** Size evictions.json is kept at, padded with spaces, so that updating it needs no new block. */
  static final int EVICTIONS_FILE_BYTES = 256;

  private void saveEvictions() throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("records", evictedRecords);
    o.addProperty("segments", evictedSegments);
    o.addProperty("bytes", evictedBytes);
    o.addProperty("dropped", droppedTotal);
    StringBuilder text = new StringBuilder(o.toString());
    while (text.length() < EVICTIONS_FILE_BYTES - 1) {
      text.append(' ');
    }
    text.append('\n');
    byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
    Path f = dir.resolve(EVICTIONS);
    if (bytes.length == EVICTIONS_FILE_BYTES && Files.exists(f) && Files.size(f) == EVICTIONS_FILE_BYTES) {
      // In place: one sector, and no new block, so the count is kept on a full disk too.
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf, buf.position());
        }
        ch.force(true);
      }
      return;
    }
    Path tmp = dir.resolve(EVICTIONS + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private List<Path> listSegments() throws IOException {
    return listSegmentsOrThrow(dir);
  }

  private List<Path> listSegmentsUnchecked() {
    return listSegments(dir);
  }

  /** The segment files of a spool directory, oldest first. */
  public static List<Path> listSegments(Path directory) {
    try {
      return listSegmentsOrThrow(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list spool " + directory, e);
    }
  }

  private static List<Path> listSegmentsOrThrow(Path directory) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, PREFIX + "*" + SUFFIX)) {
      for (Path p : ds) {
        if (isSegment(p)) {
          out.add(p);
        }
      }
    }
    Collections.sort(out);
    return out;
  }

  private static boolean isSegment(Path p) {
    String n = p.getFileName().toString();
    return n.startsWith(PREFIX) && n.endsWith(SUFFIX) && n.length() == PREFIX.length() + 20 + SUFFIX.length();
  }

  private static long number(Path p) {
    String n = p.getFileName().toString();
    return Long.parseLong(n.substring(PREFIX.length(), PREFIX.length() + 20));
  }

  /**
   * Builder for {@link Spool}. Defaults: segments of 1 MiB, a disk budget of 64 MiB, fsync at most
   * once a second ({@link FsyncPolicy#interval(long)}): an append is in the OS as soon as it
   * returns, so a crash of the app loses nothing; only a power loss can lose the last second.
   * Use {@link FsyncPolicy#everyRecord()} where that matters more than a few ms per record.
   */
  public static final class Builder {
    private final Path dir;
    private long maxSegmentBytes = 1 << 20;
    private long diskBudgetBytes = 64L << 20;
    private FsyncPolicy fsync = FsyncPolicy.interval(1000);
    private long reserveBytes = 1L << 20;

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "directory");
    }

    public Builder maxSegmentBytes(long v) {
      this.maxSegmentBytes = v;
      return this;
    }

    public Builder diskBudgetBytes(long v) {
      this.diskBudgetBytes = v;
      return this;
    }

    /** Free space to leave on the file system (default 1 MiB): below it, old segments are evicted. */
    public Builder reserveBytes(long v) {
      this.reserveBytes = v;
      return this;
    }

    public Builder fsync(FsyncPolicy v) {
      this.fsync = Objects.requireNonNull(v, "fsync");
      return this;
    }

    /**
     * Opens the spool, creating the directory and repairing a torn tail.
     *
     * @throws IllegalStateException naming a bad option
     * @throws UncheckedIOException if the directory cannot be used
     */
    public Spool build() {
      if (maxSegmentBytes < 1024) {
        throw new IllegalStateException("maxSegmentBytes must be >= 1024, was " + maxSegmentBytes);
      }
      if (reserveBytes < 0) {
        throw new IllegalStateException("reserveBytes must be >= 0, was " + reserveBytes);
      }
      if (diskBudgetBytes < 2 * maxSegmentBytes) {
        throw new IllegalStateException("diskBudgetBytes must be >= 2 x maxSegmentBytes (" + 2 * maxSegmentBytes
            + "), was " + diskBudgetBytes);
      }
      try {
        return new Spool(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open spool " + dir, e);
      }
    }
  }
}
