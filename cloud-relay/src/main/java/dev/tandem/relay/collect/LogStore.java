package dev.tandem.relay.collect;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The collector's log store: files on a local (or mounted) disk, one file per batch, under a
 * receive-date partition. Layout, under the root:
 *
 * <pre>
 * records/date=YYYY-MM-DD/{device}/{batchId}.jsonl   the batch's new records, one JSON line each
 * records/date=YYYY-MM-DD/records.parquet            after {@code compact}: the day's records
 * batches/date=YYYY-MM-DD/{device}/{batchId}.json    batch metadata: range, counts, evictions
 * rejected/date=YYYY-MM-DD/{device}/{batchId}.jsonl  lines that failed the checks, with the reason
 * policies/{policy_hash}.json                        each applied policy's content, once per store
 * </pre>
 *
 * <p><b>Durability.</b> Each file is written to a temporary name, fsynced, renamed into place,
 * and its directory fsynced; {@link #store} returns only after that, so an ack sent after it
 * never covers a record that a crash could lose. A crash before the rename leaves only a
 * {@code .tmp} file, which the next start deletes; the device still holds the batch (no ack was
 * sent) and sends it again.
 *
 * <p><b>Exactly once.</b> Records are deduplicated by (device, sequence) against an index held
 * in memory and rebuilt from the files at start, so a redelivered or re-batched upload stores
 * only what is new. Several collectors on a shared subscription may write into one store as
 * long as each device's batches reach one collector at a time in practice; a race between two
 * collectors on one device's duplicate can store a record twice, and readers that need exact
 * answers should select distinct (device, seq) — compaction does.
 *
 * <p>Thread-safe: {@link #store} is serialised.
 */
public final class LogStore {
  private static final Logger log = LoggerFactory.getLogger(LogStore.class);
  private static final Gson GSON = new Gson();
  static final String RECORDS = "records";
  static final String BATCHES = "batches";
  static final String REJECTED = "rejected";
  static final String PARQUET = "records.parquet";
  static final String POLICIES = "policies";

  private final Path root;
  private final Clock clock;
  private final long firstSeq;
  private final Map<String, SeqRanges> index = new HashMap<>();
  private final Map<String, Long> evicted = new HashMap<>();
  private final Map<String, SeqRanges> unused = new HashMap<>();
  private final Map<String, SeqRanges> refused = new HashMap<>();

  private LogStore(Path root, Clock clock, long firstSeq) {
    this.root = root;
    this.clock = clock;
    this.firstSeq = firstSeq;
  }

  /**
   * Opens (creating if needed) the store at {@code root} and rebuilds the dedupe index by
   * reading every stored record's device and sequence. Cost: a full read of the store, once.
   *
   * @param firstSeq the sequence number devices start from (for gap accounting)
   * @throws IOException when the store cannot be read
   */
  public static LogStore open(Path root, Clock clock, long firstSeq) throws IOException {
    LogStore s = new LogStore(root, clock, firstSeq);
    Files.createDirectories(root.resolve(RECORDS));
    Files.createDirectories(root.resolve(BATCHES));
    s.rebuild();
    return s;
  }

  public Path root() {
    return root;
  }

  /**
   * Checks, deduplicates and durably writes one batch. Lines that fail the checks are written
   * to the rejected tree with their reason (acking them is right: sending them again would not
   * make them valid).
   *
   * @throws IOException when the batch could not be made durable; the caller must not ack
   */
  public synchronized StoreResult store(IncomingBatch batch) throws IOException {
    SeqRanges seen = index.computeIfAbsent(batch.device(), d -> new SeqRanges());
    List<String> fresh = new ArrayList<>();
    List<Long> freshSeqs = new ArrayList<>();
    List<String> rejected = new ArrayList<>();
    int duplicates = 0;
    java.util.Set<Long> inBatch = new java.util.HashSet<>();
    for (String line : batch.lines()) {
      if (line.trim().isEmpty()) {
        continue;
      }
      RecordCheck.Checked c = RecordCheck.check(line, batch);
      if (!c.ok()) {
        JsonObject r = new JsonObject();
        r.addProperty("reason", c.rejection);
        r.addProperty("line", line);
        rejected.add(GSON.toJson(r));
        continue;
      }
      if (seen.contains(c.seq) || !inBatch.add(c.seq)) {
        duplicates++;
        continue;
      }
      fresh.add(policyContentMovedOut(line));
      freshSeqs.add(c.seq);
    }
    String date = LocalDate.now(clock.withZone(ZoneOffset.UTC)).toString();
    String part = "date=" + date;
    if (!rejected.isEmpty()) {
      Path dir = root.resolve(REJECTED).resolve(part).resolve(batch.device());
      writeDurably(dir, batch.batchId(), ".jsonl", rejected);
      log.warn("batch {} from {}: {} record(s) rejected, kept under {}", batch.batchId(),
          batch.device(), rejected.size(), dir);
    }
    long knownEvicted = evicted.getOrDefault(batch.device(), 0L);
    boolean newEvictions = batch.evictedTotal() > knownEvicted;
    SeqRanges knownUnused = unused.get(batch.device());
    boolean newUnused = false;
    for (long[] r : batch.unused()) {
      if (knownUnused == null || knownUnused.countWithin(r[0], r[1]) < r[1] - r[0] + 1) {
        newUnused = true;
      }
    }
    if (!fresh.isEmpty()) {
      Path dir = root.resolve(RECORDS).resolve(part).resolve(batch.device());
      writeDurably(dir, batch.batchId(), ".jsonl", fresh);
    }
    if (!fresh.isEmpty() || newEvictions || newUnused) {
      JsonObject meta = new JsonObject();
      meta.addProperty("device", batch.device());
      meta.addProperty("batch_id", batch.batchId());
      meta.addProperty("seq_from", batch.seqFrom());
      meta.addProperty("seq_to", batch.seqTo());
      meta.addProperty("written", fresh.size());
      meta.addProperty("duplicates", duplicates);
      meta.addProperty("rejected", rejected.size());
      meta.addProperty("evicted_total", batch.evictedTotal());
      com.google.gson.JsonArray un = new com.google.gson.JsonArray();
      for (long[] r : batch.unused()) {
        com.google.gson.JsonArray pair = new com.google.gson.JsonArray();
        pair.add(r[0]);
        pair.add(r[1]);
        un.add(pair);
      }
      meta.add("unused", un);
      meta.addProperty("received_at", clock.instant().toString());
      Path dir = root.resolve(BATCHES).resolve(part).resolve(batch.device());
      List<String> one = new ArrayList<>();
      one.add(GSON.toJson(meta));
      writeDurably(dir, batch.batchId(), ".json", one);
    }
    // Only now, with the files durable, does the index learn about the records.
    for (long s : freshSeqs) {
      seen.add(s);
    }
    if (newEvictions) {
      evicted.put(batch.device(), batch.evictedTotal());
    }
    if (newUnused) {
      SeqRanges u = unused.computeIfAbsent(batch.device(), d -> new SeqRanges());
      for (long[] r : batch.unused()) {
        u.addRange(r[0], r[1]);
      }
    }
    return new StoreResult(batch.batchId(), fresh.size(), duplicates, rejected.size());
  }

  /**
   * Durably records that a batch was refused (it passed a limit and was not stored): its
   * metadata goes to the batches tree with the reason, and its sequence range counts as a
   * refused gap rather than a loss. A range wider than {@link IncomingBatch#MAX_UNUSED_RANGE}
   * is recorded but not counted (no honest batch is that wide).
   *
   * @throws IOException when the metadata could not be made durable; the caller must not ack
   */
  public synchronized void refuse(String device, String batchId, long seqFrom, long seqTo,
      long evictedTotal, String reason) throws IOException {
    JsonObject meta = new JsonObject();
    meta.addProperty("device", device);
    meta.addProperty("batch_id", batchId);
    meta.addProperty("seq_from", seqFrom);
    meta.addProperty("seq_to", seqTo);
    meta.addProperty("written", 0);
    meta.addProperty("duplicates", 0);
    meta.addProperty("rejected", 0);
    meta.addProperty("evicted_total", evictedTotal);
    meta.addProperty("refused", reason);
    meta.addProperty("received_at", clock.instant().toString());
    String part = "date=" + LocalDate.now(clock.withZone(ZoneOffset.UTC));
    List<String> one = new ArrayList<>();
    one.add(GSON.toJson(meta));
    writeDurably(root.resolve(BATCHES).resolve(part).resolve(device), batchId, ".json", one);
    addRefused(device, seqFrom, seqTo);
    if (evictedTotal > evicted.getOrDefault(device, 0L)) {
      evicted.put(device, evictedTotal);
    }
  }

  private void addRefused(String device, long from, long to) {
    if (to - from < IncomingBatch.MAX_UNUSED_RANGE) {
      refused.computeIfAbsent(device, d -> new SeqRanges()).addRange(from, to);
    }
  }

  /**
   * A {@code policy_event} line carrying its policy's content: the content goes to
   * {@code policies/{policy_hash}.json} (once per store) and the line keeps the hash only. Any
   * other line is returned as it is.
   */
  private String policyContentMovedOut(String line) throws IOException {
    if (!line.contains("\"policy_event\"")) {
      return line;
    }
    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
    if (!"policy_event".equals(o.get("kind").getAsString()) || !o.has("policy") || o.get("policy").isJsonNull()) {
      return line;
    }
    String hash = o.get("policy_hash").getAsString(); // the codec checked it against the content
    Path dir = root.resolve(POLICIES);
    if (!Files.exists(dir.resolve(hash + ".json"))) {
      List<String> content = new ArrayList<>();
      content.add(o.get("policy").getAsString());
      writeDurably(dir, hash, ".json", content);
    }
    o.remove("policy");
    return o.toString();
  }

  /** Whether the store holds the record (device, seq). */
  public synchronized boolean contains(String device, long seq) {
    SeqRanges r = index.get(device);
    return r != null && r.contains(seq);
  }

  /** Gap accounting for every device the store has heard from, by device id. */
  public synchronized Map<String, DeviceGaps> gaps() {
    Map<String, DeviceGaps> out = new TreeMap<>();
    java.util.Set<String> devices = new java.util.HashSet<>(index.keySet());
    devices.addAll(evicted.keySet());
    devices.addAll(unused.keySet());
    devices.addAll(refused.keySet());
    for (String d : devices) {
      out.put(d, gapsOf(d));
    }
    return out;
  }

  private DeviceGaps gapsOf(String device) {
    SeqRanges r = index.get(device);
    long ev = evicted.getOrDefault(device, 0L);
    if (r == null || r.isEmpty()) {
      return new DeviceGaps(device, 0, -1, -1, 0, ev, 0, 0);
    }
    long missing = (r.max() - firstSeq + 1) - r.count();
    SeqRanges u = unused.get(device);
    long un = u == null ? 0 : u.countWithin(firstSeq, r.max());
    SeqRanges rf = refused.get(device);
    // A refused number stored after all (a smaller resend of the same records) is not a gap.
    long ref = rf == null ? 0 : Math.max(0, rf.countWithin(firstSeq, r.max()) - r.countShared(rf, firstSeq, r.max()));
    return new DeviceGaps(device, r.count(), r.min(), r.max(), Math.max(0, missing), ev, un, ref);
  }

  /** Writes lines to dir/name+ext via a temp file, fsync, rename and a directory fsync. */
  private static void writeDurably(Path dir, String name, String ext, List<String> lines)
      throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(name + ext);
    // A batch id seen before with new records (a device re-batching) gets a fresh file name.
    for (int n = 1; Files.exists(target); n++) {
      target = dir.resolve(name + "~" + n + ext);
    }
    Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        Writer w = java.nio.channels.Channels.newWriter(ch, StandardCharsets.UTF_8.newEncoder(), -1)) {
      for (String l : lines) {
        w.write(l);
        w.write('\n');
      }
      w.flush();
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target);
    }
    fsyncDir(dir);
  }

  static void fsyncDir(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for fsync; the rename is then as durable as
      // the file system makes it, which is the best that can be had there.
      log.debug("directory fsync not supported for {}: {}", dir, e.toString());
    }
  }

  private void rebuild() throws IOException {
    long records = 0;
    List<Path> parquet = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        String name = p.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(p); // an unfinished write: never acked, the device resends it
          continue;
        }
        Path rel = root.relativize(p);
        if (rel.getNameCount() < 2 || !Files.isRegularFile(p)) {
          continue;
        }
        String tree = rel.getName(0).toString();
        if (tree.equals(RECORDS) && name.endsWith(".jsonl")) {
          records += indexJsonLines(p);
        } else if (tree.equals(RECORDS) && name.endsWith(".parquet")) {
          parquet.add(p);
        } else if (tree.equals(BATCHES) && name.endsWith(".json")) {
          readBatchMeta(p);
        }
      }
    } catch (NoSuchFileException e) {
      // a file removed by a concurrent compaction; it is in the day's Parquet file
    }
    for (Path p : parquet) {
      records += indexParquet(p);
    }
    log.info("log store {}: {} records from {} devices indexed", root, records, index.size());
  }

  private long indexJsonLines(Path p) throws IOException {
    long n = 0;
    try (BufferedReader r = Files.newBufferedReader(p, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.trim().isEmpty()) {
          continue;
        }
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        index.computeIfAbsent(o.get(RecordCheck.DEVICE).getAsString(), d -> new SeqRanges())
            .add(o.get(RecordCheck.SEQ).getAsLong());
        n++;
      }
    }
    return n;
  }

  private void readBatchMeta(Path p) throws IOException {
    String text = new String(Files.readAllBytes(p), StandardCharsets.UTF_8).trim();
    JsonObject o = JsonParser.parseString(text).getAsJsonObject();
    String device = o.get("device").getAsString();
    long ev = o.get("evicted_total").getAsLong();
    evicted.merge(device, ev, Math::max);
    if (o.has("refused")) {
      addRefused(device, o.get("seq_from").getAsLong(), o.get("seq_to").getAsLong());
    }
    if (o.has("unused")) {
      for (com.google.gson.JsonElement e : o.getAsJsonArray("unused")) {
        com.google.gson.JsonArray pair = e.getAsJsonArray();
        unused.computeIfAbsent(device, d -> new SeqRanges())
            .addRange(pair.get(0).getAsLong(), pair.get(1).getAsLong());
      }
    }
  }

  private long indexParquet(Path p) throws IOException {
    long n = 0;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT device, seq FROM read_parquet('"
            + Compactor.sqlPath(p) + "')")) {
      while (rs.next()) {
        index.computeIfAbsent(rs.getString(1), d -> new SeqRanges()).add(rs.getLong(2));
        n++;
      }
    } catch (SQLException e) {
      throw new IOException("cannot index " + p + ": " + e.getMessage(), e);
    }
    return n;
  }

  /** Day partitions present in the records tree, oldest first. */
  List<String> days() throws IOException {
    List<String> out = new ArrayList<>();
    Path rec = root.resolve(RECORDS);
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(rec, "date=*")) {
      for (Path d : ds) {
        out.add(d.getFileName().toString().substring("date=".length()));
      }
    }
    java.util.Collections.sort(out);
    return out;
  }
}
