package dev.tandem.agent.smoke;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Two traces of the same model on the same input (for example x86-64 and arm64) compared tensor
 * by tensor in the reference's graph order: how many elements differ, by how much at most, and
 * how large the values are. Names the first tensor that differs at all and the first that
 * differs by more than a threshold. Immutable; {@link #of} does all the work.
 */
final class TraceComparison {
  /** One tensor's comparison. */
  static final class Row {
    final String name;
    final int elements;
    final int differing;
    final double maxAbsDiff;
    final double maxMagnitude;

    Row(String name, int elements, int differing, double maxAbsDiff, double maxMagnitude) {
      this.name = name;
      this.elements = elements;
      this.differing = differing;
      this.maxAbsDiff = maxAbsDiff;
      this.maxMagnitude = maxMagnitude;
    }

    String describe() {
      return String.format(Locale.ROOT, "%s (%d of %d elements differ, max |diff| %.3e, max |value| %.3e)",
          name, differing, elements, maxAbsDiff, maxMagnitude);
    }
  }

  private final TraceDump reference;
  private final TraceDump candidate;
  private final double threshold;
  private final List<Row> rows;
  private final List<String> problems;

  private TraceComparison(TraceDump reference, TraceDump candidate, double threshold,
      List<Row> rows, List<String> problems) {
    this.reference = reference;
    this.candidate = candidate;
    this.threshold = threshold;
    this.rows = Collections.unmodifiableList(rows);
    this.problems = Collections.unmodifiableList(problems);
  }

  /**
   * Compares the tensors both traces hold. A tensor missing from either side, or with another
   * shape, is a problem, not an exception. A NaN counts as differing unless both sides hold the
   * same bits.
   *
   * @throws IllegalArgumentException if the threshold is negative or not finite
   */
  static TraceComparison of(TraceDump reference, TraceDump candidate, double threshold) {
    if (!(threshold >= 0) || Double.isInfinite(threshold)) {
      throw new IllegalArgumentException("threshold must be finite and >= 0, got " + threshold);
    }
    Map<String, TraceDump.Entry> other = new HashMap<>();
    for (TraceDump.Entry e : candidate.tensors) {
      other.put(e.name, e);
    }
    List<Row> rows = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (TraceDump.Entry a : reference.tensors) {
      TraceDump.Entry b = other.remove(a.name);
      if (b == null) {
        problems.add("'" + a.name + "' is only in the reference trace");
        continue;
      }
      if (!Arrays.equals(a.shape, b.shape)) {
        problems.add("'" + a.name + "' has shape " + Arrays.toString(a.shape) + " vs "
            + Arrays.toString(b.shape));
        continue;
      }
      int differing = 0;
      double max = 0;
      double magnitude = 0;
      for (int i = 0; i < a.values.length; i++) {
        float x = a.values[i];
        float y = b.values[i];
        magnitude = Math.max(magnitude, Math.max(Math.abs((double) x), Math.abs((double) y)));
        if (Float.floatToIntBits(x) != Float.floatToIntBits(y)) {
          differing++;
          double d = Math.abs((double) x - (double) y);
          max = Math.max(max, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
        }
      }
      rows.add(new Row(a.name, a.values.length, differing, max, magnitude));
    }
    for (TraceDump.Entry b : candidate.tensors) {
      if (other.containsKey(b.name)) {
        problems.add("'" + b.name + "' is only in the candidate trace");
      }
    }
    return new TraceComparison(reference, candidate, threshold, rows, problems);
  }

  /** The per-tensor rows, in the reference's graph order. */
  List<Row> rows() {
    return rows;
  }

  /** Tensors missing from one side or shaped differently. */
  List<String> problems() {
    return problems;
  }

  /** The first tensor (graph order) with any differing element. */
  Optional<Row> firstDiffering() {
    for (Row r : rows) {
      if (r.differing > 0) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The first tensor (graph order) with an element differing by more than the threshold. */
  Optional<Row> firstAboveThreshold() {
    for (Row r : rows) {
      if (r.maxAbsDiff > threshold) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** True when both traces hold the same tensors, bit for bit. */
  boolean identical() {
    return problems.isEmpty() && !firstDiffering().isPresent();
  }

  /** The summary (where the two traces part) followed by the per-tensor table. */
  String report() {
    StringBuilder sb = new StringBuilder();
    sb.append("trace of '").append(reference.id).append("': reference ").append(reference.arch)
        .append(", candidate ").append(candidate.arch).append('\n');
    if (!reference.id.equals(candidate.id)) {
      sb.append("warning: the candidate traced '").append(candidate.id).append("'\n");
    }
    sb.append("model sha256: ").append(shaLine(reference.modelSha256, candidate.modelSha256)).append('\n');
    sb.append("optimized graph sha256: ").append(shaLine(reference.graphSha256, candidate.graphSha256))
        .append('\n');
    sb.append("float tensors compared: ").append(rows.size()).append('\n');
    Optional<Row> first = firstDiffering();
    sb.append("first differing tensor: ")
        .append(first.isPresent() ? first.get().describe() : "none (every tensor is bit-identical)")
        .append('\n');
    Optional<Row> above = firstAboveThreshold();
    sb.append(String.format(Locale.ROOT, "first tensor differing by more than %.1e: ", threshold))
        .append(above.isPresent() ? above.get().describe() : "none")
        .append('\n');
    for (String p : problems) {
      sb.append("problem: ").append(p).append('\n');
    }
    int width = 6;
    for (Row r : rows) {
      width = Math.max(width, r.name.length());
    }
    sb.append(String.format(Locale.ROOT, "%-" + width + "s %9s %9s %10s %10s%n",
        "tensor", "elements", "differ", "max|diff|", "max|value|"));
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "%-" + width + "s %9d %9d %10.3e %10.3e%n",
          r.name, r.elements, r.differing, r.maxAbsDiff, r.maxMagnitude));
    }
    return sb.toString();
  }

  private static String shaLine(String a, String b) {
    return a.equals(b) ? "identical (" + abbreviate(a) + ")" : "DIFFERENT (" + abbreviate(a) + " vs " + abbreviate(b) + ")";
  }

  private static String abbreviate(String sha) {
    return sha.length() > 12 ? sha.substring(0, 12) : sha;
  }
}
