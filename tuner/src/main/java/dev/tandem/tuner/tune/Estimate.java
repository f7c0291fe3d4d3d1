package dev.tandem.tuner.tune;

import java.util.Arrays;

/**
 * A point estimate with its bootstrap distribution's 95 % percentile interval and standard
 * deviation; {@link #supported} false means there is no number (see the candidate's warnings).
 */
final class Estimate {
  static final Estimate UNSUPPORTED = new Estimate(Double.NaN, Double.NaN, Double.NaN, Double.NaN, false);

  final double point;
  final double lo;
  final double hi;
  final double sd;
  final boolean supported;

  Estimate(double point, double lo, double hi, double sd, boolean supported) {
    this.point = point;
    this.lo = lo;
    this.hi = hi;
    this.sd = sd;
    this.supported = supported;
  }

  /** From the point estimate and the resampled values (NaN resamples are dropped). */
  static Estimate of(double point, double[] resampled) {
    double[] v = Arrays.stream(resampled).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (Double.isNaN(point) || v.length < 2) {
      return new Estimate(point, Double.NaN, Double.NaN, Double.NaN, !Double.isNaN(point));
    }
    double mean = 0;
    for (double x : v) {
      mean += x;
    }
    mean /= v.length;
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    return new Estimate(point, quantile(v, 0.025), quantile(v, 0.975), Math.sqrt(ss / (v.length - 1)), true);
  }

  /** Linear interpolation between order statistics (type 7). */
  static double quantile(double[] sorted, double p) {
    double h = (sorted.length - 1) * p;
    int i = (int) Math.floor(h);
    if (i + 1 >= sorted.length) {
      return sorted[sorted.length - 1];
    }
    return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
  }

  boolean covers(double x) {
    return supported && lo <= x && x <= hi;
  }

  @Override
  public String toString() {
    return supported ? String.format("%.4f [%.4f, %.4f]", point, lo, hi) : "n/a";
  }
}
