package dev.tandem.tuner.tune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Picks the recommended candidate: the cheapest (by estimated cost per 1,000 decisions) whose
 * one-sided bounds meet every bound objective, or with {@code --target-offload} the one whose
 * estimated offload is nearest the target among those. A candidate with a metric the logs cannot
 * support is never picked on that metric.
 *
 * <p>Against picking a candidate that met its bound by luck among many (the winner's curse), the
 * bounds are Bonferroni-corrected over the candidates compared: each is the point estimate
 * minus (or plus) z(1 - 0.05 / m) bootstrap standard deviations, m the number of candidates, so
 * that with probability at least 95 % no candidate's bound is on the wrong side of its true value
 * (under the bootstrap's normal approximation).
 */
final class Selection {
  static final double ALPHA = 0.05;

  final CandidateEstimate chosen;
  /** The candidate nearest to meeting the objectives, when none meets them all. */
  final CandidateEstimate nearest;
  final List<String> unmet;
  final double z;
  final String explanation;

  private Selection(CandidateEstimate chosen, CandidateEstimate nearest, List<String> unmet, double z,
      String explanation) {
    this.chosen = chosen;
    this.nearest = nearest;
    this.unmet = Collections.unmodifiableList(unmet);
    this.z = z;
    this.explanation = explanation;
  }

  boolean met() {
    return chosen != null;
  }

  /** The Bonferroni-corrected one-sided bound of a metric (NaN when unsupported). */
  static double bound(Estimate e, boolean lower, double z) {
    if (!e.supported || Double.isNaN(e.point)) {
      return Double.NaN;
    }
    double sd = Double.isNaN(e.sd) ? 0 : e.sd;
    return lower ? e.point - z * sd : e.point + z * sd;
  }

  static double zFor(int candidates) {
    return new NormalDistribution().inverseCumulativeProbability(1 - ALPHA / Math.max(1, candidates));
  }

  static boolean meets(CandidateEstimate c, Objectives.Bound b, double z) {
    double v = bound(c.metric(b.metric), b.lower, z);
    return !Double.isNaN(v) && (b.lower ? v >= b.value : v <= b.value);
  }

  static Selection choose(List<CandidateEstimate> candidates, Objectives o) {
    double z = zFor(candidates.size());
    List<Objectives.Bound> bounds = o.bounds();
    List<CandidateEstimate> ok = new ArrayList<>();
    for (CandidateEstimate c : candidates) {
      boolean all = c.costPer1k.supported;
      for (Objectives.Bound b : bounds) {
        all &= meets(c, b, z);
      }
      if (all) {
        ok.add(c);
      }
    }
    if (!ok.isEmpty()) {
      CandidateEstimate best = null;
      for (CandidateEstimate c : ok) {
        if (best == null || better(c, best, o)) {
          best = c;
        }
      }
      String why = !Double.isNaN(o.targetOffload)
          ? String.format(Locale.ROOT, "estimated offload nearest %.4f", o.targetOffload)
          : bounds.isEmpty() ? "the cheapest candidate (no objective given)"
              : "the cheapest candidate meeting " + bounds + " with Bonferroni-corrected one-sided bounds (z = "
                  + String.format(Locale.ROOT, "%.2f", z) + ")";
      return new Selection(best, null, new ArrayList<>(), z, why);
    }
    // which objective cannot be met, even alone?
    List<String> unmet = new ArrayList<>();
    for (Objectives.Bound b : bounds) {
      boolean any = false;
      for (CandidateEstimate c : candidates) {
        any |= meets(c, b, z);
      }
      if (!any) {
        unmet.add(b.toString());
      }
    }
    if (unmet.isEmpty()) {
      unmet.add("the combination " + bounds);
    }
    CandidateEstimate nearest = null;
    double best = Double.POSITIVE_INFINITY;
    for (CandidateEstimate c : candidates) {
      double shortfall = 0;
      for (Objectives.Bound b : bounds) {
        double v = bound(c.metric(b.metric), b.lower, z);
        if (Double.isNaN(v)) {
          shortfall = Double.POSITIVE_INFINITY;
          break;
        }
        double miss = b.lower ? b.value - v : v - b.value;
        shortfall += Math.max(0, miss) / Math.max(1e-12, Math.abs(b.value));
      }
      if (shortfall < best) {
        best = shortfall;
        nearest = c;
      }
    }
    return new Selection(null, nearest, unmet, z, "no candidate meets " + String.join(" and ", unmet)
        + " with Bonferroni-corrected one-sided bounds (z = " + String.format(Locale.ROOT, "%.2f", z) + ")");
  }

  private static boolean better(CandidateEstimate a, CandidateEstimate b, Objectives o) {
    if (!Double.isNaN(o.targetOffload)) {
      double da = Math.abs(a.offload.point - o.targetOffload);
      double db = Math.abs(b.offload.point - o.targetOffload);
      if (da != db) {
        return da < db;
      }
    } else if (a.costPer1k.point != b.costPer1k.point) {
      return a.costPer1k.point < b.costPer1k.point;
    }
    double aa = a.accuracy.supported ? a.accuracy.point : -1;
    double ab = b.accuracy.supported ? b.accuracy.point : -1;
    return aa > ab;
  }
}
