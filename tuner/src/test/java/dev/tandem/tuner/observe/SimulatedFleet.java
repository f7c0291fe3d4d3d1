package dev.tandem.tuner.observe;

import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.EdgeResult;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.signal.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * A seeded fleet with known truth: devices on network types and device classes, an edge model whose
 * accuracy at confidence c is known ({@link #edgeAccuracy}), a cloud of known accuracy, the real
 * {@link Policy#decide} routing every decision, fallbacks at known rates per network, labels for a
 * known fraction. A device has its own confidence offset and latency scale, so its records are
 * correlated as on a real fleet. Faults are injected per day and segment.
 */
public final class SimulatedFleet {
  public static final String EDGE_HASH = "ab".repeat(32);
  static final NetworkType[] NETWORKS = {NetworkType.WIFI, NetworkType.CELL_4G, NetworkType.CELL_5G, NetworkType.CELL_3G};
  static final double[] NETWORK_SHARE = {0.45, 0.3, 0.15, 0.1};
  static final double[] FALLBACK = {0.01, 0.03, 0.02, 0.08};
  static final double[] RTT_MEDIAN = {45, 90, 60, 180};
  static final String[] CLASSES = {"high", "mid", "low"};
  static final double[] EDGE_MS = {4, 8, 16};

  private long seed = 1;
  private int devices = 60;
  private int days = 8;
  private int perDeviceDay = 40;
  private LocalDate start = LocalDate.of(2026, 11, 20);
  private double cloudAccuracy = 0.95;
  private double labelFraction = 0.5;
  private IntFunction<Policy> policyOfDay = d -> defaultPolicy(1, 0.8, 0.05);
  private final List<Fault> faults = new ArrayList<>();
  private boolean keepRecords = true;

  /** A fault on one day, in the segment matching network and device class (null = any). */
  public record Fault(int day, String network, String deviceClass, double edgeAccuracyDrop, double confidenceShift) {}

  public static Policy defaultPolicy(long version, double threshold, double exploration) {
    return Policy.fromJson("{\"schema\":1,\"version\":" + version + ",\"model\":\"tiny\",\"edge_model_hash\":\""
        + EDGE_HASH + "\",\"mode\":\"cascade\",\"threshold\":" + threshold + ",\"deadline_ms\":300,"
        + "\"exploration\":{\"rate\":" + exploration + ",\"kind\":\"shadow\"},"
        + "\"round_trip\":{\"deadline_risk\":false}}");
  }

  public SimulatedFleet seed(long v) { seed = v; return this; }
  public SimulatedFleet devices(int v) { devices = v; return this; }
  public SimulatedFleet days(int v) { days = v; return this; }
  public SimulatedFleet perDeviceDay(int v) { perDeviceDay = v; return this; }
  public SimulatedFleet start(LocalDate v) { start = v; return this; }
  public SimulatedFleet labelFraction(double v) { labelFraction = v; return this; }
  public SimulatedFleet policyOfDay(IntFunction<Policy> v) { policyOfDay = v; return this; }
  public SimulatedFleet fault(Fault f) { faults.add(f); return this; }
  /** Only the rows, not the records (faster, less memory). */
  public SimulatedFleet rowsOnly() { keepRecords = false; return this; }

  public LocalDate start() { return start; }
  public int days() { return days; }

  /** The edge's probability of being right at top-1 probability c (slightly over-confident). */
  public static double edgeAccuracy(double c) {
    return Math.max(0, Math.min(1, 0.05 + 0.92 * c));
  }

  /** The generated records, per receive day. */
  public record Output(Map<LocalDate, List<Record>> byDate, List<DecisionRow> rows) {}

  public Output generate() {
    SplittableRandom rnd = new SplittableRandom(seed);
    Map<LocalDate, List<Record>> byDate = new HashMap<>();
    List<DecisionRow> rows = new ArrayList<>();
    Policy[] policies = new Policy[days];
    for (int day = 0; day < days; day++) {
      policies[day] = policyOfDay.apply(day);
    }
    for (int dev = 0; dev < devices; dev++) {
      String id = "dev-" + dev;
      int net = pick(rnd, NETWORK_SHARE);
      int cls = rnd.nextInt(CLASSES.length);
      double confOffset = 0.04 * gaussian(rnd);
      double latencyScale = Math.exp(0.15 * gaussian(rnd));
      long seq = 1;
      for (int day = 0; day < days; day++) {
        LocalDate date = start.plusDays(day);
        Policy policy = policies[day];
        double accDrop = 0;
        double shift = 0;
        for (Fault f : faults) {
          if (f.day() == day && (f.network() == null || f.network().equals(NETWORKS[net].jsonName()))
              && (f.deviceClass() == null || f.deviceClass().equals(CLASSES[cls]))) {
            accDrop += f.edgeAccuracyDrop();
            shift += f.confidenceShift();
          }
        }
        List<Record> out = keepRecords ? byDate.computeIfAbsent(date, k -> new ArrayList<>()) : null;
        for (int i = 0; i < perDeviceDay; i++) {
          long t = date.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli() + i * 60_000L + dev;
          double u = beta(rnd, 5, 1.6);
          double c = Math.max(0.34, Math.min(0.999, 0.34 + 0.66 * u + confOffset - shift));
          int truth = rnd.nextInt(3);
          boolean edgeRight = rnd.nextDouble() < edgeAccuracy(c) - accDrop;
          int edgePred = edgeRight ? truth : (truth + 1 + rnd.nextInt(2)) % 3;
          boolean cloudRight = rnd.nextDouble() < cloudAccuracy;
          int cloudPred = cloudRight ? truth : (truth + 1 + rnd.nextInt(2)) % 3;
          float[] p = new float[3];
          p[edgePred] = (float) c;
          double rest = 1 - c;
          double split = 0.5 + 0.45 * rnd.nextDouble();
          p[(edgePred + 1) % 3] = (float) (rest * split);
          p[(edgePred + 2) % 3] = (float) (rest * (1 - split));
          Signals signals = Signals.fromProbabilities(p);
          DeviceState state = DeviceState.builder().networkType(NETWORKS[net])
              .metered(NETWORKS[net] != NetworkType.WIFI).deviceClass(CLASSES[cls]).build();
          double expected = 5e-5 + 1.0e-8;
          DecisionContext ctx = DecisionContext.builder().policyVersion(policy.version())
              .edgeModelHash(EDGE_HASH).signals(signals).device(state).payloadBytes(64)
              .expectedOffloadUsd(expected).draw(rnd.nextDouble()).build();
          RouteDecision decided = policy.decide(ctx);
          double edgeMs = EDGE_MS[cls] * latencyScale * Math.exp(0.25 * gaussian(rnd));
          double rtt = RTT_MEDIAN[net] * latencyScale * Math.exp(0.35 * gaussian(rnd));
          double joules = edgeMs * 0.002;
          if (!keepRecords) {
            rows.add(fastRow(id, seq, date, t, policy, net, cls, decided, signals, edgePred, cloudPred, truth,
                edgeMs, rtt, joules, rnd));
            seq += 2;
            continue;
          }
          DecisionRecord.Builder b = DecisionRecord.builder().device(id).seq(seq).timeMs(t).fleet("sim")
              .model("tiny").decided(decided).context(ctx)
              .edge(EdgeResult.of(signals, edgeMs, "cpu"));
          AmendmentRecord late = null;
          boolean askCloud = decided.route() == Route.CLOUD || decided.route() == Route.SHADOW;
          if (askCloud) {
            boolean fails = rnd.nextDouble() < FALLBACK[net];
            CloudResult cr = fails
                ? CloudResult.of(OffloadStatus.TIMEOUT, "no reply", -1, -1, policy.deadlineMs(), "", "", -1, -1, -1)
                : CloudResult.of(OffloadStatus.OK, "", cloudPred, rtt, policy.deadlineMs(), "relay-1", "1", 0.5, 1.0, 1);
            b.cloud(cr).bytes(64, fails ? 0 : 88)
                .cost(Cost.of(joules, joules * 1e-6, 152 * 1e-9 * 0.1, 5e-5));
            if (decided.route() == Route.CLOUD) {
              if (fails) {
                b.outcome(Route.EDGE_FALLBACK, Reason.TIMEOUT).latencyMs(edgeMs + policy.deadlineMs());
              } else {
                b.outcome(Route.CLOUD, decided.reason()).latencyMs(edgeMs + rtt);
              }
            } else {
              b.outcome(Route.SHADOW, decided.reason()).latencyMs(edgeMs);
            }
            if (fails && rnd.nextDouble() < 0.5) {
              seq++;
              late = AmendmentRecord.lateReply(id, seq, t + 1000, id + ":" + (seq - 1),
                  CloudResult.of(OffloadStatus.OK, "", cloudPred, policy.deadlineMs() + rtt, -1, "relay-1", "1", 0, 1, 1),
                  88);
            }
          } else {
            b.outcome(decided.route(), decided.reason()).bytes(0, 0).latencyMs(edgeMs)
                .cost(Cost.of(joules, joules * 1e-6, 0, 0));
          }
          DecisionRecord d = b.build();
          out.add(d);
          long decisionSeq = d.seq();
          seq++;
          if (late != null) {
            out.add(late);
          }
          AmendmentRecord label = null;
          if (rnd.nextDouble() < labelFraction) {
            label = AmendmentRecord.label(id, seq, t + 2000, id + ":" + decisionSeq, truth);
            out.add(label);
            seq++;
          }
          rows.add(DecisionRow.of(d, date, late, label));
        }
      }
    }
    return new Output(byDate, rows);
  }

  /**
   * The row {@link DecisionRow#of} would make of the record {@link #generate} builds, without
   * building the record; the same random numbers are drawn in the same order.
   */
  private DecisionRow fastRow(String id, long seq, LocalDate date, long t, Policy policy, int net, int cls,
      RouteDecision decided, Signals signals, int edgePred, int cloudPred, int truth, double edgeMs, double rtt,
      double joules, SplittableRandom rnd) {
    String route = decided.route().jsonName();
    String reason = decided.reason().jsonName();
    int cloud = -1;
    String status = "";
    double offloadUsd = 0;
    double latency = edgeMs;
    double roundTrip = -1;
    if (decided.route() == Route.CLOUD || decided.route() == Route.SHADOW) {
      boolean fails = rnd.nextDouble() < FALLBACK[net];
      status = fails ? "timeout" : "ok";
      offloadUsd = 152 * 1e-9 * 0.1 + 5e-5;
      if (!fails) {
        cloud = cloudPred;
        roundTrip = rtt;
      }
      if (decided.route() == Route.CLOUD) {
        if (fails) {
          route = Route.EDGE_FALLBACK.jsonName();
          reason = Reason.TIMEOUT.jsonName();
          latency = edgeMs + policy.deadlineMs();
        } else {
          latency = edgeMs + rtt;
        }
      }
      if (fails && rnd.nextDouble() < 0.5) {
        cloud = cloudPred;
      }
    }
    int label = rnd.nextDouble() < labelFraction ? truth : -1;
    return new DecisionRow(id, seq, date, t, policy.version(), EDGE_HASH, NETWORKS[net].jsonName(), CLASSES[cls],
        route, decided.route().jsonName(), reason, decided.explored(), decided.propensity(), signals.maxProb(),
        signals.margin(), signals.entropy(), edgePred, cloud, status, label, joules * 1e-6, offloadUsd, latency,
        edgeMs, roundTrip);
  }

  /** Writes the records in the collector's store layout, one batch file per device and day. */
  public static void writeStore(Output o, Path store) {
    try {
      for (var e : o.byDate().entrySet()) {
        Map<String, StringBuilder> perDevice = new HashMap<>();
        for (Record r : e.getValue()) {
          perDevice.computeIfAbsent(r.device(), k -> new StringBuilder()).append(RecordCodec.encode(r)).append('\n');
        }
        for (var d : perDevice.entrySet()) {
          Path dir = store.resolve("records").resolve("date=" + e.getKey()).resolve(d.getKey());
          Files.createDirectories(dir);
          Files.writeString(dir.resolve("b-" + e.getKey() + ".jsonl"), d.getValue(), StandardCharsets.UTF_8);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int pick(SplittableRandom rnd, double[] shares) {
    double u = rnd.nextDouble();
    for (int i = 0; i < shares.length; i++) {
      u -= shares[i];
      if (u < 0) {
        return i;
      }
    }
    return shares.length - 1;
  }

  static double gaussian(SplittableRandom rnd) {
    double u1 = Math.max(1e-300, rnd.nextDouble());
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rnd.nextDouble());
  }

  private static double beta(SplittableRandom rnd, double a, double b) {
    double x = gamma(rnd, a);
    return x / (x + gamma(rnd, b));
  }

  private static double gamma(SplittableRandom rnd, double k) {
    if (k < 1) {
      return gamma(rnd, k + 1) * Math.pow(rnd.nextDouble(), 1 / k);
    }
    double d = k - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = gaussian(rnd);
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = rnd.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }
}
