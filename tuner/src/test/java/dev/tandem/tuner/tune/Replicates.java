package dev.tandem.tuner.tune;

import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.tuner.synth.SyntheticFleet;
import java.util.List;

/** Runs the estimator on synthetic fleets. */
final class Replicates {
  private Replicates() {}

  static FleetTable table(SyntheticFleet f) {
    FleetTable t = new FleetTable(f.policy(), SignalKind.MAX_PROB, v -> f.policy());
    f.forEachDevice(t::add);
    return t;
  }

  static List<CandidateEstimate> estimate(SyntheticFleet f, double[] thresholds, long seed) {
    FleetTable t = table(f);
    return new Estimator(t, f.policy(), 10, 1000, seed).estimate(thresholds, 0, Estimator.Filter.ALL);
  }

  /** Mean, and Monte Carlo standard error of the mean. */
  static double[] meanAndSe(double[] x) {
    double m = 0;
    for (double v : x) {
      m += v;
    }
    m /= x.length;
    double ss = 0;
    for (double v : x) {
      ss += (v - m) * (v - m);
    }
    return new double[] {m, Math.sqrt(ss / (x.length - 1) / x.length)};
  }
}
