package dev.tandem.tuner.synth;

import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.runtime.policy.Mode;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.RoundTripSnapshot;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.EdgeResult;
import dev.tandem.runtime.record.PolicyEventRecord;
import dev.tandem.runtime.signal.Signals;
import dev.tandem.tuner.store.DeviceLog;
import dev.tandem.tuner.store.LoggedDecision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * A fleet of virtual devices with known truth, for testing the tuner's estimates and for the
 * benchmark. Two classes; per decision:
 *
 * <ul>
 *   <li>the edge's confidence {@code c = 1 - U^(2k)/2} with U uniform and k the device's
 *       difficulty (0.7, 1 or 1.4, equally likely), probabilities {@code [c, 1-c]};
 *   <li>the edge is right with probability {@code c} (calibrated), the cloud with probability
 *       {@link #cloudCorrect(double)} = 0.93 + 0.05 c, independently given c;
 *   <li>the device's network (wifi, 4g or 3g, equally likely) sets the probability that a
 *       request times out (1 %, 4 %, 12 %) and the round-trip time; optionally
 *       ({@link Builder#fallbackByRoundTrip}) the round-trip state sets it instead; 4g and 3g are metered, and a
 *       payload (uniform 1,000-100,000 bytes) above the policy's 65,536-byte cap is not offloaded;
 *   <li>the logging policy is a cascade on {@code max_prob} with a known threshold and live or
 *       shadow exploration at a known rate; its decisions come from the runtime's own
 *       {@code Policy.decide}, so they replay exactly;
 *   <li>the app reports the true label for a known fraction of decisions: at random, depending
 *       on the signal, or depending on the outcome (more often when the edge was wrong).
 * </ul>
 *
 * {@link #truth(double)} gives the population value of a cascade threshold by numerical
 * integration over the same distributions (not by sampling). Immutable; deterministic per seed.
 */
public final class SyntheticFleet {
  /** How labels are reported. */
  public enum Labelling {
    /** Each decision with the same probability. */
    RANDOM,
    /** More often for less confident decisions (depends on the signal only). */
    BY_SIGNAL,
    /** Three times as often when the edge's answer was wrong (depends on the outcome). */
    BY_OUTCOME
  }

  static final String EDGE_HASH = "5e".repeat(32);
  static final double[] DIFFICULTY = {0.7, 1.0, 1.4};
  static final NetworkType[] NETWORKS = {NetworkType.WIFI, NetworkType.CELL_4G, NetworkType.CELL_3G};
  static final double[] TIMEOUT = {0.01, 0.04, 0.12};
  static final double[] RTT_MEDIAN_MS = {50, 120, 250};
  static final String[] CLASSES = {"low", "mid", "high"};
  static final double[] EDGE_MS = {8, 4, 2};
  static final long MAX_UPLOAD = 65_536;
  static final long PAYLOAD_MIN = 1_000;
  static final long PAYLOAD_MAX = 100_000;
  static final long REPLY_BYTES = 64;
  static final double CLOUD_USD = 5e-5;
  static final double USD_PER_BYTE = 0.5 / 1e9;
  static final double EDGE_USD = 1e-7;
  static final long DEADLINE_MS = 400;
  static final long T0 = 1_795_000_000_000L;
  /** With round-trip states: the round trip's recent p95 as a share of the time left, fast and slow. */
  static final double FAST_P95 = 0.2;
  static final double SLOW_P95 = 0.7;
  /** With round-trip states: the chance that a request times out, fast and slow. */
  static final double FAST_TIMEOUT = 0.02;
  static final double SLOW_TIMEOUT = 0.30;

  private final int devices;
  private final int decisionsPerDevice;
  private final long seed;
  private final double threshold;
  private final double explorationRate;
  private final ExplorationKind explorationKind;
  private final double labelFraction;
  private final Labelling labelling;
  private final boolean roundTripStates;
  private final Policy policy;

  private SyntheticFleet(Builder b) {
    this.devices = b.devices;
    this.decisionsPerDevice = b.decisionsPerDevice;
    this.seed = b.seed;
    this.threshold = b.threshold;
    this.explorationRate = b.explorationRate;
    this.explorationKind = b.explorationKind;
    this.labelFraction = b.labelFraction;
    this.labelling = b.labelling;
    this.roundTripStates = b.roundTripStates;
    this.policy = policyWith(b.threshold);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The logging policy (version 3). */
  public Policy policy() {
    return policy;
  }

  /** The logging policy with another threshold. */
  public Policy policyWith(double t) {
    return Policy.builder().version(3).model("synthetic").edgeModelHash(EDGE_HASH).mode(Mode.CASCADE).threshold(t)
        .deadlineMs(DEADLINE_MS).exploration(explorationRate, explorationKind).meteredMaxUploadBytes(MAX_UPLOAD)
        .build();
  }

  public int devices() {
    return devices;
  }

  public int decisionsPerDevice() {
    return decisionsPerDevice;
  }

  /** The probability that the cloud's answer is right, given the edge's confidence. */
  public static double cloudCorrect(double c) {
    return 0.93 + 0.05 * c;
  }

  /**
   * With round-trip states, the chance that the network is slow when a decision is made: higher
   * for less confident inputs (hard inputs arrive when conditions are poor).
   */
  public static double slowChance(double c) {
    return c < 0.7 ? 0.8 : 0.1;
  }

  /** The chance that a request sent with edge confidence {@code c} on network {@code net} times out. */
  double timeoutChance(int net, double c) {
    if (!roundTripStates) {
      return TIMEOUT[net];
    }
    double slow = slowChance(c);
    return slow * SLOW_TIMEOUT + (1 - slow) * FAST_TIMEOUT;
  }

  /** Generates device {@code i}'s log (device ids {@code dev-00000} ...). */
  public DeviceLog device(int i) {
    SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + i);
    int net = rnd.nextInt(3);
    int cls = rnd.nextInt(3);
    double k = DIFFICULTY[rnd.nextInt(3)];
    String id = String.format("dev-%05d", i);
    DeviceState state = DeviceState.builder().networkType(NETWORKS[net]).metered(net > 0).batteryPercent(80)
        .charging(false).deviceClass(CLASSES[cls]).build();
    List<LoggedDecision> out = new ArrayList<>(decisionsPerDevice);
    long seq = 2;
    for (int j = 0; j < decisionsPerDevice; j++, seq++) {
      double u = rnd.nextDouble();
      float c = (float) (1 - 0.5 * Math.pow(u, 2 * k));
      if (c < 0.5f) {
        c = 0.5f;
      }
      int predicted = rnd.nextInt(2);
      float[] probs = predicted == 0 ? new float[] {c, 1 - c} : new float[] {1 - c, c};
      Signals s = Signals.fromProbabilities(probs);
      boolean edgeRight = rnd.nextDouble() < s.maxProb();
      int label = edgeRight ? s.top1() : 1 - s.top1();
      boolean cloudRight = rnd.nextDouble() < cloudCorrect(s.maxProb());
      int cloudAnswer = cloudRight ? label : 1 - label;
      long payload = PAYLOAD_MIN + (long) (rnd.nextDouble() * (PAYLOAD_MAX - PAYLOAD_MIN));
      double edgeMs = EDGE_MS[cls] * (0.75 + 0.5 * rnd.nextDouble());
      long time = T0 + j * 1000L;
      RoundTripSnapshot rt = RoundTripSnapshot.of(0, -1, -1, -1);
      double pTimeout = TIMEOUT[net];
      if (roundTripStates) {
        boolean slow = rnd.nextDouble() < slowChance(s.maxProb());
        double p95 = (slow ? SLOW_P95 : FAST_P95) * (DEADLINE_MS - edgeMs);
        rt = RoundTripSnapshot.of(20, 0.6 * p95, p95, 1000);
        pTimeout = slow ? SLOW_TIMEOUT : FAST_TIMEOUT;
      }
      DecisionContext ctx = DecisionContext.builder().policyVersion(policy.version()).edgeModelHash(EDGE_HASH)
          .signals(s).device(state).payloadBytes(payload).offloader(OffloaderState.AVAILABLE).elapsedMs(edgeMs)
          .budgetAvailableUsd(-1).expectedOffloadUsd(CLOUD_USD + payload * USD_PER_BYTE)
          .roundTrip(rt).draw(rnd.nextDouble()).build();
      RouteDecision d = policy.decide(ctx);
      boolean timeout = rnd.nextDouble() < pTimeout;
      double rtt = Math.min(DEADLINE_MS - edgeMs - 1,
          RTT_MEDIAN_MS[net] * Math.exp(0.4 * gaussian(rnd)));
      DecisionRecord.Builder rb = DecisionRecord.builder().device(id).seq(seq).timeMs(time).fleet("synthetic")
          .model("synthetic").decided(d).context(ctx)
          .edge(EdgeResult.of(s, edgeMs, "cpu"));
      double cloudUsd = 0;
      double networkUsd = 0;
      double latency = edgeMs + 0.05;
      if (d.route().asksCloud()) {
        cloudUsd = CLOUD_USD; // charged for ok and timeout
        if (timeout) {
          long budget = (long) Math.floor(DEADLINE_MS - edgeMs);
          rb.cloud(CloudResult.of(OffloadStatus.TIMEOUT, "no reply within " + budget + " ms", -1, -1, budget, "",
              "", -1, -1, -1));
          rb.bytes(payload, 0);
          networkUsd = payload * USD_PER_BYTE;
          if (d.route() == Route.CLOUD) {
            rb.outcome(Route.EDGE_FALLBACK, Reason.forStatus(OffloadStatus.TIMEOUT));
            latency = DEADLINE_MS + 0.5;
          }
        } else {
          rb.cloud(CloudResult.of(OffloadStatus.OK, "", cloudAnswer, rtt, (long) (DEADLINE_MS - edgeMs), "relay-1",
              "1", 0.5, 2.0, 1));
          rb.bytes(payload, REPLY_BYTES);
          networkUsd = (payload + REPLY_BYTES) * USD_PER_BYTE;
          if (d.route() == Route.CLOUD) {
            latency = edgeMs + rtt;
          }
        }
      }
      rb.cost(Cost.of(0.001, EDGE_USD, networkUsd, cloudUsd)).latencyMs(latency);
      double pLabel;
      switch (labelling) {
        case BY_SIGNAL:
          pLabel = Math.min(1, labelFraction * 2 * (1.5 - s.maxProb()) / 1.0);
          break;
        case BY_OUTCOME:
          pLabel = Math.min(1, edgeRight ? labelFraction : 3 * labelFraction);
          break;
        default:
          pLabel = labelFraction;
      }
      boolean labelled = rnd.nextDouble() < pLabel;
      out.add(LoggedDecision.of(rb.build(), labelled ? label : -1, null));
    }
    PolicyEventRecord start = PolicyEventRecord.builder().device(id).seq(1).timeMs(T0 - 1).fleet("synthetic")
        .model("synthetic").event(PolicyEventRecord.Event.APPLIED).reason("start").message("in force at start")
        .policy(policy).inForceVersion(policy.version()).edgeModelHash(EDGE_HASH).build();
    return DeviceLog.of(id, out, Collections.singletonList(start));
  }

  /** Every device's log, in device order. */
  public void forEachDevice(Consumer<DeviceLog> visitor) {
    for (int i = 0; i < devices; i++) {
      visitor.accept(device(i));
    }
  }

  private static double gaussian(SplittableRandom rnd) {
    double u1 = rnd.nextDouble();
    double u2 = rnd.nextDouble();
    return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Population values of a cascade threshold (the logging policy's other settings). */
  public static final class Truth {
    public final double accuracy;
    public final double offload;
    public final double costPer1k;
    /** Share of decisions whose live request got no answer in time. */
    public final double fallback;

    Truth(double accuracy, double offload, double costPer1k, double fallback) {
      this.accuracy = accuracy;
      this.offload = offload;
      this.costPer1k = costPer1k;
      this.fallback = fallback;
    }

    @Override
    public String toString() {
      return String.format("accuracy %.4f, offload %.4f, cost/1k %.6f, fallback %.4f", accuracy, offload, costPer1k,
          fallback);
    }
  }

  /**
   * The population value of the logging policy with threshold {@code t}: expectations over
   * the device mix and the decision distribution, by numerical integration.
   */
  public Truth truth(double t) {
    int grid = 20_000;
    double acc = 0;
    double ask = 0;
    double cost = 0;
    double fallback = 0;
    double liveRate = explorationKind == ExplorationKind.LIVE ? explorationRate : 0;
    for (int ki = 0; ki < DIFFICULTY.length; ki++) {
      double k = DIFFICULTY[ki];
      for (int net = 0; net < NETWORKS.length; net++) {
        // allowed: the share of payloads the metered rule lets through, and their mean size
        double allowed = net == 0 ? 1 : (double) (MAX_UPLOAD - PAYLOAD_MIN) / (PAYLOAD_MAX - PAYLOAD_MIN);
        double meanPayload = net == 0 ? (PAYLOAD_MIN + PAYLOAD_MAX) / 2.0 : (PAYLOAD_MIN + MAX_UPLOAD) / 2.0;
        double a = 0;
        double pAsk = 0;
        double askCost = 0;
        double fb = 0;
        for (int gi = 0; gi < grid; gi++) {
          double u = (gi + 0.5) / grid;
          double c = (float) (1 - 0.5 * Math.pow(u, 2 * k));
          double pf = timeoutChance(net, c);
          double cloudPath = (1 - pf) * cloudCorrect(c) + pf * c;
          double accAllowed;
          double askAllowed;
          double liveAllowed;
          if (c < t) {
            accAllowed = cloudPath;
            askAllowed = 1;
            liveAllowed = 1;
          } else {
            accAllowed = liveRate * cloudPath + (1 - liveRate) * c;
            askAllowed = explorationRate;
            liveAllowed = liveRate;
          }
          a += allowed * accAllowed + (1 - allowed) * c;
          pAsk += allowed * askAllowed;
          askCost += allowed * askAllowed * (CLOUD_USD + (meanPayload + (1 - pf) * REPLY_BYTES) * USD_PER_BYTE);
          fb += allowed * liveAllowed * pf;
        }
        acc += a / grid;
        ask += pAsk / grid;
        cost += askCost / grid + EDGE_USD;
        fallback += fb / grid;
      }
    }
    int cells = DIFFICULTY.length * NETWORKS.length;
    return new Truth(acc / cells, ask / cells, 1000 * cost / cells, fallback / cells);
  }

  /** Builds a {@link SyntheticFleet}. */
  public static final class Builder {
    private int devices = 100;
    private int decisionsPerDevice = 200;
    private long seed = 1;
    private double threshold = 0.8;
    private double explorationRate = 0.1;
    private ExplorationKind explorationKind = ExplorationKind.SHADOW;
    private double labelFraction = 0.3;
    private Labelling labelling = Labelling.RANDOM;
    private boolean roundTripStates;

    public Builder devices(int n) {
      devices = n;
      return this;
    }

    public Builder decisionsPerDevice(int n) {
      decisionsPerDevice = n;
      return this;
    }

    public Builder seed(long s) {
      seed = s;
      return this;
    }

    /** The logging policy's threshold on max_prob. */
    public Builder threshold(double t) {
      threshold = t;
      return this;
    }

    public Builder exploration(double rate, ExplorationKind kind) {
      explorationRate = rate;
      explorationKind = kind;
      return this;
    }

    public Builder labels(double fraction, Labelling how) {
      labelFraction = fraction;
      labelling = how;
      return this;
    }

    /**
     * Makes fallbacks depend on the round-trip state: each decision's network is slow (recent p95
     * at {@link #SLOW_P95} of the time left, requests time out with {@link #SLOW_TIMEOUT}) with
     * chance {@link #slowChance}, else fast ({@link #FAST_P95}, {@link #FAST_TIMEOUT}), whatever
     * the network type; the decisions record those round-trip snapshots. Off by default (no
     * samples recorded, timeouts by network type).
     */
    public Builder fallbackByRoundTrip(boolean on) {
      roundTripStates = on;
      return this;
    }

    public SyntheticFleet build() {
      if (devices < 1 || decisionsPerDevice < 1) {
        throw new IllegalArgumentException("devices and decisions per device must be >= 1");
      }
      return new SyntheticFleet(this);
    }
  }
}
