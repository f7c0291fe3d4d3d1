package dev.tandem.tuner.tune;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the recommended policy must achieve. Bounds ({@code min accuracy}, {@code max cost per
 * 1,000}, {@code max p95}, {@code max offload}) are met when {@link Selection} certifies the
 * candidate on each (one-sided bounds, fixed-sequence, 0.05 split over the bounds given);
 * {@code target offload} picks the candidate whose estimated offload is nearest. Unset values are
 * NaN. Immutable.
 */
final class Objectives {
  final double minAccuracy;
  final double maxCostPer1k;
  final double maxP95Ms;
  final double maxOffload;
  final double targetOffload;

  Objectives(double minAccuracy, double maxCostPer1k, double maxP95Ms, double maxOffload, double targetOffload) {
    this.minAccuracy = minAccuracy;
    this.maxCostPer1k = maxCostPer1k;
    this.maxP95Ms = maxP95Ms;
    this.maxOffload = maxOffload;
    this.targetOffload = targetOffload;
  }

  static Objectives none() {
    return new Objectives(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }

  boolean any() {
    return !Double.isNaN(minAccuracy) || !Double.isNaN(maxCostPer1k) || !Double.isNaN(maxP95Ms)
        || !Double.isNaN(maxOffload) || !Double.isNaN(targetOffload);
  }

  /** One bound on one metric. */
  static final class Bound {
    final CandidateEstimate.Metric metric;
    final boolean lower;
    final double value;
    final String option;

    Bound(CandidateEstimate.Metric metric, boolean lower, double value, String option) {
      this.metric = metric;
      this.lower = lower;
      this.value = value;
      this.option = option;
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%s %s", option, fmt(value));
    }
  }

  List<Bound> bounds() {
    List<Bound> b = new ArrayList<>();
    if (!Double.isNaN(minAccuracy)) {
      b.add(new Bound(CandidateEstimate.Metric.ACCURACY, true, minAccuracy, "--min-accuracy"));
    }
    if (!Double.isNaN(maxCostPer1k)) {
      b.add(new Bound(CandidateEstimate.Metric.COST_PER_1K, false, maxCostPer1k, "--max-cost-per-1k"));
    }
    if (!Double.isNaN(maxP95Ms)) {
      b.add(new Bound(CandidateEstimate.Metric.P95_MS, false, maxP95Ms, "--max-p95-ms"));
    }
    if (!Double.isNaN(maxOffload)) {
      b.add(new Bound(CandidateEstimate.Metric.OFFLOAD, false, maxOffload, "--max-offload"));
    }
    return b;
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6g", v);
  }
}
