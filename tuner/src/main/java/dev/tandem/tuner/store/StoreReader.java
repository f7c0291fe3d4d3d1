package dev.tandem.tuner.store;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.policy.InvalidPolicyException;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.EdgeResult;
import dev.tandem.runtime.record.PolicyEventRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.record.RecordFormatException;
import dev.tandem.runtime.signal.Signals;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Reads a fleet's records, one device at a time, from either
 *
 * <ul>
 *   <li>a collector's store (docs/log-store.md): {@code records/date=D/{device}/*.jsonl} batch
 *       files and compacted {@code records/date=D/records.parquet} files, selected by receive
 *       date (device clocks are not trusted), or
 *   <li>a bare directory of spool segments ({@code segment-*.jsonl}, one or more devices; no
 *       receive dates, so a date range does not apply).
 * </ul>
 *
 * <p>{@link #forEachDevice} hands over one {@link DeviceLog} at a time (decisions in sequence
 * order, deduplicated by sequence number, with label and late-reply amendments joined, and the
 * device's policy events), so only one device's records are in the heap at once. Parquet files
 * are read through DuckDB (embedded, off-heap), streamed in device order. Amendments received
 * after the range's end still join their decisions; policy events received before its start
 * are included so the policy in force at its start is known.
 *
 * <p>Every record goes through the runtime's {@link RecordCodec}, so a record of an unknown
 * schema or kind fails the read with a {@link StoreException} naming the file and line.
 *
 * <pre>{@code
 * try (StoreReader store = StoreReader.open(StoreQuery.builder(dir).from(d1).to(d2).build())) {
 *   store.forEachDevice(log -> ...);
 *   Optional<Policy> p = store.policy(hash);
 * }
 * }</pre>
 *
 * Not thread-safe.
 */
public final class StoreReader implements AutoCloseable {
  private static final String RECORDS = "records";
  private static final String PARQUET = "records.parquet";
  private static final String POLICIES = "policies";
  private static final long PROGRESS_EVERY_MS = 5_000;

  private final StoreQuery query;
  private final boolean spool;
  /** Date partitions (all of them; the range is applied per record kind). */
  private final TreeMap<LocalDate, Path> partitions = new TreeMap<>();
  private final Map<String, Policy> policies = new HashMap<>();
  private Connection duck;

  private StoreReader(StoreQuery query, boolean spool) {
    this.query = query;
    this.spool = spool;
  }

  /**
   * Opens the store the query names.
   *
   * @throws StoreException when the directory is neither a store nor a spool, holds no records,
   *     or holds none in the date range
   */
  public static StoreReader open(StoreQuery query) {
    Path root = query.root();
    if (!Files.isDirectory(root)) {
      throw new StoreException("store " + root + " is not a directory");
    }
    boolean isStore = Files.isDirectory(root.resolve(RECORDS));
    if (!isStore && segments(root).isEmpty()) {
      throw new StoreException("store " + root + " holds no records: expected a collector's store"
          + " (records/date=YYYY-MM-DD/...) or a spool directory (segment-*.jsonl)");
    }
    StoreReader r = new StoreReader(query, !isStore);
    if (isStore) {
      r.listPartitions();
    }
    return r;
  }

  /** Whether this is a bare spool directory rather than a collector's store. */
  public boolean isSpool() {
    return spool;
  }

  /** The receive dates present in the store (empty for a spool directory). */
  public List<LocalDate> receiveDates() {
    return new ArrayList<>(partitions.keySet());
  }

  /**
   * Calls {@code visitor} with each device's log, devices in name order.
   *
   * @return the number of decisions handed over
   * @throws StoreException on a record this reader cannot decode, a file it cannot read, or when
   *     the selection holds no decision at all
   */
  public long forEachDevice(Consumer<DeviceLog> visitor) {
    Progress progress = new Progress(query.progress());
    long decisions = spool ? readSpool(visitor, progress) : readStore(visitor, progress);
    if (decisions == 0) {
      if (spool) {
        throw new StoreException("spool " + query.root() + " holds no decision records");
      }
      throw noDecisions();
    }
    progress.done(decisions);
    return decisions;
  }

  /**
   * Hands over a collector's store's decisions column by column ({@link DecisionColumns}, runs of
   * whole devices in name order, decisions in sequence order, deduplicated, with labels and late
   * replies joined): what {@link #forEachDevice} gives, for the fields the tuner keeps, without
   * decoding whole records. The compacted files' columns and the JSON-lines batches are read by
   * DuckDB (off-heap), the next run while {@code visitor} works on the current one.
   *
   * @return the number of decisions handed over
   * @throws StoreException on a record this reader cannot use (file and line, or file, device and
   *     sequence number, named), a file it cannot read, or when the selection holds no decision
   * @throws IllegalStateException on a spool directory (use {@link #forEachDevice})
   */
  public long scanDecisions(Consumer<DecisionColumns> visitor) {
    if (spool) {
      throw new IllegalStateException("a spool directory is read record by record: use forEachDevice");
    }
    Progress progress = new Progress(query.progress());
    List<Path> parquet = new ArrayList<>();
    TreeMap<String, List<Map.Entry<Path, LocalDate>>> json = new TreeMap<>();
    listFiles(date -> wanted("decision", date) || wanted("amendment", date), parquet, json);
    for (List<Map.Entry<Path, LocalDate>> files : json.values()) {
      files.sort(Map.Entry.comparingByKey());
    }
    ColumnScan scan = new ColumnScan(parquet, json, query.from().orElse(null), query.to().orElse(null));
    long decisions = parquet.isEmpty() && json.isEmpty() ? 0 : scan.run(cols -> {
      for (int d = 0; d < cols.devices().size(); d++) {
        progress.device(cols.deviceEnd(d) - cols.deviceStart(d));
      }
      visitor.accept(cols);
    });
    if (decisions == 0) {
      throw noDecisions();
    }
    progress.done(decisions);
    query.progress().accept(scan.timing());
    return decisions;
  }

  /**
   * The policy with this content hash: from the store's {@code policies/} directory, or from a
   * policy event read so far that carried its content.
   */
  public Optional<Policy> policy(String contentHash) {
    Policy p = policies.get(contentHash);
    if (p != null) {
      return Optional.of(p);
    }
    Path f = query.root().resolve(POLICIES).resolve(contentHash + ".json");
    if (Files.isRegularFile(f)) {
      try {
        String json = new String(Files.readAllBytes(f), StandardCharsets.UTF_8).trim();
        if (!PolicyEventRecord.contentHash(json).equals(contentHash)) {
          throw new StoreException(f + " does not hash to its name: the file was changed");
        }
        p = Policy.fromJson(json);
        policies.put(contentHash, p);
        return Optional.of(p);
      } catch (IOException e) {
        throw new StoreException("cannot read " + f + ": " + e.getMessage(), e);
      } catch (InvalidPolicyException e) {
        throw new StoreException(f + " is not a valid policy: " + e.getMessage(), e);
      }
    }
    return Optional.empty();
  }

  /**
   * Every policy whose content the store holds: the {@code policies/} directory of a collector's
   * store, or the applied events in a spool directory (which reads the spool once).
   */
  public List<Policy> knownPolicies() {
    if (spool) {
      List<Policy> out = new ArrayList<>();
      TreeMap<String, DeviceCollector> byDevice = new TreeMap<>();
      for (Path seg : segments(query.root())) {
        readSegment(seg, byDevice);
      }
      for (DeviceCollector c : byDevice.values()) {
        c.build(policies);
      }
      out.addAll(policies.values());
      return out;
    }
    List<Policy> out = new ArrayList<>();
    Path dir = query.root().resolve(POLICIES);
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : ds) {
        String name = f.getFileName().toString();
        policy(name.substring(0, name.length() - ".json".length())).ifPresent(out::add);
      }
    } catch (IOException e) {
      throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }

  @Override
  public void close() {
    if (duck != null) {
      try {
        duck.close();
      } catch (SQLException e) {
        // nothing to do: the connection is in-memory
      }
      duck = null;
    }
  }

  private StoreException noDecisions() {
    String range = (query.from().map(d -> "from " + d).orElse("") + " " + query.to().map(d -> "to " + d).orElse(""))
        .trim();
    return new StoreException("no decision records received " + (range.isEmpty() ? "in the store" : range)
        + "; the store has receive dates " + (partitions.isEmpty() ? "none"
            : partitions.firstKey() + " .. " + partitions.lastKey()));
  }

  // ---- collector store

  private void listPartitions() {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(query.root().resolve(RECORDS), "date=*")) {
      for (Path p : ds) {
        String name = p.getFileName().toString().substring("date=".length());
        try {
          partitions.put(LocalDate.parse(name), p);
        } catch (DateTimeParseException e) {
          throw new StoreException("store partition " + p + " is not named date=YYYY-MM-DD");
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot list " + query.root().resolve(RECORDS) + ": " + e.getMessage(), e);
    }
    if (partitions.isEmpty()) {
      throw new StoreException("store " + query.root() + " holds no records: records/ has no date=YYYY-MM-DD"
          + " partition yet (has a collector received anything?)");
    }
  }

  /** Whether a record of this kind received on {@code date} belongs to the selection. */
  private boolean wanted(String kind, LocalDate date) {
    switch (kind) {
      case "decision":
        // earlier dates too: a duplicate stored again later counts on the date first received
        return !query.to().isPresent() || !date.isAfter(query.to().get());
      case "amendment":
        return !query.from().isPresent() || !date.isBefore(query.from().get());
      default:
        return !query.to().isPresent() || !date.isAfter(query.to().get());
    }
  }

  private long readStore(Consumer<DeviceLog> visitor, Progress progress) {
    List<Path> parquet = new ArrayList<>();
    TreeMap<String, List<Map.Entry<Path, LocalDate>>> jsonByDevice = new TreeMap<>();
    listFiles(date -> wanted("decision", date) || wanted("amendment", date) || wanted("policy_event", date),
        parquet, jsonByDevice);
    long decisions = 0;
    try (ParquetCursor pq = parquet.isEmpty() ? null : new ParquetCursor(parquet)) {
      TreeSet<String> pending = new TreeSet<>(jsonByDevice.keySet());
      while (true) {
        String nextPq = pq == null ? null : pq.device();
        String nextJson = pending.isEmpty() ? null : pending.first();
        String device = nextPq == null ? nextJson
            : nextJson == null ? nextPq : (nextPq.compareTo(nextJson) <= 0 ? nextPq : nextJson);
        if (device == null) {
          break;
        }
        DeviceCollector c = new DeviceCollector(device, query.probabilities(), query.from().orElse(null));
        if (pq != null && device.equals(nextPq)) {
          pq.drainDevice(c);
        }
        List<Map.Entry<Path, LocalDate>> files = jsonByDevice.get(device);
        if (files != null) {
          pending.remove(device);
          for (Map.Entry<Path, LocalDate> f : files) {
            LocalDate date = f.getValue();
            readJsonLines(f.getKey(), c, date, kind -> wanted(kind, date));
          }
        }
        DeviceLog log = c.build(policies);
        decisions += log.decisions().size();
        progress.device(log.decisions().size());
        if (!log.decisions().isEmpty() || !log.policyEvents().isEmpty()) {
          visitor.accept(log);
        }
      }
    }
    return decisions;
  }

  /**
   * Lists the store's files in the receive-date partitions {@code wantedDate} accepts, in date
   * order: each partition's compacted file into {@code parquet}, its JSON-lines batches into
   * {@code jsonByDevice} (device name to file and partition date).
   */
  private void listFiles(java.util.function.Predicate<LocalDate> wantedDate, List<Path> parquet,
      TreeMap<String, List<Map.Entry<Path, LocalDate>>> jsonByDevice) {
    for (Map.Entry<LocalDate, Path> e : partitions.entrySet()) {
      Path dir = e.getValue();
      if (!wantedDate.test(e.getKey())) {
        continue;
      }
      if (Files.isRegularFile(dir.resolve(PARQUET))) {
        parquet.add(dir.resolve(PARQUET));
      }
      try (DirectoryStream<Path> devices = Files.newDirectoryStream(dir, Files::isDirectory)) {
        for (Path d : devices) {
          try (DirectoryStream<Path> files = Files.newDirectoryStream(d, "*.jsonl")) {
            for (Path f : files) {
              jsonByDevice.computeIfAbsent(d.getFileName().toString(), k -> new ArrayList<>())
                  .add(new java.util.AbstractMap.SimpleImmutableEntry<>(f, e.getKey()));
            }
          }
        }
      } catch (IOException ex) {
        throw new StoreException("cannot list " + dir + ": " + ex.getMessage(), ex);
      }
    }
  }

  private static void readJsonLines(Path file, DeviceCollector c, LocalDate date,
      java.util.function.Predicate<String> wantKind) {
    forEachRecord(file, rec -> {
      if (wantKind.test(rec.kind())) {
        c.add(rec, date);
      }
    });
  }

  /** What a record this release cannot read adds to its error. */
  static final String NEWER_WRITER_HINT =
      " (a newer writer? read this store with a tandem-tune of the same release as the devices)";

  /**
   * Decodes every non-blank line of a JSON-lines file in order.
   *
   * @throws StoreException naming the file and line of the first that is not a record, or the
   *     file when it cannot be read
   */
  static void forEachRecord(Path file, Consumer<Record> each) {
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.trim().isEmpty()) {
          continue;
        }
        Record rec;
        try {
          rec = RecordCodec.decode(line);
        } catch (RecordFormatException e) {
          throw new StoreException(file + " line " + n + ": " + e.getMessage() + NEWER_WRITER_HINT, e);
        }
        each.accept(rec);
      }
    } catch (IOException e) {
      throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Streams the rows of the compacted files in (device, seq) order through DuckDB. */
  private final class ParquetCursor implements AutoCloseable {
    private final Statement st;
    private final ResultSet rs;
    private boolean hasRow;
    private final String files;

    ParquetCursor(List<Path> parquet) {
      StringBuilder list = new StringBuilder("[");
      for (int i = 0; i < parquet.size(); i++) {
        list.append(i == 0 ? "" : ", ").append('\'').append(parquet.get(i).toAbsolutePath().toString()
            .replace("'", "''")).append('\'');
      }
      files = list.append(']').toString();
      String from = query.from().map(d -> "DATE '" + d + "'").orElse("DATE '0001-01-01'");
      String to = query.to().map(d -> "DATE '" + d + "'").orElse("DATE '9999-12-31'");
      String sql = "SELECT device, to_json(t), received_date FROM read_parquet(" + files
          + ", union_by_name = true) t WHERE (kind = 'decision' AND received_date <= " + to + ") OR "
          + "(kind = 'amendment' AND received_date >= " + from + ") OR "
          + "(kind NOT IN ('decision', 'amendment') AND received_date <= " + to + ") ORDER BY device, seq";
      try {
        if (duck == null) {
          duck = DriverManager.getConnection("jdbc:duckdb:");
          try (Statement s = duck.createStatement()) {
            s.execute("SET preserve_insertion_order = false");
            // the sort spills to disk past this, keeping the process's memory bounded
            s.execute("SET memory_limit = '768MB'");
          }
        }
        st = duck.createStatement();
        rs = st.executeQuery(sql);
        hasRow = rs.next();
      } catch (SQLException e) {
        throw new StoreException("cannot read the compacted files " + files + ": " + e.getMessage(), e);
      }
    }

    String device() {
      try {
        return hasRow ? rs.getString(1) : null;
      } catch (SQLException e) {
        throw new StoreException("reading " + files + ": " + e.getMessage(), e);
      }
    }

    void drainDevice(DeviceCollector c) {
      try {
        String device = rs.getString(1);
        while (hasRow && device.equals(rs.getString(1))) {
          String json = rs.getString(2);
          Record rec;
          try {
            rec = RecordCodec.decode(withoutNulls(json));
          } catch (RecordFormatException e) {
            throw new StoreException(files + ", device " + device + ": " + e.getMessage() + NEWER_WRITER_HINT, e);
          }
          c.add(rec, rs.getObject(3, LocalDate.class));
          hasRow = rs.next();
        }
      } catch (SQLException e) {
        throw new StoreException("reading " + files + ": " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        rs.close();
        st.close();
      } catch (SQLException e) {
        // closing an in-memory result
      }
    }
  }

  /**
   * A Parquet row as JSON: the columns of other record kinds (unioned by name) are null and the
   * partition column (and any of {@code extraColumns} a query added) is there; the record line
   * had neither.
   */
  static String withoutNulls(String json, String... extraColumns) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    o.remove("received_date");
    for (String c : extraColumns) {
      o.remove(c);
    }
    stripNulls(o);
    return o.toString();
  }

  private static void stripNulls(JsonObject o) {
    List<String> nulls = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (e.getValue().isJsonNull()) {
        nulls.add(e.getKey());
      } else if (e.getValue().isJsonObject()) {
        stripNulls(e.getValue().getAsJsonObject());
      }
    }
    for (String k : nulls) {
      o.remove(k);
    }
  }

  // ---- spool directory

  private static List<Path> segments(Path dir) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "segment-*.jsonl")) {
      for (Path p : ds) {
        out.add(p);
      }
    } catch (IOException e) {
      throw new StoreException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    out.sort(null);
    return out;
  }

  private long readSpool(Consumer<DeviceLog> visitor, Progress progress) {
    if (query.from().isPresent() || query.to().isPresent()) {
      throw new StoreException(query.root() + " is a spool directory: its records have no receive date, so"
          + " --from/--to do not apply (drop them, or tune the collector's store)");
    }
    TreeMap<String, DeviceCollector> byDevice = new TreeMap<>();
    for (Path seg : segments(query.root())) {
      readSegment(seg, byDevice);
    }
    long decisions = 0;
    for (DeviceCollector c : byDevice.values()) {
      DeviceLog log = c.build(policies);
      decisions += log.decisions().size();
      progress.device(log.decisions().size());
      visitor.accept(log);
    }
    return decisions;
  }

  private void readSegment(Path seg, Map<String, DeviceCollector> byDevice) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(seg);
    } catch (IOException e) {
      throw new StoreException("cannot read " + seg + ": " + e.getMessage(), e);
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    int start = 0;
    int n = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      if (nl < 0) {
        break; // a torn last line: the spool cuts it off too
      }
      String line = text.substring(start, nl);
      start = nl + 1;
      n++;
      if (line.trim().isEmpty()) {
        continue;
      }
      Record rec;
      try {
        rec = RecordCodec.decode(line);
      } catch (RecordFormatException e) {
        throw new StoreException(seg + " line " + n + ": " + e.getMessage(), e);
      }
      byDevice.computeIfAbsent(rec.device(), d -> new DeviceCollector(d, query.probabilities(), null)).add(rec, null);
    }
  }

  // ---- one device

  /** Gathers one device's records, then sorts, deduplicates and joins them. */
  private static final class DeviceCollector {
    private final String device;
    private final boolean probabilities;
    private final LocalDate from;
    private final TreeMap<Long, DecisionRecord> decisions = new TreeMap<>();
    private final Map<Long, LocalDate> firstReceived = new HashMap<>();
    private final TreeMap<Long, PolicyEventRecord> events = new TreeMap<>();
    private final TreeMap<Long, AmendmentRecord> amendments = new TreeMap<>();

    DeviceCollector(String device, boolean probabilities, LocalDate from) {
      this.device = device;
      this.probabilities = probabilities;
      this.from = from;
    }

    /** @param received the receive date (null in a spool) */
    void add(Record r, LocalDate received) {
      if (r instanceof DecisionRecord) {
        DecisionRecord d = (DecisionRecord) r;
        decisions.putIfAbsent(d.seq(), probabilities ? d : withoutProbabilities(d));
        if (received != null) {
          firstReceived.merge(d.seq(), received, (a, b) -> a.isBefore(b) ? a : b);
        }
      } else if (r instanceof AmendmentRecord) {
        amendments.putIfAbsent(r.seq(), (AmendmentRecord) r);
      } else if (r instanceof PolicyEventRecord) {
        events.putIfAbsent(r.seq(), (PolicyEventRecord) r);
      }
    }

    DeviceLog build(Map<String, Policy> policies) {
      if (from != null) {
        decisions.keySet().removeIf(seq -> firstReceived.get(seq).isBefore(from));
      }
      Map<Long, Integer> labels = new HashMap<>();
      Map<Long, CloudResult> late = new HashMap<>();
      int orphans = 0;
      String prefix = device + ":";
      for (AmendmentRecord a : amendments.values()) {
        long seq = a.decisionId().startsWith(prefix) ? parseSeq(a.decisionId().substring(prefix.length())) : -1;
        if (!decisions.containsKey(seq)) {
          orphans++;
          continue;
        }
        if (a.type() == AmendmentRecord.Type.LABEL) {
          labels.put(seq, a.label()); // the latest report wins
        } else {
          late.putIfAbsent(seq, a.cloud().get());
        }
      }
      List<LoggedDecision> out = new ArrayList<>(decisions.size());
      for (DecisionRecord d : decisions.values()) {
        out.add(new LoggedDecision(d, labels.getOrDefault(d.seq(), -1), late.get(d.seq())));
      }
      List<PolicyEventRecord> ev = new ArrayList<>(events.values());
      for (PolicyEventRecord e : ev) {
        if (e.policy().isPresent() && !policies.containsKey(e.policyHash())) {
          try {
            policies.put(e.policyHash(), Policy.fromJson(e.policy().get()));
          } catch (InvalidPolicyException ex) {
            // the device applied it, so it parsed there; a reader that refuses it says so when asked for it
          }
        }
      }
      return new DeviceLog(device, out, ev, orphans);
    }

    private static long parseSeq(String s) {
      try {
        return Long.parseLong(s);
      } catch (NumberFormatException e) {
        return -1;
      }
    }

    private static DecisionRecord withoutProbabilities(DecisionRecord d) {
      if (!d.edge().isPresent() || d.edge().get().signals().probabilities().length == 0) {
        return d;
      }
      EdgeResult e = d.edge().get();
      Signals s = e.signals();
      DecisionRecord.Builder b = DecisionRecord.builder().device(d.device()).seq(d.seq()).timeMs(d.timeMs())
          .fleet(d.fleet()).model(d.model()).decided(d.decided()).outcome(d.route(), d.reason()).context(d.context())
          .bytes(d.bytesUp(), d.bytesDown()).cost(d.cost()).latencyMs(d.latencyMs())
          .edge(EdgeResult.of(Signals.of(new float[0], s.top1(), s.maxProb(), s.margin(), s.entropy()),
              e.latencyMs(), e.provider()));
      if (d.cloud().isPresent()) {
        b.cloud(d.cloud().get());
      }
      return b.build();
    }
  }

  /** Progress lines every few seconds. */
  private static final class Progress {
    private final Consumer<String> sink;
    private final long start = System.nanoTime();
    private long last = start;
    private long devices;
    private long decisions;

    Progress(Consumer<String> sink) {
      this.sink = sink;
    }

    void device(long n) {
      devices++;
      decisions += n;
      long now = System.nanoTime();
      if ((now - last) / 1_000_000 >= PROGRESS_EVERY_MS) {
        last = now;
        sink.accept(String.format(java.util.Locale.ROOT, "read %,d devices, %,d decisions (%.0f s)", devices,
            decisions, (now - start) / 1e9));
      }
    }

    void done(long total) {
      sink.accept(String.format(java.util.Locale.ROOT, "read %,d devices, %,d decisions in %.1f s", devices, total,
          (System.nanoTime() - start) / 1e9));
    }
  }
}
