package dev.tandem.workload.head;

/**
 * A trained binary logistic-regression head: {@code P(spam | x) = sigmoid(w . x + b)}, with the
 * L2 regularisation strength it was trained with. Immutable.
 */
public final class Head {
  private final double[] weights;
  private final double bias;
  private final double l2;

  public Head(double[] weights, double bias, double l2) {
    this.weights = weights.clone();
    this.bias = bias;
    this.l2 = l2;
  }

  public double[] weights() {
    return weights.clone();
  }

  public double bias() {
    return bias;
  }

  /** The L2 strength λ of the training objective (mean log-loss + λ/2 ||w||²). */
  public double l2() {
    return l2;
  }

  public int dim() {
    return weights.length;
  }

  /** The logit {@code w . x + b}. */
  public double logit(float[] x) {
    if (x.length != weights.length) {
      throw new IllegalArgumentException("feature vector of " + x.length + ", head of " + weights.length);
    }
    double z = bias;
    for (int i = 0; i < x.length; i++) {
      z += weights[i] * x[i];
    }
    return z;
  }

  /** P(spam | x). */
  public double probability(float[] x) {
    return sigmoid(logit(x));
  }

  static double sigmoid(double z) {
    return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  }
}
