package dev.tandem.tuner.drift;

import dev.tandem.tuner.observe.DecisionRow;
import java.util.Arrays;
import java.util.List;

/**
 * The edge's accuracy as a function of its max_prob, fitted on labelled baseline decisions (ten
 * equal-frequency bins): confidence-based performance estimation. It assumes accuracy at a given
 * confidence stays what it was in the baseline.
 *
 * @param rawError the expected calibration error of max_prob itself on the baseline
 * @param error the map's own error: fitted on half of the devices, its weighted mean absolute error
 *     on the other half's bins (both ways, averaged)
 */
record Calibration(double[] edges, double[] accuracy, long labelled, double rawError, double error) {
  static final int BINS = 10;
  static final int MIN_LABELLED = 200;

  /** The map, or null with fewer than {@link #MIN_LABELLED} labelled decisions. */
  static Calibration fit(List<DecisionRow> baseline) {
    List<DecisionRow> l = baseline.stream().filter(r -> r.hasLabel() && r.hasEdge() && !Double.isNaN(r.maxProb()))
        .toList();
    if (l.size() < MIN_LABELLED) {
      return null;
    }
    double[] edges = edgesOf(l);
    double[] acc = accuracyOf(l, edges);
    List<DecisionRow> a = l.stream().filter(r -> (r.device().hashCode() & 1) == 0).toList();
    List<DecisionRow> b = l.stream().filter(r -> (r.device().hashCode() & 1) == 1).toList();
    double err = Double.NaN;
    if (a.size() >= MIN_LABELLED / 2 && b.size() >= MIN_LABELLED / 2) {
      err = (heldOut(a, b) + heldOut(b, a)) / 2;
    }
    return new Calibration(edges, acc, l.size(), rawEce(l), err);
  }

  double estimate(double maxProb) {
    return accuracy[bin(edges, maxProb)];
  }

  private static double heldOut(List<DecisionRow> fit, List<DecisionRow> test) {
    double[] e = edgesOf(fit);
    double[] acc = accuracyOf(fit, e);
    double[] n = new double[BINS];
    double[] right = new double[BINS];
    for (DecisionRow r : test) {
      int k = bin(e, r.maxProb());
      n[k]++;
      right[k] += r.edgePrediction() == r.label() ? 1 : 0;
    }
    double err = 0;
    for (int k = 0; k < BINS; k++) {
      if (n[k] > 0) {
        err += n[k] / test.size() * Math.abs(right[k] / n[k] - acc[k]);
      }
    }
    return err;
  }

  private static double rawEce(List<DecisionRow> l) {
    double[] n = new double[BINS];
    double[] right = new double[BINS];
    double[] conf = new double[BINS];
    for (DecisionRow r : l) {
      int k = Math.min(BINS - 1, (int) (r.maxProb() * BINS));
      n[k]++;
      right[k] += r.edgePrediction() == r.label() ? 1 : 0;
      conf[k] += r.maxProb();
    }
    double e = 0;
    for (int k = 0; k < BINS; k++) {
      if (n[k] > 0) {
        e += n[k] / l.size() * Math.abs(right[k] / n[k] - conf[k] / n[k]);
      }
    }
    return e;
  }

  private static double[] edgesOf(List<DecisionRow> l) {
    double[] v = l.stream().mapToDouble(DecisionRow::maxProb).sorted().toArray();
    double[] e = new double[BINS - 1];
    for (int k = 1; k < BINS; k++) {
      e[k - 1] = v[(int) ((long) k * v.length / BINS)];
    }
    return e;
  }

  private static double[] accuracyOf(List<DecisionRow> l, double[] edges) {
    double[] n = new double[BINS];
    double[] right = new double[BINS];
    for (DecisionRow r : l) {
      int k = bin(edges, r.maxProb());
      n[k]++;
      right[k] += r.edgePrediction() == r.label() ? 1 : 0;
    }
    double all = Arrays.stream(right).sum() / l.size();
    double[] acc = new double[BINS];
    for (int k = 0; k < BINS; k++) {
      acc[k] = n[k] > 0 ? right[k] / n[k] : all;
    }
    return acc;
  }

  private static int bin(double[] edges, double v) {
    int k = 0;
    while (k < edges.length && v >= edges[k]) {
      k++;
    }
    return k;
  }
}
