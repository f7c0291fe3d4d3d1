package dev.tandem.tuner.store;

import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.record.RecordFormatException;
import java.io.IOException;
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
 * <p>The devices are read in runs of about {@link #RUN_ROWS} records, so DuckDB's memory stays
 * bounded and nothing spills, on a thread of its own, while the caller works on the previous run.
 * A run's JSON-lines files are parsed once, into a temporary table; Parquet columns are read
 * where they lie (the files are in device order, so a run reads only its row groups). The rows
 * are put in device and sequence order here, not by DuckDB, which would sort every column. Every record of a run is checked first (schema
 * version, kind, the fields the tuner needs and their values); a record that fails is named by
 * file and line (JSON lines, from the runtime's {@code RecordCodec}, as the record-by-record
 * reader would) or by file, device and sequence number (Parquet).
 */
final class ColumnScan {
  /** Records per run: a few hundred thousand keep DuckDB's and the heap's share of a run small. */
  static final int RUN_ROWS = 250_000;
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
  /**
   * Whole objects whose presence matters: name, path, and a field every such object has. An
   * object is present when it is not null or that field is not: DuckDB 1.4.1 can read a struct
   * of a Parquet file as null for a whole vector of rows whose fields are there.
   */
  private static final String[][] PRESENT = {
    {"has_signals", "context.signals", "context.signals.max_prob"},
    {"has_edge", "edge", "edge.prediction"},
    {"has_cloud", "cloud", "cloud.status"},
  };

  private static final List<String> ROUTE_NAMES = nameList(Route.values(), Route::jsonName);
  private static final List<String> REASON_NAMES = nameList(Reason.values(), Reason::jsonName);
  private static final List<String> NETWORK_NAMES = nameList(NetworkType.values(), NetworkType::jsonName);
  private static final List<String> OFFLOADER_NAMES = nameList(OffloaderState.values(), OffloaderState::jsonName);
  private static final List<String> STATUS_NAMES = nameList(OffloadStatus.values(), OffloadStatus::wireName);
  private static final String STATUSES = names(OffloadStatus.values(), OffloadStatus::wireName);
  private static final String JSON_COLUMNS = jsonColumns();

  private static final String HINT = StoreReader.NEWER_WRITER_HINT;
  /** A record of a kind or schema this reader does not know, or an amendment it cannot use. */
  private static final String RECORD_CHECK = "schema IS DISTINCT FROM 1 OR kind IS NULL"
      + " OR kind NOT IN ('decision', 'amendment', 'policy_event') OR device IS NULL OR seq IS NULL"
      + " OR (kind = 'amendment' AND (decision_id IS NULL OR type IS NULL OR type NOT IN ('label', 'late_reply')"
      + " OR (type = 'label' AND (label IS NULL OR label < 0 OR label >= 2147483647))"
      + " OR (type = 'late_reply' AND (NOT has_cloud OR " + unknown("c_status", STATUSES)
      + " OR c_prediction IS NULL OR c_prediction < -1 OR c_prediction >= 2147483647))))";
  /** A decision the tuner cannot use (over the columns of one row, prefixed d.). */
  private static final String DECISION_BAD = "(" + ("d." + missing("time_ms", "edge_model_hash", "policy_version",
      "explored", "propensity", "metered", "battery_percent", "charging", "device_class", "payload_bytes",
      "elapsed_ms", "budget_available_usd", "expected_offload_usd", "rt_samples", "rt_ewma_ms", "rt_p95_ms",
      "rt_since_ms", "draw", "edge_usd", "network_usd", "cloud_usd", "latency_ms")).replace(" OR ", " OR d.")
      + " OR d.battery_percent NOT BETWEEN 0 AND 100 OR d.policy_version < 0 OR d.payload_bytes < 0"
      + " OR d.rt_samples < 0 OR NOT (d.draw >= 0 AND d.draw < 1) OR NOT (d.propensity BETWEEN 0 AND 1)"
      + " OR NOT (d.elapsed_ms >= 0) OR isinf(d.elapsed_ms) OR NOT (d.expected_offload_usd >= 0)"
      + " OR isinf(d.expected_offload_usd) OR isnan(d.budget_available_usd) OR isinf(d.budget_available_usd)"
      + " OR d.route IS NULL OR d.d_route IS NULL OR d.reason IS NULL OR d.d_reason IS NULL OR d.network IS NULL"
      + " OR d.offloader IS NULL"
      + " OR (d.has_signals AND (d.s_top1 IS NULL OR d.s_max_prob IS NULL OR d.s_margin IS NULL"
      + " OR d.s_entropy IS NULL OR d.s_top1 < -1 OR d.s_top1 >= 2147483647))"
      + " OR (d.has_edge AND (d.e_prediction IS NULL OR d.e_prediction < -1 OR d.e_prediction >= 2147483647))"
      + " OR (d.has_cloud AND (d.c_status IS NULL OR d.c_prediction IS NULL"
      + " OR d.c_round_trip_ms IS NULL OR d.c_prediction < -1 OR d.c_prediction >= 2147483647)))";
  private static final String DECISION_CHECK = "kind = 'decision' AND " + DECISION_BAD.replace("d.", "");

  private final List<Path> parquet;
  /** Per device, its JSON-lines files with their receive dates. */
  private final TreeMap<String, List<Map.Entry<Path, LocalDate>>> json;
  private final LocalDate from;
  private final LocalDate to;
  private volatile boolean stopped;
  /** Runs handed back by the caller, to be filled again: no garbage of a run's size per run. */
  private final BlockingQueue<DecisionColumns> free = new java.util.concurrent.LinkedBlockingQueue<>();
  /** Time spent, in ns: reading and checking, the decisions' query, fetching its rows, ordering them. */
  final long[] nanos = new long[5];

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
    long start = System.nanoTime();
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
        long t0 = System.nanoTime();
        sink.accept(cols);
        nanos[3] += System.nanoTime() - t0;
        free.offer(cols);
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
    wall = System.nanoTime() - start;
    return decisions;
  }

  private long wall;

  /** Where the time went, for the progress line. */
  String timing() {
    return String.format(java.util.Locale.ROOT, "store: %.1f s checking, %.1f s to the decisions' first row, %.1f s"
        + " fetching them, %.1f s ordering; %.1f s replaying them (while the next ones are read)", nanos[0] / 1e9,
        nanos[1] / 1e9, nanos[2] / 1e9 - nanos[1] / 1e9, nanos[4] / 1e9, nanos[3] / 1e9);
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

  /** Decisions expected in the whole scan (before deduplication and date filtering). */
  private long expected;

  private void produce(Consumer<DecisionColumns> out) throws SQLException {
    try (Connection duck = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = duck.createStatement()) {
      st.execute("SET preserve_insertion_order = false");
      st.execute("SET memory_limit = '384MB'");
      Set<String> parquetPaths = parquet.isEmpty() ? new HashSet<>() : parquetPaths(st);
      // devices and their sizes
      TreeMap<String, Long> size = new TreeMap<>();
      if (!parquet.isEmpty()) {
        try (ResultSet rs = st.executeQuery("SELECT device, count(*), count(*) FILTER (WHERE kind = 'decision') FROM "
            + parquetSource() + " t WHERE device IS NOT NULL GROUP BY device")) {
          while (rs.next()) {
            size.put(rs.getString(1), rs.getLong(2));
            expected += rs.getLong(3);
          }
        }
      }
      for (Map.Entry<String, List<Map.Entry<Path, LocalDate>>> e : json.entrySet()) {
        long bytes = 0;
        for (Map.Entry<Path, LocalDate> f : e.getValue()) {
          bytes += fileSize(f.getKey());
        }
        size.merge(e.getKey(), Math.max(1, bytes / 1000), Long::sum);
        expected += bytes / 1000; // a decision line takes over 1 kB: rather too much room than a regrowth
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
        cols.expectedDecisions = expected;
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
    long t0 = System.nanoTime();
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
    if (!byDate.isEmpty()) {
      // JSON is parsed once per run, into a table the queries below read
      List<String> jsonParts = new ArrayList<>();
      for (Map.Entry<LocalDate, List<Path>> e : byDate.entrySet()) {
        jsonParts.add("SELECT " + projection(p -> true) + ", DATE '" + e.getKey() + "' AS received_date, filename"
            + " FROM read_json(" + list(e.getValue()) + ", format = 'newline_delimited', columns = " + JSON_COLUMNS
            + ", filename = true, hive_partitioning = false) t");
      }
      try {
        st.execute("CREATE OR REPLACE TEMP TABLE json_run AS " + String.join(" UNION ALL ", jsonParts));
      } catch (SQLException e) {
        throw new StoreException("cannot read the store's records of devices " + lo + " .. " + hi + ": "
            + e.getMessage() + HINT, e);
      }
      parts.add("SELECT * FROM json_run");
    }
    String src = "(" + String.join(" UNION ALL BY NAME ", parts) + ")";
    // the distinct values of the run's text columns: each is checked once here, not on every row,
    // and rows carry their position in these lists
    String[] text = {"route", "d_route", "reason", "d_reason", "network", "offloader", "c_status", "device_class",
        "edge_model_hash"};
    List<List<String>> values = new ArrayList<>();
    int capacity;
    StringBuilder q = new StringBuilder("SELECT count(*) FILTER (WHERE kind = 'decision')");
    for (String col : text) {
      q.append(", list(DISTINCT ").append(col).append(") FILTER (WHERE kind = 'decision'")
          .append(col.equals("c_status") ? " AND has_cloud)" : ")");
    }
    // and, in the same pass, records of a kind or schema this reader does not know
    q.append(", count(*) FILTER (WHERE ").append(RECORD_CHECK).append(')');
    boolean unknown;
    try (ResultSet rs = st.executeQuery(q + " FROM " + src)) {
      rs.next();
      capacity = rs.getInt(1);
      unknown = rs.getLong(text.length + 2) > 0;
      for (int x = 0; x < text.length; x++) {
        List<String> v = new ArrayList<>();
        java.sql.Array arr = rs.getArray(x + 2);
        if (arr != null) {
          for (Object o : (Object[]) arr.getArray()) {
            v.add((String) o);
          }
        }
        values.add(v);
      }
    }
    if (unknown) {
      check(st, src, RECORD_CHECK);
    }
    byte[] routeOf = ordinals(st, src, "route", values.get(0), ROUTE_NAMES);
    byte[] decidedRouteOf = ordinals(st, src, "d_route", values.get(1), ROUTE_NAMES);
    ordinals(st, src, "reason", values.get(2), REASON_NAMES);
    byte[] decidedReasonOf = ordinals(st, src, "d_reason", values.get(3), REASON_NAMES);
    byte[] networkOf = ordinals(st, src, "network", values.get(4), NETWORK_NAMES);
    byte[] offloaderOf = ordinals(st, src, "offloader", values.get(5), OFFLOADER_NAMES);
    byte[] statusOf = ordinals(st, src, "c_status", values.get(6), STATUS_NAMES);
    List<String> classes = values.get(7);
    List<String> hashes = values.get(8);
    if (classes.size() >= 4096 || hashes.size() >= 4096) {
      throw new StoreException("devices " + lo + " .. " + hi + " report " + classes.size() + " device classes and "
          + hashes.size() + " edge models: more than this reader handles (4095)");
    }
    long t1 = System.nanoTime();
    nanos[0] += t1 - t0;
    DecisionColumns c = free.poll();
    if (c == null) {
      c = new DecisionColumns(classes, hashes, capacity);
    } else {
      c.reset(classes, hashes, capacity);
    }
    String fromSql = "DATE '" + (from == null ? LocalDate.of(1, 1, 1) : from) + "'";
    String toSql = "DATE '" + (to == null ? LocalDate.of(9999, 12, 31) : to) + "'";
    String amendments = "SELECT device, dseq, arg_max(label, seq) FILTER (WHERE type = 'label') AS label,"
        + " arg_min(CASE WHEN c_status = 'ok' THEN c_prediction ELSE -1 END, seq) FILTER (WHERE type = 'late_reply')"
        + " AS late FROM (SELECT device, TRY_CAST(substr(decision_id, length(device) + 2) AS BIGINT) AS dseq, seq,"
        + " type, label, c_status, c_prediction FROM " + src + " WHERE kind = 'amendment' AND received_date >= "
        + fromSql + " AND starts_with(decision_id, device || ':')) GROUP BY device, dseq";
    // small codes packed into one number: fewer columns to fetch
    String codes = "(list_position(" + sqlList(values.get(0)) + ", d.route) - 1)::BIGINT"
        + " | ((list_position(" + sqlList(values.get(1)) + ", d.d_route) - 1)::BIGINT << 4)"
        + " | ((list_position(" + sqlList(values.get(3)) + ", d.d_reason) - 1)::BIGINT << 8)"
        + " | ((list_position(" + sqlList(values.get(4)) + ", d.network) - 1)::BIGINT << 14)"
        + " | ((list_position(" + sqlList(values.get(5)) + ", d.offloader) - 1)::BIGINT << 18)"
        + " | ((CASE WHEN d.has_cloud THEN list_position(" + sqlList(values.get(6)) + ", d.c_status) ELSE 0 END)"
        + "::BIGINT << 21)"
        + " | (d.explored::BIGINT << 26) | (d.has_signals::BIGINT << 27) | (d.metered::BIGINT << 28)"
        + " | (d.charging::BIGINT << 29) | (d.has_edge::BIGINT << 30)"
        + " | (d.battery_percent::BIGINT << 32)"
        + " | ((list_position(" + sqlList(classes) + ", d.device_class) - 1)::BIGINT << 40)"
        + " | ((list_position(" + sqlList(hashes) + ", d.edge_model_hash) - 1)::BIGINT << 52)";
    String sql = "SELECT v.ix, d.seq, d.received_date - " + fromSql + ", coalesce(" + DECISION_BAD + ", true), "
        + codes + ","
        + " (coalesce(d.s_top1, -1) + 1) | ((coalesce(d.e_prediction, -1) + 1) << 32),"
        + " (coalesce(d.c_prediction, -1) + 1) | ((coalesce(a.late, -1) + 1) << 32), coalesce(a.label, -1),"
        + " d.time_ms, d.policy_version, d.propensity, coalesce(d.s_max_prob, 0), coalesce(d.s_margin, 0),"
        + " coalesce(d.s_entropy, 0), d.payload_bytes, d.elapsed_ms, d.budget_available_usd, d.expected_offload_usd,"
        + " d.rt_samples, d.rt_ewma_ms, d.rt_p95_ms, d.rt_since_ms, d.draw, coalesce(d.c_round_trip_ms, -1),"
        + " d.edge_usd, d.network_usd, d.cloud_usd, d.latency_ms"
        + " FROM " + src + " d JOIN devs v ON v.device = d.device"
        + " LEFT JOIN (" + amendments + ") a ON a.device = d.device AND a.dseq = d.seq"
        + " WHERE d.kind = 'decision' AND d.received_date <= " + toSql;
    int[] ix = new int[capacity];
    long[] day = new long[capacity];
    boolean bad = false;
    int n = 0;
    long t2 = System.nanoTime();
    try (ResultSet rs = st.executeQuery(sql)) {
      long t3 = System.nanoTime();
      nanos[1] += t3 - t2;
      while (rs.next()) {
        int r = n++;
        ix[r] = rs.getInt(1);
        c.seq[r] = rs.getLong(2);
        day[r] = rs.getLong(3);
        bad |= rs.getBoolean(4);
        long k = rs.getLong(5);
        c.route[r] = routeOf[(int) (k & 0xf)];
        c.decidedRoute[r] = decidedRouteOf[(int) ((k >>> 4) & 0xf)];
        c.decidedReason[r] = decidedReasonOf[(int) ((k >>> 8) & 0x3f)];
        c.network[r] = networkOf[(int) ((k >>> 14) & 0xf)];
        c.offloader[r] = offloaderOf[(int) ((k >>> 18) & 0x7)];
        int status = (int) ((k >>> 21) & 0x1f);
        c.cloudStatus[r] = status == 0 ? 0 : (byte) (statusOf[status - 1] + 1);
        c.explored[r] = (k & (1L << 26)) != 0;
        c.hasSignals[r] = (k & (1L << 27)) != 0;
        c.metered[r] = (k & (1L << 28)) != 0;
        c.charging[r] = (k & (1L << 29)) != 0;
        c.hasEdge[r] = (k & (1L << 30)) != 0;
        c.batteryPercent[r] = (int) ((k >>> 32) & 0xff);
        c.deviceClass[r] = (int) ((k >>> 40) & 0xfff);
        c.edgeModelHash[r] = (int) ((k >>> 52) & 0xfff);
        long p1 = rs.getLong(6);
        c.top1[r] = (int) (p1 & 0xffffffffL) - 1;
        c.edgePrediction[r] = (int) (p1 >>> 32) - 1;
        long p2 = rs.getLong(7);
        c.cloudPrediction[r] = (int) (p2 & 0xffffffffL) - 1;
        c.lateReplyPrediction[r] = (int) (p2 >>> 32) - 1;
        c.label[r] = rs.getInt(8);
        c.timeMs[r] = rs.getLong(9);
        c.policyVersion[r] = rs.getLong(10);
        c.propensity[r] = rs.getDouble(11);
        c.maxProb[r] = rs.getDouble(12);
        c.margin[r] = rs.getDouble(13);
        c.entropy[r] = rs.getDouble(14);
        c.payloadBytes[r] = rs.getLong(15);
        c.elapsedMs[r] = rs.getDouble(16);
        c.budgetAvailableUsd[r] = rs.getDouble(17);
        c.expectedOffloadUsd[r] = rs.getDouble(18);
        c.rtSamples[r] = rs.getInt(19);
        c.rtEwmaMs[r] = rs.getDouble(20);
        c.rtP95Ms[r] = rs.getDouble(21);
        c.rtSinceLastAttemptMs[r] = rs.getLong(22);
        c.draw[r] = rs.getDouble(23);
        c.cloudRoundTripMs[r] = rs.getDouble(24);
        c.edgeUsd[r] = rs.getDouble(25);
        c.networkUsd[r] = rs.getDouble(26);
        c.cloudUsd[r] = rs.getDouble(27);
        c.latencyMs[r] = rs.getDouble(28);
      }
    }
    if (bad) {
      check(st, src, DECISION_CHECK);
      throw new StoreException("devices " + lo + " .. " + hi + ": a decision record the tuner cannot use" + HINT);
    }
    long t4 = System.nanoTime();
    nanos[2] += t4 - t2;
    // order by device, sequence number and receive date; keep each decision's first copy, and
    // only decisions first received in the range
    int[] order = sortedRows(n, ix, c.seq, day);
    int device = -1;
    int lastIx = -1;
    long lastSeq = Long.MIN_VALUE;
    int kept = 0;
    for (int p = 0; p < n; p++) {
      int r = order[p];
      if (ix[r] == lastIx && c.seq[r] == lastSeq) {
        continue; // stored again later: it counts on the date first received
      }
      lastIx = ix[r];
      lastSeq = c.seq[r];
      if (day[r] < 0) {
        continue; // first received before the range
      }
      if (ix[r] != device) {
        if (device >= 0) {
          c.endDevice(kept);
        }
        device = ix[r];
        c.beginDevice(devices.get(device), kept);
      }
      order[kept++] = r;
    }
    if (device >= 0) {
      c.endDevice(kept);
    }
    c.order = order;
    c.rows = kept;
    nanos[4] += System.nanoTime() - t4;
    return c;
  }

  /** Row numbers sorted by (device, seq, receive day); a stable merge sort on primitives. */
  static int[] sortedRows(int n, int[] ix, long[] seq, long[] day) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    int[] b = new int[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n; lo += 2 * width) {
        int mid = Math.min(n, lo + width);
        int hi = Math.min(n, lo + 2 * width);
        int i = lo;
        int j = mid;
        int k = lo;
        if (mid >= hi || !less(a[mid], a[mid - 1], ix, seq, day)) {
          System.arraycopy(a, lo, b, lo, hi - lo); // already in order
          continue;
        }
        while (i < mid && j < hi) {
          b[k++] = less(a[j], a[i], ix, seq, day) ? a[j++] : a[i++];
        }
        while (i < mid) {
          b[k++] = a[i++];
        }
        while (j < hi) {
          b[k++] = a[j++];
        }
      }
      int[] t = a;
      a = b;
      b = t;
    }
    return a;
  }

  private static boolean less(int p, int q, int[] ix, long[] seq, long[] day) {
    if (ix[p] != ix[q]) {
      return ix[p] < ix[q];
    }
    if (seq[p] != seq[q]) {
      return seq[p] < seq[q];
    }
    return day[p] < day[q];
  }

  // ---- checks

  /** Fails on the first record of {@code src} matching {@code bad}, naming it. */
  private void check(Statement st, String src, String bad) throws SQLException {
    String file;
    String device;
    long seq;
    try (ResultSet rs = st.executeQuery("SELECT filename, device, seq FROM " + src + " WHERE " + bad
        + " LIMIT 1")) {
      if (!rs.next()) {
        return;
      }
      file = rs.getString(1);
      device = rs.getString(2);
      seq = rs.getLong(3);
    }
    if (file.endsWith(".parquet")) {
      String why = "a record the tuner cannot use (a missing field or an unknown value)";
      try (ResultSet rs = st.executeQuery("SELECT to_json(t) FROM read_parquet(" + str(file)
          + ") t WHERE device = " + str(device) + " AND seq = " + seq + " LIMIT 1")) {
        if (rs.next()) {
          RecordCodec.decode(StoreReader.withoutNulls(rs.getString(1), "date", "filename"));
        }
      } catch (RecordFormatException e) {
        why = e.getMessage();
      }
      throw new StoreException(file + ", device " + device + ", seq " + seq + ": " + why + HINT);
    }
    StoreReader.forEachRecord(Path.of(file), rec -> { }); // names the first line that is not a record
    throw new StoreException(file + ": record " + device + ":" + seq + " lacks a field the tuner needs or has a value"
        + " it does not know" + HINT);
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



  // ---- SQL pieces

  private static <T> List<String> nameList(T[] values, Function<T, String> name) {
    List<String> out = new ArrayList<>();
    for (T v : values) {
      out.add(name.apply(v));
    }
    return out;
  }

  /**
   * The ordinal of each of a column's distinct values among the names the runtime knows.
   *
   * @throws StoreException naming the first record with a value it does not know
   */
  private byte[] ordinals(Statement st, String src, String column, List<String> distinct, List<String> known)
      throws SQLException {
    byte[] out = new byte[distinct.size()];
    for (int i = 0; i < distinct.size(); i++) {
      int o = known.indexOf(distinct.get(i));
      if (o < 0) {
        check(st, src, "kind = 'decision' AND " + column + " = " + str(distinct.get(i)));
        throw new StoreException("a decision record has " + column + " '" + distinct.get(i) + "', which this reader"
            + " does not know" + HINT);
      }
      out[i] = (byte) o;
    }
    return out;
  }

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
      b.append(", ").append(has.test(f[1]) ? "(t." + f[1] + " IS NOT NULL" + (has.test(f[2]) ? " OR t." + f[2]
          + " IS NOT NULL)" : ")") : "false").append(" AS ").append(f[0]);
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
