package dev.tandem.runtime.policy;

import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.runtime.signal.Signals;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A routing policy: which route each input takes, as a pure function of a
 * {@link DecisionContext}. Immutable and thread-safe; {@link #decide} allocates one small object
 * and touches no clock, random source or device API, so that replaying a record's context gives
 * the recorded route and reason.
 *
 * <h2>How {@link #decide} works</h2>
 *
 * <ol>
 *   <li>The mode gives the base: {@code edge_only} -> edge ({@code edge_only}); {@code cloud_only}
 *       -> cloud ({@code cloud_only}); {@code cascade} -> edge ({@code confident}) when the
 *       chosen signal clears the threshold of the most specific matching segment (or the
 *       default), else cloud ({@code low_confidence}).
 *   <li>An edge base may still ask the cloud by exploration, with probability equal to the
 *       exploration rate; a cloud base asks with probability 1. If neither can ask, the decision
 *       is the base, with propensity 0, and no rule below is consulted.
 *   <li>The rules that forbid asking the cloud, first match wins: no offloader
 *       ({@code edge_fallback}/{@code no_offloader}); network none or offloader disconnected
 *       ({@code edge_fallback}/{@code offline}); metered network and payload above the maximum
 *       upload ({@code metered}); battery below the minimum and not charging
 *       ({@code battery_low}); deadline already spent ({@code deadline}); cost budget short of
 *       the expected offload cost ({@code cost_budget}); recent round trips' p95 at or above
 *       the remaining deadline ({@code deadline_risk}), unless a probe is due, in which case
 *       the decision is a {@code shadow} {@code probe}. A forbidden cloud base routes to the
 *       edge with the rule's reason; a forbidden exploration keeps its edge base. Propensity 0.
 *   <li>Otherwise a cloud base routes to the cloud (propensity 1), and an edge base explores
 *       when {@code draw < rate}: route {@code cloud} (live) or {@code shadow}, reason
 *       {@code explore}, propensity = rate.
 * </ol>
 */
public final class Policy {
  /** The policy schema version this runtime reads and writes. */
  public static final int SCHEMA = 1;

  private final long version;
  private final String model;
  private final String edgeModelHash;
  private final Mode mode;
  private final SignalKind signal;
  private final double threshold;
  private final List<Segment> segments;
  private final long deadlineMs;
  private final double explorationRate;
  private final ExplorationKind explorationKind;
  private final long meteredMaxUploadBytes;
  private final int batteryMinPercent;
  private final boolean batteryUnlessCharging;
  private final double costBudgetUsdPerHour;
  private final double costBudgetBurstUsd;
  private final boolean deadlineRisk;
  private final double roundTripAlpha;
  private final long roundTripWindowMs;
  private final int roundTripWindowSamples;
  private final int roundTripMinSamples;
  private final long probeIntervalMs;
  private final double canaryFraction;

  private Policy(Builder b) {
    this.version = b.version;
    this.model = b.model;
    this.edgeModelHash = b.edgeModelHash;
    this.mode = b.mode;
    this.signal = b.signal;
    this.threshold = b.threshold;
    this.segments = Collections.unmodifiableList(new ArrayList<>(b.segments));
    this.deadlineMs = b.deadlineMs;
    this.explorationRate = b.explorationRate;
    this.explorationKind = b.explorationKind;
    this.meteredMaxUploadBytes = b.meteredMaxUploadBytes;
    this.batteryMinPercent = b.batteryMinPercent;
    this.batteryUnlessCharging = b.batteryUnlessCharging;
    this.costBudgetUsdPerHour = b.costBudgetUsdPerHour;
    this.costBudgetBurstUsd = b.costBudgetBurstUsd;
    this.deadlineRisk = b.deadlineRisk;
    this.roundTripAlpha = b.roundTripAlpha;
    this.roundTripWindowMs = b.roundTripWindowMs;
    this.roundTripWindowSamples = b.roundTripWindowSamples;
    this.roundTripMinSamples = b.roundTripMinSamples;
    this.probeIntervalMs = b.probeIntervalMs;
    this.canaryFraction = b.canaryFraction;
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses and validates a policy document (see docs/policy.md). Unknown fields are refused, so
   * that a misspelt rule cannot be silently ignored.
   *
   * @throws InvalidPolicyException naming the field and the bad value
   */
  public static Policy fromJson(String json) {
    return PolicyJson.parse(json);
  }

  /** This policy as a JSON document that {@link #fromJson} reads back to an equal policy. */
  public String toJson() {
    return PolicyJson.write(this);
  }

  /** A builder holding this policy's settings, to derive a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.version = version;
    b.model = model;
    b.edgeModelHash = edgeModelHash;
    b.mode = mode;
    b.signal = signal;
    b.threshold = threshold;
    b.segments.addAll(segments);
    b.deadlineMs = deadlineMs;
    b.explorationRate = explorationRate;
    b.explorationKind = explorationKind;
    b.meteredMaxUploadBytes = meteredMaxUploadBytes;
    b.batteryMinPercent = batteryMinPercent;
    b.batteryUnlessCharging = batteryUnlessCharging;
    b.costBudgetUsdPerHour = costBudgetUsdPerHour;
    b.costBudgetBurstUsd = costBudgetBurstUsd;
    b.deadlineRisk = deadlineRisk;
    b.roundTripAlpha = roundTripAlpha;
    b.roundTripWindowMs = roundTripWindowMs;
    b.roundTripWindowSamples = roundTripWindowSamples;
    b.roundTripMinSamples = roundTripMinSamples;
    b.probeIntervalMs = probeIntervalMs;
    b.canaryFraction = canaryFraction;
    return b;
  }

  /**
   * Routes one input. Pure: the result depends only on this policy and {@code ctx}.
   *
   * @throws IllegalArgumentException if {@code ctx} was made for another policy version or edge
   *     model, or a cascade context lacks the edge answer's signals
   */
  public RouteDecision decide(DecisionContext ctx) {
    if (ctx.policyVersion() != version) {
      throw new IllegalArgumentException(
          "context is for policy version " + ctx.policyVersion() + ", this policy is version " + version);
    }
    if (!edgeModelHash.isEmpty() && !edgeModelHash.equals(ctx.edgeModelHash())) {
      throw new IllegalArgumentException("context is for edge model " + ctx.edgeModelHash()
          + ", this policy is for edge model " + edgeModelHash);
    }
    Reason base;
    boolean wantsCloud;
    switch (mode) {
      case EDGE_ONLY:
        base = Reason.EDGE_ONLY;
        wantsCloud = false;
        break;
      case CLOUD_ONLY:
        base = Reason.CLOUD_ONLY;
        wantsCloud = true;
        break;
      default:
        if (!ctx.signals().isPresent()) {
          throw new IllegalArgumentException("cascade policy needs the edge answer's signals in the context");
        }
        Signals s = ctx.signals().get();
        double t = thresholdFor(ctx.device());
        double v = s.value(signal);
        boolean confident = signal.higherIsConfident() ? v >= t : v <= t;
        wantsCloud = !confident;
        base = confident ? Reason.CONFIDENT : Reason.LOW_CONFIDENCE;
        break;
    }
    Route baseRoute = wantsCloud ? Route.CLOUD : Route.EDGE;
    double rate = wantsCloud ? 1.0 : explorationRate;
    if (rate == 0) {
      return RouteDecision.of(baseRoute, base, 0, false);
    }

    // The rules that forbid asking the cloud, in precedence order.
    Reason blocked = null;
    if (ctx.offloader() == OffloaderState.NONE) {
      blocked = Reason.NO_OFFLOADER;
    } else if (ctx.device().networkType() == NetworkType.NONE || ctx.offloader() == OffloaderState.UNAVAILABLE) {
      blocked = Reason.OFFLINE;
    } else if (ctx.device().metered() && meteredMaxUploadBytes >= 0 && ctx.payloadBytes() > meteredMaxUploadBytes) {
      blocked = Reason.METERED;
    } else if (batteryMinPercent > 0 && ctx.device().batteryPercent() < batteryMinPercent
        && !(batteryUnlessCharging && ctx.device().charging())) {
      blocked = Reason.BATTERY_LOW;
    } else if (deadlineMs - ctx.elapsedMs() <= 0) {
      blocked = Reason.DEADLINE;
    } else if (hasCostBudget() && ctx.budgetAvailableUsd() < ctx.expectedOffloadUsd()) {
      blocked = Reason.COST_BUDGET;
    } else if (deadlineRisk && ctx.roundTrip().samples() >= roundTripMinSamples
        && ctx.roundTrip().p95Ms() >= deadlineMs - ctx.elapsedMs()) {
      long since = ctx.roundTrip().sinceLastAttemptMs();
      if (since < 0 || since >= probeIntervalMs) {
        // A shadow probe costs the user nothing and keeps the estimator fed, so the rule can
        // lift itself once round trips recover.
        return RouteDecision.of(Route.SHADOW, Reason.PROBE, 1.0, false);
      }
      blocked = Reason.DEADLINE_RISK;
    }
    if (blocked != null) {
      if (!wantsCloud) {
        return RouteDecision.of(Route.EDGE, base, 0, false);
      }
      boolean unreachable = blocked == Reason.NO_OFFLOADER || blocked == Reason.OFFLINE;
      return RouteDecision.of(unreachable ? Route.EDGE_FALLBACK : Route.EDGE, blocked, 0, false);
    }
    if (wantsCloud) {
      return RouteDecision.of(Route.CLOUD, base, 1.0, false);
    }
    if (ctx.draw() < rate) {
      Route r = explorationKind == ExplorationKind.LIVE ? Route.CLOUD : Route.SHADOW;
      return RouteDecision.of(r, Reason.EXPLORE, rate, true);
    }
    return RouteDecision.of(Route.EDGE, base, rate, false);
  }

  /**
   * Why {@code candidate} may not replace this policy on device {@code deviceId} running the edge
   * model {@code edgeModelHash} (not newer, made for another edge model, or a canary that leaves
   * the device out); empty when it may.
   */
  public Optional<String> rejection(Policy candidate, String deviceId, String edgeModelHash) {
    return PolicyCheck.rejection(this, candidate, deviceId, edgeModelHash);
  }

  /** The threshold that applies to a device in {@code state}: the most specific matching segment's, else the default. */
  public double thresholdFor(DeviceState state) {
    Segment best = null;
    for (Segment s : segments) {
      if (s.matches(state) && (best == null || s.specificity() > best.specificity())) {
        best = s;
      }
    }
    return best == null ? threshold : best.threshold();
  }

  /**
   * Whether this policy's canary includes the device: a stable hash of the device id, mapped to
   * [0, 1), is below the canary fraction. A fraction of 1 includes every device.
   */
  public boolean includesDevice(String deviceId) {
    return canaryFraction >= 1.0 || canaryBucket(deviceId) < canaryFraction;
  }

  /** The device's position in [0, 1) for canary rollouts: the first 53 bits of SHA-256 of its id. */
  public static double canaryBucket(String deviceId) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(deviceId.getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (h[i] & 0xff);
      }
      return (v >>> 11) * 0x1.0p-53;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this platform", e);
    }
  }

  public long version() {
    return version;
  }

  /** The model this policy routes; empty for any. */
  public String model() {
    return model;
  }

  /** The edge model (SHA-256 hex) this policy was tuned for; empty for any. */
  public String edgeModelHash() {
    return edgeModelHash;
  }

  public Mode mode() {
    return mode;
  }

  public SignalKind signal() {
    return signal;
  }

  /** The default threshold on {@link #signal()}. */
  public double threshold() {
    return threshold;
  }

  public List<Segment> segments() {
    return segments;
  }

  /** Milliseconds from the start of a decision to its answer, at most. */
  public long deadlineMs() {
    return deadlineMs;
  }

  public double explorationRate() {
    return explorationRate;
  }

  public ExplorationKind explorationKind() {
    return explorationKind;
  }

  /** Most bytes one offload may upload on a metered network; -1 for no limit. */
  public long meteredMaxUploadBytes() {
    return meteredMaxUploadBytes;
  }

  /** Below this battery percentage (and not charging, if so set) nothing is offloaded; 0 disables the rule. */
  public int batteryMinPercent() {
    return batteryMinPercent;
  }

  public boolean batteryUnlessCharging() {
    return batteryUnlessCharging;
  }

  public boolean hasCostBudget() {
    return costBudgetUsdPerHour > 0;
  }

  /** The cost budget's refill rate; 0 when there is no budget. */
  public double costBudgetUsdPerHour() {
    return costBudgetUsdPerHour;
  }

  /** The cost budget's capacity (the most that can be spent in a burst). */
  public double costBudgetBurstUsd() {
    return costBudgetBurstUsd;
  }

  /** Whether the deadline-risk rule is on. */
  public boolean deadlineRisk() {
    return deadlineRisk;
  }

  public double roundTripAlpha() {
    return roundTripAlpha;
  }

  public long roundTripWindowMs() {
    return roundTripWindowMs;
  }

  public int roundTripWindowSamples() {
    return roundTripWindowSamples;
  }

  public int roundTripMinSamples() {
    return roundTripMinSamples;
  }

  public long probeIntervalMs() {
    return probeIntervalMs;
  }

  public double canaryFraction() {
    return canaryFraction;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Policy && toJson().equals(((Policy) o).toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return "Policy{v" + version + " " + mode.jsonName()
        + (mode == Mode.CASCADE ? " " + signal.jsonName() + " " + threshold : "") + "}";
  }

  /**
   * Builder for {@link Policy}. Defaults: version 0, cascade on {@code max_prob} (threshold
   * required), deadline required, no exploration (kind shadow), no metered limit, no battery rule,
   * no cost budget, deadline-risk on (alpha 0.2, window 60 s / 64 samples, 5 samples minimum,
   * probe every 10 s), canary 1.
   */
  public static final class Builder {
    private long version;
    private String model = "";
    private String edgeModelHash = "";
    private Mode mode = Mode.CASCADE;
    private SignalKind signal = SignalKind.MAX_PROB;
    private double threshold = Double.NaN;
    private final List<Segment> segments = new ArrayList<>();
    private long deadlineMs = -1;
    private double explorationRate;
    private ExplorationKind explorationKind = ExplorationKind.SHADOW;
    private long meteredMaxUploadBytes = -1;
    private int batteryMinPercent;
    private boolean batteryUnlessCharging = true;
    private double costBudgetUsdPerHour;
    private double costBudgetBurstUsd;
    private boolean deadlineRisk = true;
    private double roundTripAlpha = 0.2;
    private long roundTripWindowMs = 60_000;
    private int roundTripWindowSamples = 64;
    private int roundTripMinSamples = 5;
    private long probeIntervalMs = 10_000;
    private double canaryFraction = 1.0;

    private Builder() {}

    public Builder version(long v) {
      this.version = v;
      return this;
    }

    public Builder model(String v) {
      this.model = Objects.requireNonNull(v, "model");
      return this;
    }

    public Builder edgeModelHash(String v) {
      this.edgeModelHash = Objects.requireNonNull(v, "edgeModelHash").toLowerCase(Locale.ROOT);
      return this;
    }

    public Builder mode(Mode v) {
      this.mode = Objects.requireNonNull(v, "mode");
      return this;
    }

    public Builder signal(SignalKind v) {
      this.signal = Objects.requireNonNull(v, "signal");
      return this;
    }

    public Builder threshold(double v) {
      this.threshold = v;
      return this;
    }

    public Builder addSegment(Segment s) {
      segments.add(Objects.requireNonNull(s, "segment"));
      return this;
    }

    public Builder segments(List<Segment> v) {
      segments.clear();
      for (Segment s : v) {
        addSegment(s);
      }
      return this;
    }

    public Builder deadlineMs(long v) {
      this.deadlineMs = v;
      return this;
    }

    public Builder exploration(double rate, ExplorationKind kind) {
      this.explorationRate = rate;
      this.explorationKind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /** Most bytes one offload may upload on a metered network; -1 for no limit. */
    public Builder meteredMaxUploadBytes(long v) {
      this.meteredMaxUploadBytes = v;
      return this;
    }

    /** No offloads below {@code minPercent} battery, unless charging when {@code unlessCharging}; 0 disables. */
    public Builder battery(int minPercent, boolean unlessCharging) {
      this.batteryMinPercent = minPercent;
      this.batteryUnlessCharging = unlessCharging;
      return this;
    }

    /** A token-bucket budget: refills at {@code usdPerHour}, holds at most {@code burstUsd}; 0, 0 disables. */
    public Builder costBudget(double usdPerHour, double burstUsd) {
      this.costBudgetUsdPerHour = usdPerHour;
      this.costBudgetBurstUsd = burstUsd;
      return this;
    }

    public Builder deadlineRisk(boolean on) {
      this.deadlineRisk = on;
      return this;
    }

    /**
     * The round-trip estimator: EWMA weight of a new sample, the window the p95 is taken over
     * (age and count), the samples needed before the deadline-risk rule may block, and how often
     * a blocked network type is probed.
     */
    public Builder roundTrip(double alpha, long windowMs, int windowSamples, int minSamples, long probeIntervalMs) {
      this.roundTripAlpha = alpha;
      this.roundTripWindowMs = windowMs;
      this.roundTripWindowSamples = windowSamples;
      this.roundTripMinSamples = minSamples;
      this.probeIntervalMs = probeIntervalMs;
      return this;
    }

    public Builder canaryFraction(double v) {
      this.canaryFraction = v;
      return this;
    }

    /** @throws InvalidPolicyException naming the field and the bad value */
    public Policy build() {
      if (version < 0) {
        throw new InvalidPolicyException("version", Long.toString(version), "must be >= 0");
      }
      if (mode == Mode.CASCADE) {
        if (Double.isNaN(threshold)) {
          throw new InvalidPolicyException("threshold", "", "is required in cascade mode");
        }
        checkThreshold("threshold", threshold);
      } else if (Double.isNaN(threshold)) {
        threshold = 0; // unused outside cascade; a number keeps the JSON form simple
      }
      for (int i = 0; i < segments.size(); i++) {
        Segment s = segments.get(i);
        checkThreshold("segments[" + i + "].threshold", s.threshold());
        for (int j = 0; j < i; j++) {
          if (segments.get(j).sameKeys(s)) {
            throw new InvalidPolicyException("segments[" + i + "]", s.toString(),
                "names the same segment as segments[" + j + "]");
          }
        }
      }
      if (deadlineMs <= 0) {
        if (deadlineMs == -1) {
          throw new InvalidPolicyException("deadline_ms", "", "is required");
        }
        throw new InvalidPolicyException("deadline_ms", Long.toString(deadlineMs), "must be > 0");
      }
      if (!(explorationRate >= 0 && explorationRate <= 1)) {
        throw new InvalidPolicyException("exploration.rate", Double.toString(explorationRate), "must be within [0, 1]");
      }
      if (meteredMaxUploadBytes < -1) {
        throw new InvalidPolicyException("metered.max_upload_bytes", Long.toString(meteredMaxUploadBytes),
            "must be >= 0 (or -1 for no limit)");
      }
      if (batteryMinPercent < 0 || batteryMinPercent > 100) {
        throw new InvalidPolicyException("battery.min_percent", Integer.toString(batteryMinPercent), "must be within [0, 100]");
      }
      if (!(costBudgetUsdPerHour >= 0) || Double.isInfinite(costBudgetUsdPerHour)) {
        throw new InvalidPolicyException("cost_budget.usd_per_hour", Double.toString(costBudgetUsdPerHour),
            "must be finite and >= 0");
      }
      if (costBudgetUsdPerHour > 0 && (!(costBudgetBurstUsd > 0) || Double.isInfinite(costBudgetBurstUsd))) {
        throw new InvalidPolicyException("cost_budget.burst_usd", Double.toString(costBudgetBurstUsd),
            "must be finite and > 0 when a budget is set");
      }
      if (!(roundTripAlpha > 0 && roundTripAlpha <= 1)) {
        throw new InvalidPolicyException("round_trip.ewma_alpha", Double.toString(roundTripAlpha), "must be within (0, 1]");
      }
      if (roundTripWindowMs <= 0) {
        throw new InvalidPolicyException("round_trip.window_ms", Long.toString(roundTripWindowMs), "must be > 0");
      }
      if (roundTripWindowSamples < 1) {
        throw new InvalidPolicyException("round_trip.window_samples", Integer.toString(roundTripWindowSamples), "must be >= 1");
      }
      if (roundTripMinSamples < 1 || roundTripMinSamples > roundTripWindowSamples) {
        throw new InvalidPolicyException("round_trip.min_samples", Integer.toString(roundTripMinSamples),
            "must be within [1, window_samples = " + roundTripWindowSamples + "]");
      }
      if (probeIntervalMs <= 0) {
        throw new InvalidPolicyException("round_trip.probe_interval_ms", Long.toString(probeIntervalMs), "must be > 0");
      }
      if (!(canaryFraction > 0 && canaryFraction <= 1)) {
        throw new InvalidPolicyException("canary.fraction", Double.toString(canaryFraction), "must be within (0, 1]");
      }
      if (!edgeModelHash.isEmpty() && !edgeModelHash.matches("[0-9a-f]{64}")) {
        throw new InvalidPolicyException("edge_model_hash", edgeModelHash, "must be 64 hex digits (SHA-256) or empty");
      }
      return new Policy(this);
    }

    private void checkThreshold(String field, double t) {
      boolean probability = signal != SignalKind.ENTROPY;
      if (Double.isNaN(t) || Double.isInfinite(t) || t < 0 || (probability && t > 1)) {
        throw new InvalidPolicyException(field, Double.toString(t),
            probability ? "must be within [0, 1] for signal " + signal.jsonName()
                : "must be finite and >= 0 for signal " + signal.jsonName());
      }
    }
  }
}
