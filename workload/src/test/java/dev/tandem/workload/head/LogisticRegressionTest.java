package dev.tandem.workload.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class LogisticRegressionTest {
  /** Two overlapping Gaussian classes in {@code dim} dimensions, seeded. */
  private static List<float[]> points(Random r, int n, int dim, int[] labels) {
    List<float[]> x = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextDouble() < 0.3 ? 1 : 0;
      float[] v = new float[dim];
      for (int j = 0; j < dim; j++) {
        v[j] = (float) (r.nextGaussian() + (labels[i] == 1 && j < 3 ? 1.0 : 0.0));
      }
      x.add(v);
    }
    return x;
  }

  @Test
  void fit_reachesTheOptimum_gradientVanishes() {
    Random r = new Random(1);
    int[] y = new int[400];
    List<float[]> x = points(r, 400, 8, y);
    double l2 = 1e-2;
    Head h = LogisticRegression.fit(x, y, l2);
    // Gradient of mean log-loss + l2/2 ||w||^2 at the solution.
    double[] g = new double[9];
    for (int i = 0; i < y.length; i++) {
      double res = (h.probability(x.get(i)) - y[i]) / y.length;
      for (int j = 0; j < 8; j++) {
        g[j] += res * x.get(i)[j];
      }
      g[8] += res;
    }
    double[] w = h.weights();
    for (int j = 0; j < 8; j++) {
      g[j] += l2 * w[j];
    }
    for (double v : g) {
      assertThat(v).isCloseTo(0, Offset.offset(1e-8));
    }
    assertThat(LogisticRegression.accuracy(h, x, y)).isGreaterThan(0.75);
    assertThat(w[0]).isPositive(); // the informative dimensions point to spam
  }

  @Test
  void fit_strongerRegularisation_shrinksWeights() {
    Random r = new Random(2);
    int[] y = new int[300];
    List<float[]> x = points(r, 300, 5, y);
    double weak = norm(LogisticRegression.fit(x, y, 1e-4).weights());
    double strong = norm(LogisticRegression.fit(x, y, 1e-1).weights());
    assertThat(strong).isLessThan(weak);
  }

  @Test
  void select_choosesOnCalibrationAndReturnsAGridValue() {
    Random r = new Random(3);
    int[] y = new int[300];
    List<float[]> x = points(r, 300, 6, y);
    int[] cy = new int[200];
    List<float[]> cx = points(r, 200, 6, cy);
    Head h = LogisticRegression.select(x, y, cx, cy, false);
    assertThat(LogisticRegression.L2_GRID).contains(h.l2());
    for (double l2 : LogisticRegression.L2_GRID) {
      assertThat(LogisticRegression.accuracy(h, cx, cy))
          .isGreaterThanOrEqualTo(LogisticRegression.accuracy(LogisticRegression.fit(x, y, l2), cx, cy));
    }
  }

  @Test
  void choleskySolve_solvesASmallSystem() {
    double[] a = {4, 2, 2, 3};
    double[] s = LogisticRegression.choleskySolve(a, new double[] {2, 1}, 2);
    assertThat(s[0] * 4 + s[1] * 2).isCloseTo(2, Offset.offset(1e-12));
    assertThat(s[0] * 2 + s[1] * 3).isCloseTo(1, Offset.offset(1e-12));
  }

  @Test
  void fit_mismatchedSizes_throw() {
    List<float[]> x = new ArrayList<>();
    x.add(new float[] {1});
    assertThatThrownBy(() -> LogisticRegression.fit(x, new int[2], 0.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows 1 and labels 2");
  }

  private static double norm(double[] w) {
    double s = 0;
    for (double v : w) {
      s += v * v;
    }
    return Math.sqrt(s);
  }
}
