package dev.tandem.runtime.signal;

import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Signals from a classification output: one float32 row of class scores ({@code [C]} or
 * {@code [1, C]}, any leading dimensions of size 1). By default the scores are used as
 * probabilities when they already are (each in [0, 1], summing to 1 within 1e-3) and put through
 * softmax otherwise; {@link #logits()} and {@link #probabilities()} say which they are. A single
 * score ({@code C == 1}) is a binary classifier's positive class, turned into {@code [1 - p, p]}
 * (through the sigmoid when it is a logit).
 *
 * <pre>{@code
 * ClassificationScorer scorer = ClassificationScorer.output("probabilities").probabilities();
 * Signals s = scorer.score(session.run(inputs));
 * }</pre>
 *
 * <p>Immutable and thread-safe; costs one pass over the row (two with softmax).
 */
public final class ClassificationScorer {
  /** Whether the scores are logits to put through softmax (or sigmoid, for one score). */
  enum Softmax {
    /** The scores are logits: always apply softmax (sigmoid for one score). */
    ON,
    /** The scores are probabilities already: use them as they are. */
    OFF,
    /**
     * Use the scores as probabilities when they already are (each in [0, 1], summing to 1 within
     * 1e-3; a single score within [0, 1]), otherwise apply softmax (sigmoid).
     */
    AUTO
  }

  /** Tolerance of AUTO's "sums to 1" test; float32 softmax outputs sum to 1 within ~1e-6. */
  static final double SUM_TOLERANCE = 1e-3;

  private final String output;
  private final Softmax softmax;

  private ClassificationScorer(String output, Softmax softmax) {
    this.output = output;
    this.softmax = softmax;
  }

  private static final ClassificationScorer FIRST_OUTPUT = new ClassificationScorer("", Softmax.AUTO);

  /** The scorer of the model's first output, telling logits from probabilities by their values. */
  public static ClassificationScorer firstOutput() {
    return FIRST_OUTPUT;
  }

  /**
   * The scorer of the output named {@code name}, telling logits from probabilities by their values.
   *
   * @throws IllegalArgumentException if the name is empty
   */
  public static ClassificationScorer output(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("output name must not be empty");
    }
    return new ClassificationScorer(name, Softmax.AUTO);
  }

  /** This scorer, for scores that are logits: always put through softmax (sigmoid for one score). */
  public ClassificationScorer logits() {
    return new ClassificationScorer(output, Softmax.ON);
  }

  /** This scorer, for scores that are probabilities already: used as they are. */
  public ClassificationScorer probabilities() {
    return new ClassificationScorer(output, Softmax.OFF);
  }

  /** The output read, or an empty string for the first output. */
  public String outputName() {
    return output;
  }

  /**
   * @throws IllegalArgumentException if the output is missing, not float32, holds more than one
   *     row, is empty or non-finite, or (with {@link #probabilities()}) holds a negative score
   */
  public Signals score(List<Tensor> outputs) {
    Objects.requireNonNull(outputs, "outputs");
    Tensor t = pick(outputs);
    if (t.type() != ElementType.FLOAT32) {
      throw new IllegalArgumentException("output '" + t.name() + "' is " + t.type()
          + ": a classification output must be float32");
    }
    long[] shape = t.shape();
    for (int i = 0; i + 1 < shape.length; i++) {
      if (shape[i] != 1) {
        throw new IllegalArgumentException("output '" + t.name() + "' has shape " + Arrays.toString(shape)
            + ": expected one row of class scores, [C] or [1, C]");
      }
    }
    float[] scores = t.toFloatArray();
    if (scores.length == 0) {
      throw new IllegalArgumentException("output '" + t.name() + "' is empty: expected at least one class score");
    }
    for (int i = 0; i < scores.length; i++) {
      if (Float.isNaN(scores[i]) || Float.isInfinite(scores[i])) {
        throw new IllegalArgumentException("output '" + t.name() + "' score " + i + " is " + scores[i]
            + ": expected finite scores");
      }
    }
    return Signals.fromProbabilities(probabilities(scores));
  }

  float[] probabilities(float[] scores) {
    if (scores.length == 1) {
      double p = scores[0];
      boolean logit = softmax == Softmax.ON || (softmax == Softmax.AUTO && !(p >= 0 && p <= 1));
      if (logit) {
        p = 1 / (1 + Math.exp(-p));
      }
      return new float[] {(float) (1 - p), (float) p};
    }
    boolean apply = softmax == Softmax.ON || (softmax == Softmax.AUTO && !looksLikeProbabilities(scores));
    return apply ? softmax(scores) : scores;
  }

  static boolean looksLikeProbabilities(float[] scores) {
    double sum = 0;
    for (float s : scores) {
      if (s < 0 || s > 1) {
        return false;
      }
      sum += s;
    }
    return Math.abs(sum - 1) <= SUM_TOLERANCE;
  }

  /** Numerically stable softmax in double precision. */
  static float[] softmax(float[] logits) {
    double max = Double.NEGATIVE_INFINITY;
    for (float l : logits) {
      max = Math.max(max, l);
    }
    double[] e = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      e[i] = Math.exp(logits[i] - max);
      sum += e[i];
    }
    float[] p = new float[logits.length];
    for (int i = 0; i < logits.length; i++) {
      p[i] = (float) (e[i] / sum);
    }
    return p;
  }

  private Tensor pick(List<Tensor> outputs) {
    if (outputs.isEmpty()) {
      throw new IllegalArgumentException("no outputs to score");
    }
    if (output.isEmpty()) {
      return outputs.get(0);
    }
    List<String> names = new ArrayList<>();
    for (Tensor t : outputs) {
      if (t.name().equals(output)) {
        return t;
      }
      names.add(t.name());
    }
    throw new IllegalArgumentException("no output '" + output + "' to score: the outputs are " + names);
  }

  @Override
  public String toString() {
    return "ClassificationScorer{output=" + (output.isEmpty() ? "<first>" : output) + ", softmax=" + softmax + "}";
  }
}
