package dev.tandem.agent.simulate;

import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a fleet did, gathered from every record its devices wrote (as they are spooled) and from
 * the device loops: decisions by route, fallbacks by reason, latency per network and device
 * profile, cost, and errors. Thread-safe; {@link #summary} renders the end-of-run table.
 */
public final class FleetStats {
  private final LongAdder decisions = new LongAdder();
  private final LongAdder amendments = new LongAdder();
  private final LongAdder relayReplies = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder feedback = new LongAdder();
  private final Map<Route, LongAdder> routes = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> fallbackReasons = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> errorKinds = new ConcurrentHashMap<>();
  private final Map<String, Group> byNetwork = new ConcurrentHashMap<>();
  private final Map<String, Group> byDevice = new ConcurrentHashMap<>();
  private final Group all = new Group();
  private final Map<Long, LongAdder> policyVersions = new ConcurrentHashMap<>();
  /** Per decision id: {answered class, edge class, cloud class or -1}; the cloud's may come later (shadow, late reply). */
  private final Map<String, int[]> predictions = new ConcurrentHashMap<>();
  /** Per decision id: the true class the data set gave. */
  private final Map<String, Integer> truths = new ConcurrentHashMap<>();

  /** How often the answers, the edge alone and the cloud were right on the decisions with a known label. */
  public static final class Accuracy {
    private final long labelled;
    private final long answeredRight;
    private final long edgeRight;
    private final long cloudAsked;
    private final long cloudRight;
    private final long edgeRan;

    Accuracy(long labelled, long answeredRight, long edgeRan, long edgeRight, long cloudAsked, long cloudRight) {
      this.labelled = labelled;
      this.edgeRan = edgeRan;
      this.answeredRight = answeredRight;
      this.edgeRight = edgeRight;
      this.cloudAsked = cloudAsked;
      this.cloudRight = cloudRight;
    }

    /** Decisions whose true label is known. */
    public long labelled() {
      return labelled;
    }

    /** Share of labelled decisions answered right (the route's answer), NaN when none. */
    public double answered() {
      return ratio(answeredRight, labelled);
    }

    /** Share of labelled decisions that ran the edge model which it alone got right, NaN when none. */
    public double edgeOnly() {
      return ratio(edgeRight, edgeRan);
    }

    /** Labelled decisions that ran the edge model (all of them in a cascade; none in cloud-only mode). */
    public long edgeRan() {
      return edgeRan;
    }

    /** Labelled decisions with a cloud answer (cloud, shadow, or a late reply). */
    public long cloudAnswered() {
      return cloudAsked;
    }

    /** Share of those the cloud got right, NaN when none. */
    public double cloud() {
      return ratio(cloudRight, cloudAsked);
    }

    public long answeredRight() {
      return answeredRight;
    }

    public long edgeRight() {
      return edgeRight;
    }

    public long cloudRight() {
      return cloudRight;
    }

    private static double ratio(long k, long n) {
      return n == 0 ? Double.NaN : k / (double) n;
    }
  }

  /** Latency samples and totals of one profile. */
  static final class Group {
    final AtomicLong devices = new AtomicLong();
    final LongAdder decisions = new LongAdder();
    final LongAdder cloud = new LongAdder();
    final LongAdder fallbacks = new LongAdder();
    private final List<Double> latencies = new ArrayList<>();
    private double usd;
    private double edgeUsd;
    private double joules;
    private long offloads;
    private long offloadBytes;

    synchronized void add(DecisionRecord r) {
      latencies.add(r.latencyMs());
      usd += r.cost().totalUsd();
      edgeUsd += r.cost().edgeUsd();
      joules += r.cost().edgeJoules();
      if (r.bytesUp() > 0) {
        offloads++;
        offloadBytes += r.bytesUp() + Math.max(0, r.bytesDown());
      }
    }

    synchronized Totals totals() {
      double[] lat = sortedLatencies();
      return new Totals(devices.get(), decisions.sum(), cloud.sum(), fallbacks.sum(), percentile(lat, 50),
          percentile(lat, 95), usd, edgeUsd, joules, offloads, offloadBytes);
    }

    synchronized double[] sortedLatencies() {
      double[] a = new double[latencies.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = latencies.get(i);
      }
      Arrays.sort(a);
      return a;
    }

    synchronized double usd() {
      return usd;
    }

    synchronized double joules() {
      return joules;
    }
  }

  /** What one profile's devices did, at one moment. */
  public static final class Totals {
    private final long devices;
    private final long decisions;
    private final long cloud;
    private final long fallbacks;
    private final double p50Ms;
    private final double p95Ms;
    private final double usd;
    private final double edgeUsd;
    private final double joules;
    private final long offloads;
    private final long offloadBytes;

    Totals(long devices, long decisions, long cloud, long fallbacks, double p50Ms, double p95Ms, double usd,
        double edgeUsd, double joules, long offloads, long offloadBytes) {
      this.devices = devices;
      this.decisions = decisions;
      this.cloud = cloud;
      this.fallbacks = fallbacks;
      this.p50Ms = p50Ms;
      this.p95Ms = p95Ms;
      this.usd = usd;
      this.edgeUsd = edgeUsd;
      this.joules = joules;
      this.offloads = offloads;
      this.offloadBytes = offloadBytes;
    }

    public long devices() {
      return devices;
    }

    public long decisions() {
      return decisions;
    }

    /** Decisions answered by the cloud (route {@code cloud}). */
    public long cloud() {
      return cloud;
    }

    public long fallbacks() {
      return fallbacks;
    }

    /** End-to-end latency percentiles (nearest rank), NaN without decisions. */
    public double p50Ms() {
      return p50Ms;
    }

    public double p95Ms() {
      return p95Ms;
    }

    /** The records' total cost. */
    public double usd() {
      return usd;
    }

    /** The edge's share of it (energy at the device's price). */
    public double edgeUsd() {
      return edgeUsd;
    }

    public double joules() {
      return joules;
    }

    /** Decisions that sent the cloud a request (any route), and their bytes up and down. */
    public long offloads() {
      return offloads;
    }

    public long offloadBytes() {
      return offloadBytes;
    }
  }

  /** Totals of the decisions made on one network profile, or empty totals when none. */
  public Totals network(String profile) {
    Group g = byNetwork.get(profile);
    return (g == null ? new Group() : g).totals();
  }

  /** The network profiles seen, sorted. */
  public List<String> networks() {
    List<String> names = new ArrayList<>(byNetwork.keySet());
    Collections.sort(names);
    return names;
  }

  /** Totals over all decisions. */
  public Totals total() {
    return all.totals();
  }

  /** Registers a device, so profile rows count devices even when they decided nothing. */
  void device(String networkProfile, String deviceProfile) {
    byNetwork.computeIfAbsent(networkProfile, k -> new Group()).devices.incrementAndGet();
    byDevice.computeIfAbsent(deviceProfile, k -> new Group()).devices.incrementAndGet();
    all.devices.incrementAndGet();
  }

  /** Counts a record a device of these profiles wrote. Fast; called on the recording thread. */
  void record(Record r, String networkProfile, String deviceProfile) {
    if (r instanceof AmendmentRecord) {
      amendments.increment();
      AmendmentRecord a = (AmendmentRecord) r;
      if (a.type() == AmendmentRecord.Type.LATE_REPLY && a.cloud().isPresent()
          && a.cloud().get().status() == OffloadStatus.OK) {
        int cloudClass = a.cloud().get().prediction();
        predictions.compute(a.decisionId(), (k, v) -> v == null ? new int[] {-1, -1, cloudClass}
            : new int[] {v[0], v[1], cloudClass});
      }
      return;
    }
    if (!(r instanceof DecisionRecord)) {
      return;
    }
    DecisionRecord d = (DecisionRecord) r;
    decisions.increment();
    policyVersions.computeIfAbsent(d.policyVersion(), k -> new LongAdder()).increment();
    int cloudClass = d.cloud().isPresent() && d.cloud().get().status() == OffloadStatus.OK
        ? d.cloud().get().prediction() : -1;
    int edgeClass = d.edge().isPresent() ? d.edge().get().prediction() : -1;
    int answered = d.prediction();
    predictions.compute(Record.id(d.device(), d.seq()), (k, v) -> new int[] {answered, edgeClass,
        v != null && v[2] >= 0 ? v[2] : cloudClass});
    routes.computeIfAbsent(d.route(), k -> new LongAdder()).increment();
    boolean fallback = d.route() == Route.EDGE_FALLBACK;
    if (fallback) {
      fallbackReasons.computeIfAbsent(d.reason().jsonName(), k -> new LongAdder()).increment();
    }
    if (d.cloud().isPresent()) {
      CloudResult c = d.cloud().get();
      if (c.status().fromRelay()) {
        relayReplies.increment();
      }
    }
    boolean cloudAnswer = d.route() == Route.CLOUD;
    for (Group g : new Group[] {byNetwork.computeIfAbsent(networkProfile, k -> new Group()),
        byDevice.computeIfAbsent(deviceProfile, k -> new Group()), all}) {
      g.decisions.increment();
      if (cloudAnswer) {
        g.cloud.increment();
      }
      if (fallback) {
        g.fallbacks.increment();
      }
      g.add(d);
    }
  }

  /** An input a device could not decide (an exception from {@code infer}). */
  void error(Throwable e) {
    errors.increment();
    errorKinds.computeIfAbsent(e.getClass().getSimpleName(), k -> new LongAdder()).increment();
  }

  /** The true class of a decision's input, as the data set gives it. */
  void truth(String decisionId, int label) {
    if (label >= 0) {
      truths.put(decisionId, label);
    }
  }

  /** Accuracy so far over the decisions whose label is known and whose record was written. */
  public Accuracy accuracy() {
    long n = 0;
    long answeredRight = 0;
    long edgeRight = 0;
    long edgeRan = 0;
    long cloudAsked = 0;
    long cloudRight = 0;
    for (Map.Entry<String, Integer> e : truths.entrySet()) {
      int[] p = predictions.get(e.getKey());
      if (p == null || p[0] < 0) {
        continue;
      }
      int label = e.getValue();
      n++;
      answeredRight += p[0] == label ? 1 : 0;
      if (p[1] >= 0) {
        edgeRan++;
        edgeRight += p[1] == label ? 1 : 0;
      }
      if (p[2] >= 0) {
        cloudAsked++;
        cloudRight += p[2] == label ? 1 : 0;
      }
    }
    return new Accuracy(n, answeredRight, edgeRan, edgeRight, cloudAsked, cloudRight);
  }

  /** Decision records by the version of the policy in force when they were made, sorted by version. */
  public Map<Long, Long> decisionsByPolicyVersion() {
    Map<Long, Long> out = new TreeMap<>();
    policyVersions.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  void feedbackSent() {
    feedback.increment();
  }

  /** Decision records written so far. */
  public long decisions() {
    return decisions.sum();
  }

  /** Inputs that failed with an exception. */
  public long errors() {
    return errors.sum();
  }

  /** Decision records whose cloud part came from a relay (any relay status). */
  public long relayReplies() {
    return relayReplies.sum();
  }

  /** Amendment records (labels fed back, late replies). */
  public long amendments() {
    return amendments.sum();
  }

  public long feedback() {
    return feedback.sum();
  }

  /** Decisions with this route. */
  public long route(Route route) {
    LongAdder a = routes.get(route);
    return a == null ? 0 : a.sum();
  }

  /** Fallbacks by reason name, sorted by name. */
  public Map<String, Long> fallbacksByReason() {
    Map<String, Long> out = new TreeMap<>();
    fallbackReasons.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Latency percentile (nearest rank, 0-100) over a network profile's decisions, or NaN if none. */
  public double networkPercentile(String profile, double p) {
    Group g = byNetwork.get(profile);
    return g == null ? Double.NaN : percentile(g.sortedLatencies(), p);
  }

  /** Latency percentile over all decisions, or NaN if none. */
  public double percentile(double p) {
    return percentile(all.sortedLatencies(), p);
  }

  static double percentile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The end-of-run table: totals, routes, fallbacks by reason, then p50/p95/p99 and cost per profile. */
  public String summary(double seconds) {
    StringBuilder sb = new StringBuilder();
    long n = decisions();
    sb.append(String.format(Locale.ROOT, "decisions %d in %.1f s (%.1f/s), errors %d, relay replies %d (%.1f/s),"
        + " feedback labels %d, amendments %d%n", n, seconds, n / seconds, errors(), relayReplies(),
        relayReplies() / seconds, feedback(), amendments()));
    sb.append("routes:");
    for (Route r : Route.values()) {
      sb.append(String.format(Locale.ROOT, "  %s %d (%.1f %%)", r.jsonName(), route(r), n == 0 ? 0.0
          : 100.0 * route(r) / n));
    }
    sb.append(System.lineSeparator());
    Map<String, Long> reasons = fallbacksByReason();
    sb.append("fallbacks by reason:").append(reasons.isEmpty() ? "  none" : "");
    reasons.forEach((k, v) -> sb.append("  ").append(k).append(' ').append(v));
    sb.append(System.lineSeparator());
    Accuracy a = accuracy();
    if (a.labelled() > 0) {
      sb.append(String.format(Locale.ROOT, "accuracy on %d labelled decisions:  answered %s  edge alone %s"
          + "  cloud %s (on the %d it answered)%n", a.labelled(), pct(a.answeredRight(), a.labelled()),
          pct(a.edgeRight(), a.edgeRan()), pct(a.cloudRight(), a.cloudAnswered()), a.cloudAnswered()));
    } else {
      sb.append("accuracy: no labelled decisions").append(System.lineSeparator());
    }
    sb.append("policy versions in force:");
    decisionsByPolicyVersion().forEach((k, v) -> sb.append("  v").append(k).append(' ').append(v));
    sb.append(System.lineSeparator());
    if (errors() > 0) {
      sb.append("errors by kind:");
      new TreeMap<>(errorKinds).forEach((k, v) -> sb.append("  ").append(k).append(' ').append(v.sum()));
      sb.append(System.lineSeparator());
    }
    sb.append(System.lineSeparator());
    table(sb, "network", byNetwork);
    sb.append(System.lineSeparator());
    table(sb, "device", byDevice);
    return sb.toString();
  }

  private void table(StringBuilder sb, String title, Map<String, Group> groups) {
    String fmt = "%-10s %7s %9s %7s %8s %8s %8s %8s %11s %9s%n";
    sb.append(String.format(Locale.ROOT, fmt, title, "devices", "decisions", "cloud", "fallback", "p50 ms",
        "p95 ms", "p99 ms", "cost USD", "edge J"));
    List<String> names = new ArrayList<>(groups.keySet());
    Collections.sort(names);
    for (String name : names) {
      row(sb, fmt, name, groups.get(name));
    }
    row(sb, fmt, "all", all);
  }

  private static void row(StringBuilder sb, String fmt, String name, Group g) {
    double[] lat = g.sortedLatencies();
    sb.append(String.format(Locale.ROOT, fmt, name, g.devices.get(), g.decisions.sum(), g.cloud.sum(),
        g.fallbacks.sum(), ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99)),
        String.format(Locale.ROOT, "%.6f", g.usd()), String.format(Locale.ROOT, "%.2f", g.joules())));
  }

  /** {@code k/n} as a percentage with its 95 % Wilson interval, or "-" when {@code n} is 0. */
  static String pct(long k, long n) {
    if (n == 0) {
      return "-";
    }
    double[] ci = wilson(k, n);
    return String.format(Locale.ROOT, "%.2f %% [%.2f, %.2f]", 100.0 * k / n, 100 * ci[0], 100 * ci[1]);
  }

  /** The 95 % Wilson score interval of a binomial proportion {@code k/n} (independent trials assumed). */
  public static double[] wilson(long k, long n) {
    if (n == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double z = 1.959964;
    double p = k / (double) n;
    double d = 1 + z * z / n;
    double c = (p + z * z / (2.0 * n)) / d;
    double h = z * Math.sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / d;
    return new double[] {Math.max(0, c - h), Math.min(1, c + h)};
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
  }
}
