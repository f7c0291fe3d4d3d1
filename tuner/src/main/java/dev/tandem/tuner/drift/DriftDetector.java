package dev.tandem.tuner.drift;

import dev.tandem.tuner.observe.DecisionRow;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * Compares a recent window of decisions with a baseline window, per segment, and raises an alarm
 * where a metric moved by at least its minimum effect and significantly.
 *
 * <p>Significance treats the device, not the decision, as the unit: a device's decisions are
 * correlated (same network, same user, same inputs), so each comparison's standard error comes from
 * a bootstrap that resamples whole devices (with their decisions in both windows, keeping the
 * pairing), and its p-value from a Student t with one less degree of freedom than the smaller
 * window's device count. Each run holds all its comparisons together to the false-alarm rate
 * (Bonferroni: each test at rate / number of tests). Metrics a policy moves on purpose are compared
 * only between decisions made under the same policy version.
 */
public final class DriftDetector {
  private DriftDetector() {}

  /** Runs every comparison the data supports. */
  public static DriftResult detect(List<DecisionRow> baseline, List<DecisionRow> window, DriftOptions o) {
    List<String> notes = new ArrayList<>();
    List<Finding> tests = new ArrayList<>();
    Map<String, Calibration> calibrations = new LinkedHashMap<>();
    TreeSet<String> hashes = new TreeSet<>();
    window.forEach(r -> hashes.add(r.edgeModelHash()));
    for (String hash : hashes) {
      List<DecisionRow> b = baseline.stream().filter(r -> r.edgeModelHash().equals(hash)).toList();
      List<DecisionRow> w = window.stream().filter(r -> r.edgeModelHash().equals(hash)).toList();
      if (b.isEmpty()) {
        notes.add("edge model " + shortHash(hash) + " has no decisions in the baseline (a new model):"
            + " nothing compared for it");
        continue;
      }
      Calibration cal = Calibration.fit(b);
      if (cal == null) {
        notes.add("edge model " + shortHash(hash) + ": fewer than " + Calibration.MIN_LABELLED
            + " labelled baseline decisions, so no label-free accuracy estimate");
      } else {
        calibrations.put(hash, cal);
      }
      for (Segment s : segments(hash, w)) {
        List<DecisionRow> sb = b.stream().filter(s::contains).toList();
        List<DecisionRow> sw = w.stream().filter(s::contains).toList();
        compareSegment(s, sb, sw, cal, o, tests, notes);
      }
    }
    int m = tests.size();
    List<Finding> findings = new ArrayList<>();
    for (Finding f : tests) {
      findings.add(f.withThreshold(m == 0 ? 0 : o.falseAlarmRate() / m));
    }
    return new DriftResult(findings, notes, calibrations, o.falseAlarmRate());
  }

  private static List<Segment> segments(String hash, List<DecisionRow> w) {
    List<Segment> s = new ArrayList<>();
    s.add(new Segment(hash, "all", ""));
    new TreeSet<>(w.stream().map(DecisionRow::network).toList()).forEach(n -> s.add(new Segment(hash, "network", n)));
    new TreeSet<>(w.stream().map(DecisionRow::deviceClass).toList())
        .forEach(c -> s.add(new Segment(hash, "device_class", c)));
    return s;
  }

  private static void compareSegment(Segment s, List<DecisionRow> b, List<DecisionRow> w, Calibration cal,
      DriftOptions o, List<Finding> tests, List<String> notes) {
    Predicate<DecisionRow> edge = r -> r.hasEdge() && !Double.isNaN(r.maxProb());
    add(tests, shift(s, Metric.MAX_PROB_SHIFT, b, w, DecisionRow::maxProb, edge, o, notes));
    add(tests, shift(s, Metric.MARGIN_SHIFT, b, w, DecisionRow::margin, edge, o, notes));
    add(tests, shift(s, Metric.ENTROPY_SHIFT, b, w, DecisionRow::entropy, edge, o, notes));
    if (cal != null) {
      Comparison c = ratio(s, Metric.ESTIMATED_ACCURACY, -1, b, w, r -> cal.estimate(r.maxProb()), edge, false,
          o.minRecords(), o, notes);
      if (c != null) {
        add(tests, c.finding(c.stat));
      }
    }
    TreeSet<Long> versions = new TreeSet<>(w.stream().map(DecisionRow::policyVersion).toList());
    for (long v : versions) {
      List<DecisionRow> bv = b.stream().filter(r -> r.policyVersion() == v).toList();
      List<DecisionRow> wv = w.stream().filter(r -> r.policyVersion() == v).toList();
      if (bv.size() < o.minRecords()) {
        notes.add(s.label() + ": policy v" + v + " has " + bv.size() + " baseline decisions (needs "
            + o.minRecords() + "): its offload, fallback, cost, p95 and agreement are not compared until the"
            + " baseline holds enough decisions made under it");
        continue;
      }
      Predicate<DecisionRow> explored = r -> (r.explored() || r.shadow()) && r.hasEdge() && r.hasCloudAnswer();
      Comparison agree = ratio(s, Metric.AGREEMENT_EXPLORED, v, bv, wv,
          r -> r.edgePrediction() == r.cloudPrediction() ? 1 : 0, explored, false, o.minExplored(), o, notes);
      if (agree != null) {
        add(tests, agree.finding(agree.stat));
      }
      Comparison off = ratio(s, Metric.OFFLOAD_RATE, v, bv, wv, r -> r.offloaded() ? 1 : 0, r -> true, false,
          o.minRecords(), o, notes);
      if (off != null) {
        add(tests, off.finding(off.stat));
      }
      Comparison fb = ratio(s, Metric.FALLBACK_RATE, v, bv, wv, r -> r.fallback() ? 1 : 0, DecisionRow::offloaded,
          false, o.minExplored(), o, notes);
      if (fb != null) {
        add(tests, fb.finding(fb.stat));
      }
      Comparison cost = ratio(s, Metric.COST_PER_1K, v, bv, wv, r -> 1000 * r.costUsd(), r -> true, true,
          o.minRecords(), o, notes);
      if (cost != null) {
        add(tests, cost.finding(cost.stat));
      }
      double q = quantile(bv.stream().mapToDouble(DecisionRow::latencyMs).toArray(), 0.95);
      Comparison slow = ratio(s, Metric.P95_LATENCY, v, bv, wv, r -> r.latencyMs() > q ? 1 : 0, r -> true, false,
          o.minRecords(), o, notes);
      if (slow != null) {
        double wq = quantile(wv.stream().mapToDouble(DecisionRow::latencyMs).toArray(), 0.95);
        Comparison shown = slow.withValues(q, wq);
        add(tests, shown.finding(q > 0 ? wq / q - 1 : 0));
      }
    }
  }

  private static void add(List<Finding> tests, Finding f) {
    if (f != null) {
      tests.add(f);
    }
  }

  /**
   * A confidence shift: significance from the device-level bootstrap of the signal's mean, effect
   * the two-sample Kolmogorov-Smirnov distance, signed by the direction of the mean's move.
   */
  private static Finding shift(Segment s, Metric m, List<DecisionRow> b, List<DecisionRow> w,
      ToDoubleFunction<DecisionRow> value, Predicate<DecisionRow> in, DriftOptions o, List<String> notes) {
    Comparison c = ratio(s, m, -1, b, w, value, in, false, o.minRecords(), o, notes);
    if (c == null) {
      return null;
    }
    double[] x = b.stream().filter(in).mapToDouble(value).toArray();
    double[] y = w.stream().filter(in).mapToDouble(value).toArray();
    double d = new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(x, y);
    return c.finding(Math.copySign(d, c.stat));
  }

  /** A ratio of sums (e.g. offloaded / decisions) in each window, with its device-level bootstrap. */
  private static Comparison ratio(Segment s, Metric m, long version, List<DecisionRow> b, List<DecisionRow> w,
      ToDoubleFunction<DecisionRow> num, Predicate<DecisionRow> den, boolean relative, int minCount,
      DriftOptions o, List<String> notes) {
    Map<String, Integer> index = new HashMap<>();
    List<double[]> dev = new ArrayList<>();
    for (int side = 0; side < 2; side++) {
      for (DecisionRow r : side == 0 ? b : w) {
        if (!den.test(r)) {
          continue;
        }
        int i = index.computeIfAbsent(r.device(), k -> {
          dev.add(new double[4]);
          return dev.size() - 1;
        });
        double[] a = dev.get(i);
        a[side * 2] += num.applyAsDouble(r);
        a[side * 2 + 1] += 1;
      }
    }
    int nd = dev.size();
    double[][] d = dev.toArray(new double[0][]);
    int devB = 0;
    int devW = 0;
    long cb = 0;
    long cw = 0;
    for (double[] a : d) {
      devB += a[1] > 0 ? 1 : 0;
      devW += a[3] > 0 ? 1 : 0;
      cb += (long) a[1];
      cw += (long) a[3];
    }
    String where = s.label() + " " + m.jsonName() + (version >= 0 ? " policy=v" + version : "");
    if (devB < o.minDevices() || devW < o.minDevices() || cb < minCount || cw < minCount) {
      notes.add(where + ": not compared, too little data (" + devB + "/" + devW + " devices, " + cb + "/" + cw
          + " decisions in baseline/window; needs " + o.minDevices() + " devices and " + minCount + ")");
      return null;
    }
    double[] full = sums(d, null);
    double rb = full[0] / full[1];
    double rw = full[2] / full[3];
    double stat = relative ? rw / rb - 1 : rw - rb;
    SplittableRandom rnd = new SplittableRandom(o.seed() * 31 + where.hashCode());
    double[] boot = new double[o.bootstrap()];
    int[] pick = new int[nd];
    int k = 0;
    for (int i = 0; i < o.bootstrap(); i++) {
      for (int j = 0; j < nd; j++) {
        pick[j] = rnd.nextInt(nd);
      }
      double[] t = sums(d, pick);
      if (t[1] == 0 || t[3] == 0 || (relative && t[0] == 0)) {
        continue;
      }
      double bb = t[0] / t[1];
      double ww = t[2] / t[3];
      boot[k++] = relative ? ww / bb - 1 : ww - bb;
    }
    double se = sd(Arrays.copyOf(boot, k));
    int df = Math.max(1, Math.min(devB, devW) - 1);
    double p = pValue(stat, se, df, m.direction());
    return new Comparison(s, m, version, rb, rw, stat, p, devB, devW, cb, cw, o.minEffect(m));
  }

  private static double pValue(double stat, double se, int df, Metric.Direction dir) {
    if (!(se > 0)) {
      boolean moved = switch (dir) {
        case UP -> stat > 0;
        case DOWN -> stat < 0;
        case EITHER -> stat != 0;
      };
      return moved ? 0 : 1;
    }
    TDistribution t = new TDistribution(df);
    double z = stat / se;
    return switch (dir) {
      case UP -> 1 - t.cumulativeProbability(z);
      case DOWN -> t.cumulativeProbability(z);
      case EITHER -> 2 * (1 - t.cumulativeProbability(Math.abs(z)));
    };
  }

  private static double[] sums(double[][] d, int[] pick) {
    double[] t = new double[4];
    int n = pick == null ? d.length : pick.length;
    for (int j = 0; j < n; j++) {
      double[] a = d[pick == null ? j : pick[j]];
      t[0] += a[0];
      t[1] += a[1];
      t[2] += a[2];
      t[3] += a[3];
    }
    return t;
  }

  private static double sd(double[] v) {
    if (v.length < 2) {
      return Double.NaN;
    }
    double mean = Arrays.stream(v).average().orElse(0);
    double ss = 0;
    for (double x : v) {
      ss += (x - mean) * (x - mean);
    }
    return Math.sqrt(ss / (v.length - 1));
  }

  static double quantile(double[] v, double q) {
    if (v.length == 0) {
      return Double.NaN;
    }
    double[] s = v.clone();
    Arrays.sort(s);
    double pos = q * (s.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(s.length - 1, lo + 1);
    return s[lo] + (pos - lo) * (s[hi] - s[lo]);
  }

  static String shortHash(String h) {
    return h.length() > 8 ? h.substring(0, 8) : (h.isEmpty() ? "-" : h);
  }

  /** A comparison before the run's significance level is known. */
  private record Comparison(Segment s, Metric m, long version, double baseline, double window, double stat,
      double p, int devB, int devW, long cb, long cw, double minEffect) {
    Finding finding(double effect) {
      return new Finding(s, m, version, baseline, window, effect, minEffect, p, Double.NaN, devB, devW, cb, cw,
          false);
    }

    Comparison withValues(double b, double w) {
      return new Comparison(s, m, version, b, w, stat, p, devB, devW, cb, cw, minEffect);
    }
  }
}
