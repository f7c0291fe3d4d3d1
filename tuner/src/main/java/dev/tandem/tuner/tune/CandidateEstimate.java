package dev.tandem.tuner.tune;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What the logs say about one candidate threshold: each metric with its interval, the effective
 * sample size and smallest propensity behind the part that had to be estimated, and warnings
 * where the logged support does not cover the candidate (then the affected metric has no number).
 */
final class CandidateEstimate {
  /** The threshold on the policy's signal, in the signal's own units. */
  final double threshold;
  final boolean current;
  /** Accuracy against labels, or agreement with the cloud's answer ({@link #agreement}). */
  final Estimate accuracy;
  final boolean agreement;
  final Estimate offload;
  final Estimate fallback;
  final Estimate costPer1k;
  final Estimate p50Ms;
  final Estimate p95Ms;
  /** Predicted fallback rate by reason (point estimates). */
  final Map<String, Double> fallbackByReason;
  /** Share of decisions whose cloud answer this candidate needs but the logs lack. */
  final double unobservedShare;
  final double ess;
  final double minPropensity;
  final List<String> warnings;

  CandidateEstimate(double threshold, boolean current, Estimate accuracy, boolean agreement, Estimate offload,
      Estimate fallback, Estimate costPer1k, Estimate p50Ms, Estimate p95Ms, Map<String, Double> fallbackByReason,
      double unobservedShare, double ess, double minPropensity, List<String> warnings) {
    this.threshold = threshold;
    this.current = current;
    this.accuracy = accuracy;
    this.agreement = agreement;
    this.offload = offload;
    this.fallback = fallback;
    this.costPer1k = costPer1k;
    this.p50Ms = p50Ms;
    this.p95Ms = p95Ms;
    this.fallbackByReason = Collections.unmodifiableMap(fallbackByReason);
    this.unobservedShare = unobservedShare;
    this.ess = ess;
    this.minPropensity = minPropensity;
    this.warnings = Collections.unmodifiableList(warnings);
  }

  Estimate metric(Metric m) {
    switch (m) {
      case ACCURACY:
        return accuracy;
      case OFFLOAD:
        return offload;
      case COST_PER_1K:
        return costPer1k;
      case P95_MS:
        return p95Ms;
      default:
        throw new IllegalArgumentException(m.toString());
    }
  }

  /** The metrics objectives can bound. */
  enum Metric {
    ACCURACY, OFFLOAD, COST_PER_1K, P95_MS
  }
}
