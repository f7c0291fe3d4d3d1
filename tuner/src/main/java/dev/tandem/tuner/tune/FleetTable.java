package dev.tandem.tuner.tune;

import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.Mode;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.RoundTripSnapshot;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.tuner.store.DecisionColumns;
import dev.tandem.tuner.store.DeviceLog;
import dev.tandem.tuner.store.LoggedDecision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The decisions the tuner works on, as compact columns (57 bytes a decision, room reserved for
 * the decisions the store is expected to hold; the records themselves are read a run of devices
 * at a time and dropped). Rows are grouped by device in sequence order.
 *
 * <p>For each decision it keeps, besides what was logged, the replay of two variants of the
 * candidate policy with the runtime's own {@link Policy#decide}: the route if the candidate's
 * threshold calls the input <em>not confident</em> ({@link #low}: the cloud base, through every
 * rule that can forbid asking) and if it calls it <em>confident</em> ({@link #high}: the edge
 * base with the policy's exploration). A threshold candidate's route on a decision is one of the
 * two, chosen by comparing the decision's signal with the threshold, so the whole threshold grid
 * is evaluated without another call to {@code decide}. The cost budget (a rule with memory) is
 * replayed with the budget lifted here and re-applied per candidate in sequence order
 * ({@link Estimator}); the round-trip state is taken as recorded, and bucketed
 * ({@link #roundTripState}) for the fallback prediction.
 */
final class FleetTable {
  /** Route codes of {@link #low}, {@link #high} and {@link #logAsk}. */
  static final byte NONE = 0;
  static final byte LIVE = 1;
  static final byte SHADOW = 2;
  /** Round-trip state: the estimator had no sample yet. */
  static final byte RT_NO_SAMPLES = 0;
  /**
   * Upper bounds of the other round-trip states: recent p95 under 50 % of the time left before
   * the deadline, under 80 %, and the rest.
   */
  static final double[] RT_BOUNDS = {0.5, 0.8};
  /** Names of the round-trip states, by code. */
  static final String[] RT_NAMES = {"no_samples", "p95<50%", "p95 50-80%", "p95>=80%"};

  final SignalKind signal;
  int rows;
  int devices;
  final List<String> deviceIds = new ArrayList<>();
  int[] deviceStart = new int[16];
  /** The signal oriented so that higher is more confident (entropy negated). */
  float[] z = new float[1024];
  byte[] net = new byte[1024];
  byte[] cls = new byte[1024];
  /** The round-trip state ({@link #roundTripState}). */
  byte[] rtState = new byte[1024];
  byte[] low = new byte[1024];
  byte[] high = new byte[1024];
  byte[] logAsk = new byte[1024];
  /** 1: the logged request's answer came in time; 0: no request; 2: a request without one. */
  byte[] status = new byte[1024];
  byte[] fallbackReason = new byte[1024];
  boolean[] explored = new boolean[1024];
  float[] propensity = new float[1024];
  short[] edgePred = new short[1024];
  short[] cloudInTime = new short[1024];
  short[] cloudAny = new short[1024];
  short[] label = new short[1024];
  float[] edgeUsd = new float[1024];
  float[] askUsd = new float[1024];
  float[] expectedOffloadUsd = new float[1024];
  float[] latencyMs = new float[1024];
  float[] edgeAnswerMs = new float[1024];
  float[] roundTripMs = new float[1024];
  long[] timeMs = new long[1024];

  final List<String> networks = new ArrayList<>();
  final List<String> classes = new ArrayList<>();
  final List<String> fallbackReasons = new ArrayList<>();
  long identityChecked;
  long identityMismatches;
  final List<String> identityExamples = new ArrayList<>();
  long skippedNoSignal;
  long skippedOtherModel;
  final Map<Long, Long> decisionsByVersion = new LinkedHashMap<>();
  final Map<String, Long> decisionsByEdgeModel = new LinkedHashMap<>();

  private final Policy base;
  private final LongFunction<Policy> logging;
  private final Map<Long, Policy[]> variants = new HashMap<>();
  private long lastVersion = Long.MIN_VALUE;
  private Policy lastLogged;
  private Policy[] lastVariants;

  /**
   * @param base the policy whose threshold is tuned (its rules, exploration and segments apply to
   *     every candidate)
   * @param logging the policy of each logged version (for the replay identity); null when unknown
   */
  FleetTable(Policy base, SignalKind signal, LongFunction<Policy> logging) {
    this.base = base;
    this.signal = signal;
    this.logging = logging;
  }

  /** Adds one device's decisions. */
  void add(DeviceLog log) {
    int start = rows;
    for (LoggedDecision ld : log.decisions()) {
      DecisionRecord r = ld.record();
      if (!r.context().signals().isPresent() || !r.edge().isPresent()) {
        skippedNoSignal++;
        continue;
      }
      CloudResult c = r.cloud().orElse(null);
      int late = ld.lateReply().filter(l -> l.status() == OffloadStatus.OK).map(CloudResult::prediction).orElse(-1);
      add(r::id, r.context(), r.decided(), r.route(), r.edge().get().prediction(), c == null ? null : c.status(),
          c == null ? -1 : c.prediction(), c == null ? -1 : c.roundTripMs(), late, ld.label(), r.cost().edgeUsd(),
          r.cost().networkUsd() + r.cost().cloudUsd(), r.latencyMs(), r.timeMs());
    }
    endDevice(start, log.device());
  }

  /** Adds the decisions of whole devices, read column by column. */
  void add(DecisionColumns cols) {
    if (rows == 0) {
      reserve((int) Math.min(Integer.MAX_VALUE - 8, Math.max(cols.rows(), cols.expectedDecisions())));
    }
    for (int d = 0; d < cols.devices().size(); d++) {
      int start = rows;
      for (int i = cols.deviceStart(d); i < cols.deviceEnd(d); i++) {
        if (!cols.hasEdge(i)) {
          skippedNoSignal++;
          continue;
        }
        int dev = d;
        int row = i;
        add(() -> cols.id(dev, row), cols.context(i), cols.decided(i), cols.route(i), cols.edgePrediction(i),
            cols.cloudStatus(i), cols.cloudPrediction(i), cols.cloudRoundTripMs(i), cols.lateReplyPrediction(i),
            cols.label(i), cols.edgeUsd(i), cols.networkUsd(i) + cols.cloudUsd(i), cols.latencyMs(i), cols.timeMs(i));
      }
      endDevice(start, cols.devices().get(d));
    }
  }

  /**
   * Adds one decision with signals.
   *
   * @param status the request's status, null when none was sent
   * @param latePrediction the answer of an ok late reply, else -1
   */
  private void add(Supplier<String> id, DecisionContext ctx, RouteDecision decided, Route route, int edgePrediction,
      OffloadStatus status, int cloudPrediction, double cloudRoundTripMs, int latePrediction, int labelled,
      double edgeCostUsd, double askCostUsd, double latency, long time) {
    String hash = ctx.edgeModelHash();
    decisionsByEdgeModel.merge(hash, 1L, Long::sum);
    if (!base.edgeModelHash().isEmpty() && !base.edgeModelHash().equals(hash)) {
      skippedOtherModel++;
      return;
    }
    long version = ctx.policyVersion();
    decisionsByVersion.merge(version, 1L, Long::sum);
    if (version != lastVersion) {
      lastVersion = version;
      lastLogged = logging.apply(version);
      lastVariants = variants(version);
    }
    Policy logged = lastLogged;
    if (logged != null) {
      identityChecked++;
      RouteDecision again = logged.decide(ctx);
      if (!again.equals(decided)) {
        identityMismatches++;
        if (identityExamples.size() < 5) {
          identityExamples.add(id.get() + ": recorded " + decided + ", replayed " + again);
        }
      }
    }
    grow();
    int i = rows++;
    double v = ctx.signals().get().value(signal);
    z[i] = (float) (signal.higherIsConfident() ? v : -v);
    net[i] = index(networks, ctx.device().networkType().jsonName());
    cls[i] = index(classes, ctx.device().deviceClass());
    rtState[i] = roundTripState(ctx);
    Policy[] var = lastVariants;
    DecisionContext unlimited = base.hasCostBudget()
        ? ctx.toBuilder().budgetAvailableUsd(Double.MAX_VALUE).build() : ctx;
    low[i] = code(var[0].decide(unlimited).route());
    high[i] = code(var[1].decide(unlimited).route());
    Route asked = decided.route();
    logAsk[i] = code(asked);
    explored[i] = decided.explored();
    propensity[i] = (float) decided.propensity();
    edgePred[i] = (short) edgePrediction;
    boolean inTime = status == OffloadStatus.OK && cloudPrediction >= 0;
    this.status[i] = status == null ? 0 : inTime ? (byte) 1 : (byte) 2;
    fallbackReason[i] = this.status[i] == 2 ? index(fallbackReasons, status.wireName()) : -1;
    cloudInTime[i] = (short) (inTime ? cloudPrediction : -1);
    cloudAny[i] = (short) (inTime ? cloudPrediction : latePrediction);
    label[i] = (short) labelled;
    edgeUsd[i] = (float) edgeCostUsd;
    askUsd[i] = (float) askCostUsd;
    expectedOffloadUsd[i] = (float) ctx.expectedOffloadUsd();
    latencyMs[i] = (float) latency;
    // the edge's answer is ready when the policy decides
    edgeAnswerMs[i] = (float) (asked == Route.CLOUD || route == Route.EDGE_FALLBACK ? ctx.elapsedMs() : latency);
    roundTripMs[i] = (float) (status == null ? -1 : cloudRoundTripMs);
    timeMs[i] = time;
  }

  /**
   * The round-trip state of a decision's context: {@link #RT_NO_SAMPLES} while the estimator has
   * no sample for the network type, else the bucket of its recent p95 relative to the time left
   * before the deadline (the deadline minus the time spent before deciding).
   */
  byte roundTripState(DecisionContext ctx) {
    RoundTripSnapshot rt = ctx.roundTrip();
    if (rt.samples() <= 0 || rt.p95Ms() < 0) {
      return RT_NO_SAMPLES;
    }
    double left = base.deadlineMs() - ctx.elapsedMs();
    double ratio = left > 0 ? rt.p95Ms() / left : Double.POSITIVE_INFINITY;
    for (int s = 0; s < RT_BOUNDS.length; s++) {
      if (ratio < RT_BOUNDS[s]) {
        return (byte) (s + 1);
      }
    }
    return (byte) (RT_BOUNDS.length + 1);
  }

  private void endDevice(int start, String device) {
    if (rows > start) {
      if (devices + 1 >= deviceStart.length) {
        deviceStart = Arrays.copyOf(deviceStart, deviceStart.length * 2);
      }
      deviceStart[devices] = start;
      deviceStart[devices + 1] = rows;
      devices++;
      deviceIds.add(device);
    }
  }

  private Policy[] variants(long version) {
    return variants.computeIfAbsent(version, v -> {
      Policy.Builder b = base.toBuilder().version(v);
      return new Policy[] {b.mode(Mode.CLOUD_ONLY).build(), base.toBuilder().version(v).mode(Mode.EDGE_ONLY).build()};
    });
  }

  static byte code(Route r) {
    return r == Route.CLOUD ? LIVE : r == Route.SHADOW ? SHADOW : NONE;
  }

  private static byte index(List<String> names, String name) {
    int i = names.indexOf(name);
    if (i < 0) {
      names.add(name);
      i = names.size() - 1;
    }
    return (byte) i;
  }

  int deviceStart(int d) {
    return deviceStart[d];
  }

  int deviceEnd(int d) {
    return deviceStart[d + 1];
  }

  private void grow() {
    if (rows < z.length) {
      return;
    }
    // by a quarter: past a reservation, doubling would need twice the heap for a moment
    reserve(z.length < 1 << 20 ? z.length * 2 : z.length + z.length / 4);
  }

  /** Makes room for {@code n} rows in all (no smaller than now). */
  void reserve(int n) {
    if (n <= z.length) {
      return;
    }
    z = Arrays.copyOf(z, n);
    net = Arrays.copyOf(net, n);
    cls = Arrays.copyOf(cls, n);
    rtState = Arrays.copyOf(rtState, n);
    low = Arrays.copyOf(low, n);
    high = Arrays.copyOf(high, n);
    logAsk = Arrays.copyOf(logAsk, n);
    status = Arrays.copyOf(status, n);
    fallbackReason = Arrays.copyOf(fallbackReason, n);
    explored = Arrays.copyOf(explored, n);
    propensity = Arrays.copyOf(propensity, n);
    edgePred = Arrays.copyOf(edgePred, n);
    cloudInTime = Arrays.copyOf(cloudInTime, n);
    cloudAny = Arrays.copyOf(cloudAny, n);
    label = Arrays.copyOf(label, n);
    edgeUsd = Arrays.copyOf(edgeUsd, n);
    askUsd = Arrays.copyOf(askUsd, n);
    expectedOffloadUsd = Arrays.copyOf(expectedOffloadUsd, n);
    latencyMs = Arrays.copyOf(latencyMs, n);
    edgeAnswerMs = Arrays.copyOf(edgeAnswerMs, n);
    roundTripMs = Arrays.copyOf(roundTripMs, n);
    timeMs = Arrays.copyOf(timeMs, n);
  }

  private float[] sortedZ;

  /** The signal ({@link #z}) of the rows that pass {@code f}, sorted; computed once for all rows. */
  float[] sortedSignal(Estimator.Filter f) {
    if (f.net < 0 && f.cls < 0 && sortedZ != null && sortedZ.length == rows) {
      return sortedZ;
    }
    float[] v = new float[rows];
    int m = 0;
    for (int i = 0; i < rows; i++) {
      if (f.test(this, i)) {
        v[m++] = z[i];
      }
    }
    v = m == rows ? v : Arrays.copyOf(v, m);
    Arrays.sort(v);
    if (f.net < 0 && f.cls < 0) {
      sortedZ = v;
    }
    return v;
  }

  /** Whether any decision carries a label. */
  boolean hasLabels() {
    for (int i = 0; i < rows; i++) {
      if (label[i] >= 0) {
        return true;
      }
    }
    return false;
  }

  NetworkType networkType(int netIndex) {
    return NetworkType.fromJsonName(networks.get(netIndex));
  }
}
