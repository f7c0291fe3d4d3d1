package dev.tandem.tuner.tune;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.commons.math3.distribution.NormalDistribution;

/**
 * Picks the recommended candidate: the cheapest (by estimated cost per 1,000 decisions) among
 * those certified to meet every bound objective, or with {@code --target-offload} the one whose
 * estimated offload is nearest the target among those. A candidate with a metric the logs cannot
 * support is never picked on that metric.
 *
 * <p>Certification is fixed-sequence testing. The candidates are put in an order fixed before any
 * outcome is looked at: by offload, which the replay gives from the signals alone (no label or
 * cloud answer enters it). Each walk through that order certifies a candidate while its one-sided
 * bound (point estimate minus, or plus, z bootstrap standard deviations) is on the right side of
 * the objective, and stops at the first that is not; a candidate the logs cannot support on that
 * metric is passed over (support depends on how many decisions were explored and labelled, not
 * on whether they were right). A walk certifies a wrong candidate only if the first wrong one on
 * its path passes its own test, so each walk errs with at most its test's level, undivided by the
 * number of candidates. An upper bound (cost, p95, offload) walks from the least offload up; a
 * lower bound (accuracy) walks from the most offload down and, when the policy in force is a
 * candidate, also from it down (its estimate needs no counterfactual, so a noisy estimate at the
 * far end where few decisions were explored cannot stop that walk). The 0.05 is split evenly over
 * all walks of all objectives, z = z(1 - 0.05 / walks), so that with probability at least 95 %
 * no certified candidate misses any objective in truth (under the bootstrap's normal
 * approximation); a candidate is recommended only if every objective certifies it.
 */
final class Selection {
  static final double ALPHA = 0.05;

  final CandidateEstimate chosen;
  /** The candidate nearest to meeting the objectives, when none meets them all. */
  final CandidateEstimate nearest;
  final List<String> unmet;
  /** The z of the one-sided bounds: z(1 - 0.05 / number of bound objectives). */
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

  /** The one-sided bound of a metric at {@code z} (NaN when unsupported). */
  static double bound(Estimate e, boolean lower, double z) {
    if (!e.supported || Double.isNaN(e.point)) {
      return Double.NaN;
    }
    double sd = Double.isNaN(e.sd) ? 0 : e.sd;
    return lower ? e.point - z * sd : e.point + z * sd;
  }

  /** z of a one-sided test at level 0.05 / {@code walks}. */
  static double zFor(int walks) {
    return new NormalDistribution().inverseCumulativeProbability(1 - ALPHA / Math.max(1, walks));
  }

  /** Walks per objective: two for a lower bound when the policy in force is a candidate, else one. */
  static int walks(List<CandidateEstimate> candidates, Objectives.Bound b) {
    return b.lower && candidates.stream().anyMatch(c -> c.current) ? 2 : 1;
  }

  static boolean meets(CandidateEstimate c, Objectives.Bound b, double z) {
    double v = bound(c.metric(b.metric), b.lower, z);
    return !Double.isNaN(v) && (b.lower ? v >= b.value : v <= b.value);
  }

  /** The candidates one objective certifies: the union of its walks' certified prefixes. */
  static Set<CandidateEstimate> certified(List<CandidateEstimate> candidates, Objectives.Bound b, double z) {
    List<CandidateEstimate> byOffload = new ArrayList<>(candidates);
    byOffload.sort(Comparator.comparingDouble(c -> c.offload.point)); // stable: ties keep the grid's order
    int current = -1;
    for (int i = 0; i < byOffload.size(); i++) {
      if (byOffload.get(i).current) {
        current = i;
      }
    }
    Set<CandidateEstimate> ok = new HashSet<>();
    if (b.lower) {
      List<CandidateEstimate> down = new ArrayList<>(byOffload);
      Collections.reverse(down);
      walk(down, b, z, ok);
      if (current >= 0) {
        List<CandidateEstimate> fromCurrent = new ArrayList<>(byOffload.subList(0, current + 1));
        Collections.reverse(fromCurrent);
        walk(fromCurrent, b, z, ok);
      }
    } else {
      walk(byOffload, b, z, ok);
    }
    return ok;
  }

  private static void walk(List<CandidateEstimate> path, Objectives.Bound b, double z, Set<CandidateEstimate> ok) {
    for (CandidateEstimate c : path) {
      if (Double.isNaN(bound(c.metric(b.metric), b.lower, z))) {
        continue;
      }
      if (!meets(c, b, z)) {
        return;
      }
      ok.add(c);
    }
  }

  static Selection choose(List<CandidateEstimate> candidates, Objectives o) {
    List<Objectives.Bound> bounds = o.bounds();
    int walks = 0;
    for (Objectives.Bound b : bounds) {
      walks += walks(candidates, b);
    }
    double z = zFor(walks);
    List<Set<CandidateEstimate>> byBound = new ArrayList<>();
    for (Objectives.Bound b : bounds) {
      byBound.add(certified(candidates, b, z));
    }
    List<CandidateEstimate> ok = new ArrayList<>();
    for (CandidateEstimate c : candidates) {
      boolean all = c.costPer1k.supported;
      for (Set<CandidateEstimate> s : byBound) {
        all &= s.contains(c);
      }
      if (all) {
        ok.add(c);
      }
    }
    String how = String.format(Locale.ROOT, "one-sided bounds at z = %.2f: fixed-sequence walks over the candidates"
        + " ordered by offload, 0.05 split over %d walk%s", z, walks, walks == 1 ? "" : "s");
    if (!ok.isEmpty()) {
      CandidateEstimate best = null;
      for (CandidateEstimate c : ok) {
        if (best == null || better(c, best, o)) {
          best = c;
        }
      }
      String why = !Double.isNaN(o.targetOffload)
          ? String.format(Locale.ROOT, "estimated offload nearest %.4f", o.targetOffload)
              + (bounds.isEmpty() ? "" : " among those meeting " + bounds + " (" + how + ")")
          : bounds.isEmpty() ? "the cheapest candidate (no objective given)"
              : "the cheapest candidate meeting " + bounds + " (" + how + ")";
      return new Selection(best, null, new ArrayList<>(), z, why);
    }
    // which objective cannot be met, even alone?
    List<String> unmet = new ArrayList<>();
    for (int i = 0; i < bounds.size(); i++) {
      if (byBound.get(i).isEmpty()) {
        unmet.add(bounds.get(i).toString());
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
        + " (" + how + ")");
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
