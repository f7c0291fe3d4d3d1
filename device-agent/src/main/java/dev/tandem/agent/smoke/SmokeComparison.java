package dev.tandem.agent.smoke;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The comparison of two smoke runs of the same model on the same messages (for example
 * x86-64 natively against arm64 under emulation): top-1 must be equal on every message and
 * every value within a tolerance. Immutable; {@link #of} does all the work.
 */
public final class SmokeComparison {
  private final int count;
  private final int identical;
  private final double tolerance;
  private final double maxAbsDiff;
  private final String maxDiffId;
  private final List<String> top1Mismatches;
  private final List<String> problems;

  private SmokeComparison(
      int count,
      int identical,
      double tolerance,
      double maxAbsDiff,
      String maxDiffId,
      List<String> top1Mismatches,
      List<String> problems) {
    this.count = count;
    this.identical = identical;
    this.tolerance = tolerance;
    this.maxAbsDiff = maxAbsDiff;
    this.maxDiffId = maxDiffId;
    this.top1Mismatches = Collections.unmodifiableList(top1Mismatches);
    this.problems = Collections.unmodifiableList(problems);
  }

  /**
   * Compares {@code reference} with {@code candidate} record by record, in order.
   *
   * <p>Structural differences (different counts, ids out of step, different value counts, a
   * non-finite value) are reported as problems and fail the comparison; they never throw.
   *
   * @throws IllegalArgumentException if the tolerance is negative or not finite
   */
  public static SmokeComparison of(
      List<SmokeRecord> reference, List<SmokeRecord> candidate, double tolerance) {
    if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
      throw new IllegalArgumentException("tolerance must be finite and >= 0, got " + tolerance);
    }
    List<String> problems = new ArrayList<>();
    List<String> mismatches = new ArrayList<>();
    if (reference.isEmpty()) {
      problems.add("the reference run has no records");
    }
    if (reference.size() != candidate.size()) {
      problems.add(
          "record counts differ: reference " + reference.size() + ", candidate " + candidate.size());
    }
    double max = 0;
    String maxId = "";
    int identical = 0;
    int n = Math.min(reference.size(), candidate.size());
    for (int i = 0; i < n; i++) {
      SmokeRecord r = reference.get(i);
      SmokeRecord c = candidate.get(i);
      if (!r.id().equals(c.id())) {
        problems.add("record " + i + ": ids differ: '" + r.id() + "' vs '" + c.id() + "'");
        continue;
      }
      if (r.size() != c.size()) {
        problems.add(
            "record '" + r.id() + "': " + r.size() + " values vs " + c.size() + " values");
        continue;
      }
      if (r.top1() != c.top1()) {
        mismatches.add(r.id());
      }
      if (r.equals(c)) {
        identical++;
      }
      for (int k = 0; k < r.size(); k++) {
        double d = Math.abs((double) r.value(k) - (double) c.value(k));
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          problems.add("record '" + r.id() + "': value " + k + " is not finite");
        } else if (d > max) {
          max = d;
          maxId = r.id();
        }
      }
    }
    return new SmokeComparison(n, identical, tolerance, max, maxId, mismatches, problems);
  }

  /** Records compared (the shorter run's length). */
  public int count() {
    return count;
  }

  /** Records whose values are bit-for-bit the same in both runs. */
  public int identical() {
    return identical;
  }

  public double tolerance() {
    return tolerance;
  }

  /** The largest absolute difference of any value of any message. */
  public double maxAbsDiff() {
    return maxAbsDiff;
  }

  /** The id of the message with the largest difference; empty when nothing differed. */
  public String maxDiffId() {
    return maxDiffId;
  }

  /** Ids of the messages whose top-1 differs. */
  public List<String> top1Mismatches() {
    return top1Mismatches;
  }

  /** Structural problems (counts, ids, sizes, non-finite values). */
  public List<String> problems() {
    return problems;
  }

  /** True when there are no problems, no top-1 mismatches and the max difference is within tolerance. */
  public boolean passed() {
    return problems.isEmpty() && top1Mismatches.isEmpty() && maxAbsDiff <= tolerance;
  }

  /**
   * One line: {@code PASS}, or {@code FAIL: } with every reason (structural problems, top-1
   * mismatches, the max difference over the tolerance), e.g. "FAIL: top-1 equal on 300/300, but
   * max |diff| 3.780e-02 exceeds the tolerance 1.0e-03 (at m4)".
   */
  public String verdict() {
    if (passed()) {
      return "PASS";
    }
    List<String> reasons = new ArrayList<>();
    if (!problems.isEmpty()) {
      reasons.add(problems.size() + (problems.size() == 1 ? " structural problem" : " structural problems"));
    }
    if (!top1Mismatches.isEmpty()) {
      reasons.add("top-1 differs on " + top1Mismatches.size() + "/" + count + " messages");
    }
    if (maxAbsDiff > tolerance) {
      String diff = String.format(Locale.ROOT, "max |diff| %.3e exceeds the tolerance %.1e (at %s)",
          maxAbsDiff, tolerance, maxDiffId);
      reasons.add(top1Mismatches.isEmpty() && problems.isEmpty()
          ? "top-1 equal on " + count + "/" + count + ", but " + diff
          : diff);
    }
    return "FAIL: " + String.join("; ", reasons);
  }

  /** A few lines for a person: the verdict, the count, top-1 agreement and the max difference. */
  public String report() {
    StringBuilder sb = new StringBuilder();
    sb.append(verdict()).append('\n');
    sb.append("messages compared: ").append(count).append('\n');
    sb.append("top-1 equal: ")
        .append(count - top1Mismatches.size())
        .append('/')
        .append(count)
        .append('\n');
    sb.append("bit-identical: ").append(identical).append('/').append(count).append('\n');
    sb.append(
        String.format(
            Locale.ROOT,
            "max |diff|: %.3e (tolerance %.1e)%s%n",
            maxAbsDiff,
            tolerance,
            maxDiffId.isEmpty() ? "" : " at " + maxDiffId));
    for (String id : top1Mismatches) {
      sb.append("top-1 differs: ").append(id).append('\n');
    }
    for (String p : problems) {
      sb.append("problem: ").append(p).append('\n');
    }
    return sb.toString();
  }
}
