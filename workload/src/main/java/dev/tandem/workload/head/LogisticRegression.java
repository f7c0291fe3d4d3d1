package dev.tandem.workload.head;

import dev.tandem.workload.Progress;
import java.util.List;

/**
 * L2-regularised binary logistic regression fitted by Newton's method (iteratively reweighted
 * least squares), and the choice of its regularisation on a held-out part.
 *
 * <p>Design: the problems here are small (a few thousand 384-wide sentence vectors), so the
 * exact Newton step (a 385 x 385 Cholesky solve) converges in about ten iterations to the
 * unique optimum of the strictly convex objective, deterministically; no learning rate or
 * iteration budget to tune. Objective: mean log-loss + λ/2 ||w||² (the bias is not penalised).
 */
public final class LogisticRegression {
  private static final int MAX_ITERATIONS = 50;
  private static final double TOLERANCE = 1e-10;

  private LogisticRegression() {}

  /**
   * Fits a head on rows {@code x} with labels {@code y} (0 or 1).
   *
   * @throws IllegalArgumentException if the sizes disagree, there are no rows, or λ is negative
   */
  public static Head fit(List<float[]> x, int[] y, double l2) {
    if (x.size() != y.length || x.isEmpty()) {
      throw new IllegalArgumentException("rows " + x.size() + " and labels " + y.length + " must match and be non-empty");
    }
    if (!(l2 >= 0)) {
      throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
    }
    int n = x.size();
    int d = x.get(0).length;
    int p = d + 1; // last parameter is the bias
    double[] theta = new double[p];
    double previous = Double.POSITIVE_INFINITY;
    for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
      double[] grad = new double[p];
      double[] hess = new double[p * p];
      double loss = 0;
      for (int i = 0; i < n; i++) {
        float[] xi = x.get(i);
        double z = theta[d];
        for (int j = 0; j < d; j++) {
          z += theta[j] * xi[j];
        }
        double mu = Head.sigmoid(z);
        loss += y[i] == 1 ? softplus(-z) : softplus(z);
        double r = (mu - y[i]) / n;
        double w = Math.max(mu * (1 - mu), 1e-12) / n;
        for (int j = 0; j < d; j++) {
          grad[j] += r * xi[j];
          double wx = w * xi[j];
          int row = j * p;
          for (int k = 0; k <= j; k++) {
            hess[row + k] += wx * xi[k];
          }
          hess[d * p + j] += wx; // bias row
        }
        grad[d] += r;
        hess[d * p + d] += w;
      }
      loss /= n;
      for (int j = 0; j < d; j++) {
        loss += 0.5 * l2 * theta[j] * theta[j];
        grad[j] += l2 * theta[j];
        hess[j * p + j] += l2;
      }
      hess[d * p + d] += 1e-10; // keeps the bias pivot positive on separable data
      // Mirror the lower triangle (j >= k) into the upper one.
      for (int j = 0; j < p; j++) {
        for (int k = j + 1; k < p; k++) {
          hess[j * p + k] = hess[k * p + j];
        }
      }
      double[] step = choleskySolve(hess, grad, p);
      // Newton step with backtracking: the full step is taken once close to the optimum.
      double t = 1;
      double[] next = new double[p];
      double nextLoss;
      do {
        for (int j = 0; j < p; j++) {
          next[j] = theta[j] - t * step[j];
        }
        nextLoss = objective(x, y, next, l2);
        t /= 2;
      } while (nextLoss > loss + 1e-12 && t > 1e-6);
      System.arraycopy(next, 0, theta, 0, p);
      if (Math.abs(previous - nextLoss) < TOLERANCE * Math.max(1, Math.abs(nextLoss))) {
        break;
      }
      previous = nextLoss;
    }
    double[] w = new double[d];
    System.arraycopy(theta, 0, w, 0, d);
    return new Head(w, theta[d], l2);
  }

  /** The regularisation grid {@link #select} tries, strongest last. */
  public static final double[] L2_GRID = {1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1};

  /**
   * Fits one head per λ of {@link #L2_GRID} on the train rows and keeps the one with the best
   * accuracy on the calibration rows (ties: the lower calibration log-loss). The test part is
   * never seen here.
   */
  public static Head select(List<float[]> trainX, int[] trainY, List<float[]> calX, int[] calY, boolean progress) {
    Head best = null;
    double bestAccuracy = -1;
    double bestLoss = Double.POSITIVE_INFINITY;
    try (Progress bar = Progress.start("train heads", L2_GRID.length, progress)) {
      for (double l2 : L2_GRID) {
        Head h = fit(trainX, trainY, l2);
        double acc = accuracy(h, calX, calY);
        double loss = logLoss(h, calX, calY);
        if (acc > bestAccuracy || (acc == bestAccuracy && loss < bestLoss)) {
          best = h;
          bestAccuracy = acc;
          bestLoss = loss;
        }
        bar.extra(String.format(java.util.Locale.ROOT, "λ=%.0e cal acc %.4f", l2, acc));
        bar.step();
      }
    }
    return best;
  }

  /** Share of rows whose predicted class (probability >= 0.5 is spam) equals the label. */
  public static double accuracy(Head h, List<float[]> x, int[] y) {
    int right = 0;
    for (int i = 0; i < y.length; i++) {
      int predicted = h.logit(x.get(i)) >= 0 ? 1 : 0;
      if (predicted == y[i]) {
        right++;
      }
    }
    return y.length == 0 ? Double.NaN : (double) right / y.length;
  }

  /** Mean log-loss of the head's probabilities. */
  public static double logLoss(Head h, List<float[]> x, int[] y) {
    double loss = 0;
    for (int i = 0; i < y.length; i++) {
      double z = h.logit(x.get(i));
      loss += y[i] == 1 ? softplus(-z) : softplus(z);
    }
    return loss / y.length;
  }

  private static double objective(List<float[]> x, int[] y, double[] theta, double l2) {
    int d = theta.length - 1;
    double loss = 0;
    for (int i = 0; i < y.length; i++) {
      float[] xi = x.get(i);
      double z = theta[d];
      for (int j = 0; j < d; j++) {
        z += theta[j] * xi[j];
      }
      loss += y[i] == 1 ? softplus(-z) : softplus(z);
    }
    loss /= y.length;
    for (int j = 0; j < d; j++) {
      loss += 0.5 * l2 * theta[j] * theta[j];
    }
    return loss;
  }

  /** log(1 + e^z), without overflow. */
  private static double softplus(double z) {
    return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
  }

  /** Solves A s = b for a symmetric positive definite row-major A (p x p). */
  static double[] choleskySolve(double[] a, double[] b, int p) {
    double[] l = new double[p * p];
    for (int i = 0; i < p; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = a[i * p + j];
        for (int k = 0; k < j; k++) {
          sum -= l[i * p + k] * l[j * p + k];
        }
        if (i == j) {
          if (sum <= 0) {
            throw new ArithmeticException("Hessian is not positive definite at pivot " + i);
          }
          l[i * p + i] = Math.sqrt(sum);
        } else {
          l[i * p + j] = sum / l[j * p + j];
        }
      }
    }
    double[] z = new double[p];
    for (int i = 0; i < p; i++) {
      double sum = b[i];
      for (int k = 0; k < i; k++) {
        sum -= l[i * p + k] * z[k];
      }
      z[i] = sum / l[i * p + i];
    }
    double[] s = new double[p];
    for (int i = p - 1; i >= 0; i--) {
      double sum = z[i];
      for (int k = i + 1; k < p; k++) {
        sum -= l[k * p + i] * s[k];
      }
      s[i] = sum / l[i * p + i];
    }
    return s;
  }
}
