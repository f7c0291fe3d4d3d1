package dev.tandem.tuner.drift;

/**
 * One comparison of a metric between the baseline and the window, in one segment (and, for a
 * metric a policy moves, one policy version; -1 otherwise).
 *
 * @param effect the change in the metric's own unit: points for rates, relative change for cost and
 *     p95, the Kolmogorov-Smirnov distance for a confidence shift
 * @param minEffect the effect an alarm needs
 * @param pValue from the device-level bootstrap (see {@link DriftDetector})
 * @param pThreshold the significance level this test is held to (the run's level over the number of tests)
 */
public record Finding(Segment segment, Metric metric, long policyVersion, double baseline, double window,
    double effect, double minEffect, double pValue, double pThreshold, int baselineDevices, int windowDevices,
    long baselineCount, long windowCount, boolean alarm) {

  Finding withThreshold(double threshold) {
    boolean big = switch (metric.direction()) {
      case UP -> effect >= minEffect;
      case DOWN -> -effect >= minEffect;
      case EITHER -> Math.abs(effect) >= minEffect;
    };
    return new Finding(segment, metric, policyVersion, baseline, window, effect, minEffect, pValue, threshold,
        baselineDevices, windowDevices, baselineCount, windowCount, big && pValue <= threshold);
  }

  /** The one-line message of an alarm. */
  public String message() {
    return String.format("ALARM %s %s%s: baseline %.4g -> window %.4g (effect %+.4g, needs %.4g; p=%.2g <= %.2g;"
            + " %d/%d devices)",
        segment.label(), metric.jsonName(), policyVersion >= 0 ? " policy=v" + policyVersion : "", baseline, window,
        effect, minEffect, pValue, pThreshold, baselineDevices, windowDevices);
  }
}
