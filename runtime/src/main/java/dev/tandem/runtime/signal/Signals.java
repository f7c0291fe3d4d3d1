package dev.tandem.runtime.signal;

import java.util.Arrays;
import java.util.Objects;

/**
 * Confidence signals of one classification answer: the class probabilities, the top-1 class,
 * its probability, the margin to the runner-up and the entropy. Immutable.
 */
public final class Signals {
  private final float[] probabilities;
  private final int top1;
  private final double maxProb;
  private final double margin;
  private final double entropy;

  private Signals(float[] probabilities, int top1, double maxProb, double margin, double entropy) {
    this.probabilities = probabilities;
    this.top1 = top1;
    this.maxProb = maxProb;
    this.margin = margin;
    this.entropy = entropy;
  }

  /**
   * Signals computed from a probability vector (non-negative, summing to about 1).
   *
   * @throws IllegalArgumentException if the vector is empty or holds a negative or non-finite value
   */
  public static Signals fromProbabilities(float[] probabilities) {
    Objects.requireNonNull(probabilities, "probabilities");
    if (probabilities.length == 0) {
      throw new IllegalArgumentException("probabilities must not be empty");
    }
    int best = 0;
    double first = Double.NEGATIVE_INFINITY;
    double second = 0;
    double entropy = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double p = probabilities[i];
      if (!(p >= 0) || Double.isInfinite(p)) {
        throw new IllegalArgumentException(
            "probability " + i + " is " + p + ": expected a finite value >= 0 in " + Arrays.toString(probabilities));
      }
      if (p > first) {
        second = Math.max(first, second);
        first = p;
        best = i;
      } else if (p > second) {
        second = p;
      }
      if (p > 0) {
        entropy -= p * Math.log(p);
      }
    }
    return new Signals(probabilities.clone(), best, first, first - second, entropy);
  }

  /**
   * Signals as recorded: the values are taken as given, so that a replay sees exactly what the
   * live decision saw.
   */
  public static Signals of(float[] probabilities, int top1, double maxProb, double margin, double entropy) {
    return new Signals(probabilities == null ? new float[0] : probabilities.clone(), top1, maxProb, margin, entropy);
  }

  /** A copy of the class probabilities. */
  public float[] probabilities() {
    return probabilities.clone();
  }

  /** Index of the most probable class. */
  public int top1() {
    return top1;
  }

  public double maxProb() {
    return maxProb;
  }

  public double margin() {
    return margin;
  }

  /** Shannon entropy in nats. */
  public double entropy() {
    return entropy;
  }

  /** The value of one signal. */
  public double value(SignalKind kind) {
    switch (kind) {
      case MAX_PROB:
        return maxProb;
      case MARGIN:
        return margin;
      case ENTROPY:
        return entropy;
      default:
        throw new IllegalArgumentException("unknown signal " + kind);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Signals)) {
      return false;
    }
    Signals s = (Signals) o;
    return top1 == s.top1 && maxProb == s.maxProb && margin == s.margin && entropy == s.entropy
        && Arrays.equals(probabilities, s.probabilities);
  }

  @Override
  public int hashCode() {
    return Objects.hash(top1, maxProb, margin, entropy, Arrays.hashCode(probabilities));
  }

  @Override
  public String toString() {
    return "Signals{top1=" + top1 + ", maxProb=" + maxProb + ", margin=" + margin + ", entropy=" + entropy + "}";
  }
}
