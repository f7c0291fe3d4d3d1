package dev.tandem.tuner.store;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.record.RecordFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads a collector store's decisions column by column with DuckDB: the compacted Parquet files'
 * columns and the JSON-lines batches (read_json with explicit columns), only the fields the
 * tuner keeps, amendments joined in SQL, rows ordered by device and sequence number.
 *
 * <p>The devices are read in runs of about {@link #RUN_ROWS} records (a run's rows in a
 * temporary table, so DuckDB's memory stays bounded and no sort spills), on a thread of its own,
 * while the caller works on the previous run. Every record of a run is checked first (schema
 * version, kind, the fields the tuner needs and their values); a record that fails is named by
 * file and line (JSON lines, from the runtime's {@code RecordCodec}, as the record-by-record
 * reader would) or by file, device and sequence number (Parquet).
 */
final class ColumnScan {
  /** Records per run: a few hundred thousand keep DuckDB's run table well under its memory limit. */
  static final int RUN_ROWS = 400_000;
  private static final Object END = new Object();

  /** Name, path in the record, DuckDB type. */
  private static final String[][] FIELDS = {
    {"schema", "schema", "BIGINT"},
    {"kind", "kind", "VARCHAR"},
    {"device", "device", "VARCHAR"},
    {"seq", "seq", "BIGINT"},
    {"time_ms", "time_ms", "BIGINT"},
    {"edge_model_hash", "edge_model_hash", "VARCHAR"},
    {"policy_version", "policy_version", "BIGINT"},
    {"route", "route", "VARCHAR"},
    {"reason", "reason", "VARCHAR"},
    {"d_route", "decided.route", "VARCHAR"},
    {"d_reason", "decided.reason", "VARCHAR"},
    {"explored", "explored", "BOOLEAN"},
    {"propensity", "propensity", "DOUBLE"},
    {"s_top1", "context.signals.top1", "BIGINT"},
    {"s_max_prob", "context.signals.max_prob", "DOUBLE"},
    {"s_margin", "context.signals.margin", "DOUBLE"},
    {"s_entropy", "context.signals.entropy", "DOUBLE"},
    {"network", "context.network", "VARCHAR"},
    {"metered", "context.metered", "BOOLEAN"},
    {"battery_percent", "context.battery_percent", "BIGINT"},
    {"charging", "context.charging", "BOOLEAN"},
    {"device_class", "context.device_class", "VARCHAR"},
    {"payload_bytes", "context.payload_bytes", "BIGINT"},
    {"offloader", "context.offloader", "VARCHAR"},
    {"elapsed_ms", "context.elapsed_ms", "DOUBLE"},
    {"budget_available_usd", "context.budget_available_usd", "DOUBLE"},
    {"expected_offload_usd", "context.expected_offload_usd", "DOUBLE"},
    {"rt_samples", "context.round_trip.samples", "BIGINT"},
    {"rt_ewma_ms", "context.round_trip.ewma_ms", "DOUBLE"},
    {"rt_p95_ms", "context.round_trip.p95_ms", "DOUBLE"},
    {"rt_since_ms", "context.round_trip.since_last_attempt_ms", "BIGINT"},
    {"draw", "context.draw", "DOUBLE"},
    {"e_prediction", "edge.prediction", "BIGINT"},
    {"c_status", "cloud.status", "VARCHAR"},
    {"c_prediction", "cloud.prediction", "BIGINT"},
    {"c_round_trip_ms", "cloud.round_trip_ms", "DOUBLE"},
    {"edge_usd", "cost.edge_usd", "DOUBLE"},
    {"network_usd", "cost.network_usd", "DOUBLE"},
    {"cloud_usd", "cost.cloud_usd", "DOUBLE"},
    {"latency_ms", "latency_ms", "DOUBLE"},
    {"decision_id", "decision_id", "VARCHAR"},
    {"type", "type", "VARCHAR"},
    {"label", "label", "BIGINT"},
  };
  /** Whole objects whose presence matters: name, path. */
  private static final String[][] PRESENT = {
    {"has_signals", "context.signals"},
    {"has_edge", "edge"},
    {"has_cloud", "cloud"},
  };

  private final List<Path> parquet;
  /** Per device, its JSON-lines files with their receive dates. */
  private final TreeMap<String, List<Map.Entry<Path, LocalDate>>> json;
  private final LocalDate from;
  private final LocalDate to;
  private volatile boolean stopped;

  ColumnScan(List<Path> parquet, TreeMap<String, List<Map.Entry<Path, LocalDate>>> json, LocalDate from,
      LocalDate to) {
    this.parquet = parquet;
    this.json = json;
    this.from = from;
    this.to = to;
  }

  /**
   * Hands each run to {@code sink} on the calling thread, while the next run is read.
   *
   * @return the number of decisions handed over
   */
  long run(Consumer<DecisionColumns> sink) {
    BlockingQueue<Object> queue = new ArrayBlockingQueue<>(1);
    Thread reader = new Thread(() -> {
      Object last = END;
      try {
        produce(cols -> put(queue, cols));
      } catch (Throwable t) {
        last = t;
      }
      put(queue, last);
    }, "tandem-store-scan");
    reader.setDaemon(true);
    reader.start();
    long decisions = 0;
    try {
      while (true) {
        Object o = queue.take();
        if (o == END) {
          break;
        }
        if (o instanceof StoreException) {
          throw new StoreException(((StoreException) o).getMessage(), (StoreException) o);
        }
        if (o instanceof Throwable) {
          throw new StoreException("reading the store failed: " + o, (Throwable) o);
        }
        DecisionColumns cols = (DecisionColumns) o;
        decisions += cols.rows;
        sink.accept(cols);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException("interrupted while reading the store", e);
    } finally {
      stopped = true;
      queue.clear();
      try {
        reader.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return decisions;
  }

  private void put(BlockingQueue<Object> queue, Object o) {
    try {
      while (!stopped) {
        if (queue.offer(o, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- the reading thread

  private void produce(Consumer<DecisionColumns> out) throws SQLException {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("SET preserve_insertion_order = false");
      st.execute("SET memory_limit = '512MB'");
      Set<String> parquetPaths = parquet.isEmpty() ? new HashSet<>() : parquetPaths(st);
      // devices and their sizes
      TreeMap<String, Long> size = new TreeMap<>();
      if (!parquet.isEmpty()) {
        try (ResultSet rs = st.executeQuery("SELECT device, count(*) FROM " + parquetSource() + " t"
            + " WHERE device IS NOT NULL GROUP BY device")) {
          while (rs.next()) {
            size.put(rs.getString(1), rs.getLong(2));
          }
        }
      }
      for (Map.Entry<String, List<Map.Entry<Path, LocalDate>>> e : json.entrySet()) {
        long bytes = 0;
        for (Map.Entry<Path, LocalDate> f : e.getValue()) {
          bytes += fileSize(f.getKey());
        }
        size.merge(e.getKey(), Math.max(1, bytes / 1000), Long::sum);
      }
      List<String> devices = new ArrayList<>(size.keySet());
      st.execute("CREATE OR REPLACE TEMP TABLE devs (device VARCHAR, ix INTEGER)");
      for (int i = 0; i < devices.size(); i += 1000) {
        StringBuilder v = new StringBuilder("INSERT INTO devs VALUES ");
        for (int j = i; j < Math.min(devices.size(), i + 1000); j++) {
          v.append(j == i ? "" : ", ").append('(').append(str(devices.get(j))).append(", ").append(j).append(')');
        }
        st.execute(v.toString());
      }
      int i = 0;
      while (i < devices.size() && !stopped) {
        long rows = 0;
        int j = i;
        while (j < devices.size() && (j == i || rows + size.get(devices.get(j)) <= RUN_ROWS)) {
          rows += size.get(devices.get(j));
          j++;
        }
        DecisionColumns cols = readRun(st, parquetPaths, devices, i, j - 1);
        if (cols.rows > 0) {
          out.accept(cols);
        }
        i = j;
      }
    }
  }

  private DecisionColumns readRun(Statement st, Set<String> parquetPaths, List<String> devices, int first,
      int last) throws SQLException {
    String lo = devices.get(first);
    String hi = devices.get(last);
    List<String> parts = new ArrayList<>();
    if (!parquet.isEmpty()) {
      parts.add("SELECT " + projection(p -> parquetPaths.contains(p)) + ", CAST(received_date AS DATE) AS"
          + " received_date, filename FROM " + parquetSource() + " t WHERE device BETWEEN " + str(lo) + " AND "
          + str(hi));
    }
    Map<LocalDate, List<Path>> byDate = new TreeMap<>();
    for (int d = first; d <= last; d++) {
      List<Map.Entry<Path, LocalDate>> files = json.get(devices.get(d));
      if (files != null) {
        for (Map.Entry<Path, LocalDate> f : files) {
          byDate.computeIfAbsent(f.getValue(), k -> new ArrayList<>()).add(f.getKey());
        }
      }
    }
    for (Map.Entry<LocalDate, List<Path>> e : byDate.entrySet()) {
      parts.add("SELECT " + projection(p -> true) + ", DATE '" + e.getKey() + "' AS received_date, filename FROM"
          + " read_json(" + list(e.getValue()) + ", format = 'newline_delimited', columns = " + JSON_COLUMNS
          + ", filename = true, hive_partitioning = false) t");
    }
    try {
      st.execute("CREATE OR REPLACE TEMP TABLE run AS " + String.join(" UNION ALL BY NAME ", parts));
    } catch (SQLException e) {
      throw new StoreException("cannot read the store's records of devices " + lo + " .. " + hi + ": "
          + e.getMessage() + " (a newer writer? read this store with a tandem-tune of the same release as the"
          + " devices)", e);
    }
    check(st);
    List<String> classes = distinct(st, "device_class");
    List<String> hashes = distinct(st, "edge_model_hash");
    int capacity;
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM run WHERE kind = 'decision'")) {
      rs.next();
      capacity = rs.getInt(1);
    }
    DecisionColumns c = new DecisionColumns(classes, hashes, capacity);
    String fromSql = "DATE '" + (from == null ? LocalDate.of(1, 1, 1) : from) + "'";
    String toSql = "DATE '" + (to == null ? LocalDate.of(9999, 12, 31) : to) + "'";
    String decisionSeq = "TRY_CAST(substr(decision_id, length(device) + 2) AS BIGINT)";
    String sql = "WITH d AS (SELECT * FROM run WHERE kind = 'decision' AND received_date <= " + toSql + "),"
        + " a AS (SELECT device, " + decisionSeq + " AS dseq, seq, type, label, c_status, c_prediction FROM run"
        + " WHERE kind = 'amendment' AND received_date >= " + fromSql + " AND starts_with(decision_id, device || ':')),"
        + " lab AS (SELECT device, dseq, arg_max(label, seq) AS label FROM a WHERE type = 'label' GROUP BY device, dseq),"
        + " late AS (SELECT device, dseq, arg_min(CASE WHEN c_status = 'ok' THEN c_prediction ELSE -1 END, seq) AS p"
        + " FROM a WHERE type = 'late_reply' GROUP BY device, dseq)"
        + " SELECT v.ix, d.seq, d.received_date < " + fromSql + ", d.time_ms,"
        + " list_position(" + sqlList(hashes) + ", d.edge_model_hash) - 1, d.policy_version,"
        + " list_position(" + ROUTES + ", d.route) - 1, list_position(" + ROUTES + ", d.d_route) - 1,"
        + " list_position(" + REASONS + ", d.d_reason) - 1, d.explored, d.propensity, d.has_signals,"
        + " coalesce(d.s_top1, -1), coalesce(d.s_max_prob, 0), coalesce(d.s_margin, 0), coalesce(d.s_entropy, 0),"
        + " list_position(" + NETWORKS + ", d.network) - 1, d.metered, d.battery_percent, d.charging,"
        + " list_position(" + sqlList(classes) + ", d.device_class) - 1, d.payload_bytes,"
        + " list_position(" + OFFLOADERS + ", d.offloader) - 1, d.elapsed_ms, d.budget_available_usd,"
        + " d.expected_offload_usd, d.rt_samples, d.rt_ewma_ms, d.rt_p95_ms, d.rt_since_ms, d.draw, d.has_edge,"
        + " coalesce(d.e_prediction, -1), CASE WHEN d.has_cloud THEN list_position(" + STATUSES + ", d.c_status)"
        + " ELSE 0 END, coalesce(d.c_prediction, -1), coalesce(d.c_round_trip_ms, -1), coalesce(late.p, -1),"
        + " coalesce(lab.label, -1), d.edge_usd, d.network_usd, d.cloud_usd, d.latency_ms"
        + " FROM d JOIN devs v ON v.device = d.device"
        + " LEFT JOIN lab ON lab.device = d.device AND lab.dseq = d.seq"
        + " LEFT JOIN late ON late.device = d.device AND late.dseq = d.seq"
        + " ORDER BY v.ix, d.seq, d.received_date";
    try (ResultSet rs = st.executeQuery(sql)) {
      int lastIx = -1;
      long lastSeq = Long.MIN_VALUE;
      int device = -1;
      while (rs.next()) {
        int ix = rs.getInt(1);
        long seq = rs.getLong(2);
        if (ix == lastIx && seq == lastSeq) {
          continue; // stored again later: it counts on the date first received
        }
        lastIx = ix;
        lastSeq = seq;
        if (rs.getBoolean(3)) {
          continue; // first received before the range
        }
        if (ix != device) {
          if (device >= 0) {
            c.endDevice();
          }
          device = ix;
          c.beginDevice(devices.get(ix));
        }
        int r = c.rows;
        c.seq[r] = seq;
        c.timeMs[r] = rs.getLong(4);
        c.edgeModelHash[r] = rs.getInt(5);
        c.policyVersion[r] = rs.getLong(6);
        c.route[r] = (byte) rs.getInt(7);
        c.decidedRoute[r] = (byte) rs.getInt(8);
        c.decidedReason[r] = (byte) rs.getInt(9);
        c.explored[r] = rs.getBoolean(10);
        c.propensity[r] = rs.getDouble(11);
        c.hasSignals[r] = rs.getBoolean(12);
        c.top1[r] = rs.getInt(13);
        c.maxProb[r] = rs.getDouble(14);
        c.margin[r] = rs.getDouble(15);
        c.entropy[r] = rs.getDouble(16);
        c.network[r] = (byte) rs.getInt(17);
        c.metered[r] = rs.getBoolean(18);
        c.batteryPercent[r] = rs.getInt(19);
        c.charging[r] = rs.getBoolean(20);
        c.deviceClass[r] = rs.getInt(21);
        c.payloadBytes[r] = rs.getLong(22);
        c.offloader[r] = (byte) rs.getInt(23);
        c.elapsedMs[r] = rs.getDouble(24);
        c.budgetAvailableUsd[r] = rs.getDouble(25);
        c.expectedOffloadUsd[r] = rs.getDouble(26);
        c.rtSamples[r] = rs.getInt(27);
        c.rtEwmaMs[r] = rs.getDouble(28);
        c.rtP95Ms[r] = rs.getDouble(29);
        c.rtSinceLastAttemptMs[r] = rs.getLong(30);
        c.draw[r] = rs.getDouble(31);
        c.hasEdge[r] = rs.getBoolean(32);
        c.edgePrediction[r] = rs.getInt(33);
        c.cloudStatus[r] = (byte) rs.getInt(34);
        c.cloudPrediction[r] = rs.getInt(35);
        c.cloudRoundTripMs[r] = rs.getDouble(36);
        c.lateReplyPrediction[r] = rs.getInt(37);
        c.label[r] = rs.getInt(38);
        c.edgeUsd[r] = rs.getDouble(39);
        c.networkUsd[r] = rs.getDouble(40);
        c.cloudUsd[r] = rs.getDouble(41);
        c.latencyMs[r] = rs.getDouble(42);
        c.rows++;
      }
      if (device >= 0) {
        c.endDevice();
      }
    }
    return c;
  }

  private static List<String> distinct(Statement st, String column) throws SQLException {
    List<String> out = new ArrayList<>();
    try (ResultSet rs = st.executeQuery("SELECT DISTINCT " + column + " FROM run WHERE kind = 'decision' AND "
        + column + " IS NOT NULL ORDER BY 1")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }

  // ---- checks

  /** Fails on the first record of the run the tuner cannot use, naming it. */
  private void check(Statement st) throws SQLException {
    String bad = "schema IS DISTINCT FROM 1 OR kind IS NULL OR kind NOT IN ('decision', 'amendment', 'policy_event')"
        + " OR device IS NULL OR seq IS NULL"
        + " OR (kind = 'decision' AND (" + missing("time_ms", "edge_model_hash", "policy_version", "explored",
            "propensity", "metered", "battery_percent", "charging", "device_class", "payload_bytes", "elapsed_ms",
            "budget_available_usd", "expected_offload_usd", "rt_samples", "rt_ewma_ms", "rt_p95_ms", "rt_since_ms",
            "draw", "edge_usd", "network_usd", "cloud_usd", "latency_ms")
        + " OR " + unknown("route", ROUTES) + " OR " + unknown("d_route", ROUTES) + " OR "
        + unknown("reason", REASONS) + " OR " + unknown("d_reason", REASONS) + " OR " + unknown("network", NETWORKS)
        + " OR " + unknown("offloader", OFFLOADERS)
        + " OR (has_signals AND (" + missing("s_top1", "s_max_prob", "s_margin", "s_entropy") + "))"
        + " OR (has_edge AND e_prediction IS NULL)"
        + " OR (has_cloud AND (" + unknown("c_status", STATUSES) + " OR " + missing("c_prediction", "c_round_trip_ms")
        + "))))"
        + " OR (kind = 'amendment' AND (decision_id IS NULL OR type IS NULL OR type NOT IN ('label', 'late_reply')"
        + " OR (type = 'label' AND label IS NULL)"
        + " OR (type = 'late_reply' AND (NOT has_cloud OR " + unknown("c_status", STATUSES) + " OR c_prediction IS NULL))))";
    String file;
    String device;
    long seq;
    try (ResultSet rs = st.executeQuery("SELECT filename, device, seq, kind, schema FROM run WHERE " + bad
        + " LIMIT 1")) {
      if (!rs.next()) {
        return;
      }
      file = rs.getString(1);
      device = rs.getString(2);
      seq = rs.getLong(3);
    }
    String hint = " (a newer writer? read this store with a tandem-tune of the same release as the devices)";
    if (file.endsWith(".parquet")) {
      String why = "a record the tuner cannot use (a missing field or an unknown value)";
      try (ResultSet rs = st.executeQuery("SELECT to_json(t) FROM read_parquet(" + str(file)
          + ") t WHERE device = " + str(device) + " AND seq = " + seq + " LIMIT 1")) {
        if (rs.next()) {
          RecordCodec.decode(withoutNulls(rs.getString(1)));
        }
      } catch (RecordFormatException e) {
        why = e.getMessage();
      }
      throw new StoreException(file + ", device " + device + ", seq " + seq + ": " + why + hint);
    }
    try (BufferedReader r = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.trim().isEmpty()) {
          continue;
        }
        try {
          RecordCodec.decode(line);
        } catch (RecordFormatException e) {
          throw new StoreException(file + " line " + n + ": " + e.getMessage() + hint, e);
        }
      }
    } catch (IOException e) {
      throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
    }
    throw new StoreException(file + ": record " + device + ":" + seq + " lacks a field the tuner needs or has a value"
        + " it does not know" + hint);
  }

  private static String missing(String... columns) {
    StringBuilder b = new StringBuilder();
    for (String c : columns) {
      b.append(b.length() == 0 ? "" : " OR ").append(c).append(" IS NULL");
    }
    return b.toString();
  }

  private static String unknown(String column, String list) {
    return "(" + column + " IS NULL OR NOT list_contains(" + list + ", " + column + "))";
  }

  /** A Parquet row as its record line: other kinds' columns are null, and the line had no partition columns. */
  private static String withoutNulls(String json) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    o.remove("received_date");
    o.remove("date");
    o.remove("filename");
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

  // ---- SQL pieces

  private static final String ROUTES = names(Route.values(), Route::jsonName);
  private static final String REASONS = names(Reason.values(), Reason::jsonName);
  private static final String NETWORKS = names(NetworkType.values(), NetworkType::jsonName);
  private static final String OFFLOADERS = names(OffloaderState.values(), OffloaderState::jsonName);
  private static final String STATUSES = names(OffloadStatus.values(), OffloadStatus::wireName);
  private static final String JSON_COLUMNS = jsonColumns();

  private static <T> String names(T[] values, Function<T, String> name) {
    List<String> out = new ArrayList<>();
    for (T v : values) {
      out.add(name.apply(v));
    }
    return sqlList(out);
  }

  private static String sqlList(List<String> values) {
    StringBuilder b = new StringBuilder("[");
    for (String v : values) {
      b.append(b.length() == 1 ? "" : ", ").append(str(v));
    }
    return b.append("]::VARCHAR[]").toString();
  }

  private static String str(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static String list(List<Path> files) {
    StringBuilder b = new StringBuilder("[");
    for (Path p : files) {
      b.append(b.length() == 1 ? "" : ", ").append(str(p.toAbsolutePath().toString()));
    }
    return b.append(']').toString();
  }

  private String parquetSource() {
    return "read_parquet(" + list(parquet) + ", union_by_name = true, filename = true)";
  }

  /** The select list: every field cast to its type, or NULL where the source has no such column. */
  private static String projection(java.util.function.Predicate<String> has) {
    StringBuilder b = new StringBuilder();
    for (String[] f : FIELDS) {
      b.append(b.length() == 0 ? "" : ", ");
      if (has.test(f[1])) {
        b.append("CAST(t.").append(f[1]).append(" AS ").append(f[2]).append(')');
      } else {
        b.append("CAST(NULL AS ").append(f[2]).append(')');
      }
      b.append(" AS ").append(f[0]);
    }
    for (String[] f : PRESENT) {
      b.append(", ").append(has.test(f[1]) ? "t." + f[1] + " IS NOT NULL" : "false").append(" AS ").append(f[0]);
    }
    return b.toString();
  }

  /** read_json's columns: the fields' paths as nested structs. */
  private static String jsonColumns() {
    Map<String, Object> tree = new LinkedHashMap<>();
    for (String[] f : FIELDS) {
      String[] path = f[1].split("\\.");
      Map<String, Object> node = tree;
      for (int i = 0; i < path.length - 1; i++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> next = (Map<String, Object>) node.computeIfAbsent(path[i], k -> new LinkedHashMap<>());
        node = next;
      }
      node.put(path[path.length - 1], f[2]);
    }
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, Object> e : tree.entrySet()) {
      b.append(b.length() == 1 ? "" : ", ").append(str(e.getKey())).append(": ").append(str(type(e.getValue())));
    }
    return b.append('}').toString();
  }

  private static String type(Object node) {
    if (node instanceof String) {
      return (String) node;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) node;
    StringBuilder b = new StringBuilder("STRUCT(");
    boolean first = true;
    for (Map.Entry<String, Object> e : m.entrySet()) {
      b.append(first ? "" : ", ").append('"').append(e.getKey()).append("\" ").append(type(e.getValue()));
      first = false;
    }
    return b.append(')').toString();
  }

  /** The dotted paths of every column and struct field of the Parquet files. */
  private Set<String> parquetPaths(Statement st) throws SQLException {
    Set<String> out = new HashSet<>();
    try (ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM " + parquetSource())) {
      while (rs.next()) {
        String name = rs.getString(1);
        out.add(name);
        paths(name, rs.getString(2), out);
      }
    }
    return out;
  }

  static void paths(String prefix, String type, Set<String> out) {
    type = type.trim();
    if (!type.startsWith("STRUCT(") || !type.endsWith(")")) {
      return;
    }
    String inner = type.substring("STRUCT(".length(), type.length() - 1);
    int depth = 0;
    int start = 0;
    for (int i = 0; i <= inner.length(); i++) {
      char ch = i == inner.length() ? ',' : inner.charAt(i);
      if (ch == '(' || ch == '[') {
        depth++;
      } else if (ch == ')' || ch == ']') {
        depth--;
      } else if (ch == ',' && depth == 0) {
        String field = inner.substring(start, i).trim();
        start = i + 1;
        String name;
        String rest;
        if (field.startsWith("\"")) {
          int end = field.indexOf('"', 1);
          name = field.substring(1, end);
          rest = field.substring(end + 1);
        } else {
          int sp = field.indexOf(' ');
          name = field.substring(0, sp);
          rest = field.substring(sp + 1);
        }
        out.add(prefix + "." + name);
        paths(prefix + "." + name, rest, out);
      }
    }
  }

  private static long fileSize(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new StoreException("cannot read " + p + ": " + e.getMessage(), e);
    }
  }
}
