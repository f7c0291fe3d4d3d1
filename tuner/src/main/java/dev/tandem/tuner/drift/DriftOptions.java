package dev.tandem.tuner.drift;

import java.util.EnumMap;
import java.util.Map;

/**
 * How sensitive the drift detector is: the chance of any false alarm per run, the effect each
 * metric needs, and how much data a comparison needs.
 */
public final class DriftOptions {
  private final double falseAlarmRate;
  private final int bootstrap;
  private final long seed;
  private final int minDevices;
  private final int minRecords;
  private final int minExplored;
  private final Map<Metric, Double> minEffect;

  private DriftOptions(Builder b) {
    this.falseAlarmRate = b.falseAlarmRate;
    this.bootstrap = b.bootstrap;
    this.seed = b.seed;
    this.minDevices = b.minDevices;
    this.minRecords = b.minRecords;
    this.minExplored = b.minExplored;
    this.minEffect = Map.copyOf(b.minEffect);
  }

  public static DriftOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The chance of any false alarm in a run, across all segments and metrics (0.01). */
  public double falseAlarmRate() {
    return falseAlarmRate;
  }

  /** Device-level bootstrap resamples per comparison (400). */
  public int bootstrap() {
    return bootstrap;
  }

  public long seed() {
    return seed;
  }

  /** Devices a comparison needs in each window (10). */
  public int minDevices() {
    return minDevices;
  }

  /** Decisions a comparison needs in each window (200). */
  public int minRecords() {
    return minRecords;
  }

  /** Explored decisions with both answers an agreement comparison needs in each window (50). */
  public int minExplored() {
    return minExplored;
  }

  public double minEffect(Metric m) {
    return minEffect.get(m);
  }

  /** Builder; every minimum effect has a default (docs/tuning.md lists them). */
  public static final class Builder {
    private double falseAlarmRate = 0.01;
    private int bootstrap = 400;
    private long seed = 1;
    private int minDevices = 10;
    private int minRecords = 200;
    private int minExplored = 50;
    private final Map<Metric, Double> minEffect = new EnumMap<>(Metric.class);

    private Builder() {
      minEffect.put(Metric.MAX_PROB_SHIFT, 0.10);
      minEffect.put(Metric.MARGIN_SHIFT, 0.10);
      minEffect.put(Metric.ENTROPY_SHIFT, 0.10);
      minEffect.put(Metric.ESTIMATED_ACCURACY, 0.02);
      minEffect.put(Metric.AGREEMENT_EXPLORED, 0.05);
      minEffect.put(Metric.OFFLOAD_RATE, 0.05);
      minEffect.put(Metric.FALLBACK_RATE, 0.03);
      minEffect.put(Metric.COST_PER_1K, 0.10);
      minEffect.put(Metric.P95_LATENCY, 0.10);
    }

    public Builder falseAlarmRate(double v) {
      falseAlarmRate = v;
      return this;
    }

    public Builder bootstrap(int v) {
      bootstrap = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder minDevices(int v) {
      minDevices = v;
      return this;
    }

    public Builder minRecords(int v) {
      minRecords = v;
      return this;
    }

    public Builder minExplored(int v) {
      minExplored = v;
      return this;
    }

    /** The smallest change of this metric that may alarm (points, relative change or KS distance). */
    public Builder minEffect(Metric m, double v) {
      minEffect.put(m, v);
      return this;
    }

    /** @throws IllegalArgumentException naming the option out of range */
    public DriftOptions build() {
      if (!(falseAlarmRate > 0 && falseAlarmRate < 1)) {
        throw new IllegalArgumentException("false alarm rate must be in (0, 1), was " + falseAlarmRate);
      }
      if (bootstrap < 100) {
        throw new IllegalArgumentException("bootstrap must be at least 100 resamples, was " + bootstrap);
      }
      if (minDevices < 3) {
        throw new IllegalArgumentException("min devices must be at least 3, was " + minDevices);
      }
      minEffect.forEach((m, v) -> {
        if (!(v >= 0)) {
          throw new IllegalArgumentException("minimum effect of " + m.jsonName() + " must be >= 0, was " + v);
        }
      });
      return new DriftOptions(this);
    }
  }
}
