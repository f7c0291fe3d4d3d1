package dev.tandem.workload.bench;

import dev.tandem.workload.build.BuildOptions;
import dev.tandem.workload.build.ReferenceModels;
import dev.tandem.workload.corpus.Corpus;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.embed.Encoder;
import dev.tandem.workload.embed.FeatureStore;
import dev.tandem.workload.head.Head;
import dev.tandem.workload.head.LogisticRegression;
import dev.tandem.workload.split.Part;
import dev.tandem.workload.split.Split;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The cascade on the test part, per split seed: accuracy against offload rate when the edge
 * offloads its least confident messages ({@code max_prob} below a threshold), next to the oracle
 * router (offloads the edge's errors first, those the cloud gets right first: the best any router
 * can do) and random routing at the same rates (its expected accuracy); and the smallest offload
 * at which the cascade reaches the cloud's own accuracy. Heads are fitted exactly as the build
 * fits them (same features, same λ selection on the calibration part), and probabilities come
 * from the unfused pipeline, which the fused models match within 1e-4.
 */
public final class CascadeCurve {
  /** Offload rates reported in the table. */
  static final double[] RATES = {0, 0.02, 0.05, 0.10, 0.15, 0.20, 0.30, 0.50, 1.0};

  private CascadeCurve() {}

  /** One seed's test part: per message, the edge's spam probability, whether edge and cloud are right. */
  static final class SeedResult {
    final long seed;
    final int n;
    final double edgeAccuracy;
    final double cloudAccuracy;
    final double[] cascade;
    final double[] oracle;
    final double[] random;
    final double matchOffload;
    final double matchAccuracy;
    final double bestAccuracy;
    final double bestOffload;
    final double oracleOffload;
    final double oracleAccuracy;
    /** Right answers when the k least confident messages go to the cloud, k = 0..n. */
    private final int[] right;
    /** The edge's confidence, ascending. */
    private final double[] sortedConfidence;

    SeedResult(long seed, boolean[] edgeRight, boolean[] cloudRight, double[] edgeConfidence) {
      this.seed = seed;
      this.n = edgeRight.length;
      int er = count(edgeRight);
      int cr = count(cloudRight);
      edgeAccuracy = er / (double) n;
      cloudAccuracy = cr / (double) n;
      Integer[] order = new Integer[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingDouble(i -> edgeConfidence[i]));
      // right[k]: right answers when the k least confident go to the cloud
      int[] right = new int[n + 1];
      right[0] = er;
      for (int k = 1; k <= n; k++) {
        int i = order[k - 1];
        right[k] = right[k - 1] - (edgeRight[i] ? 1 : 0) + (cloudRight[i] ? 1 : 0);
      }
      this.right = right;
      this.sortedConfidence = new double[n];
      for (int k = 0; k < n; k++) {
        sortedConfidence[k] = edgeConfidence[order[k]];
      }
      double match = Double.NaN;
      double matchAcc = Double.NaN;
      int bestK = 0;
      for (int k = 0; k <= n; k++) {
        if (Double.isNaN(match) && right[k] >= cr) {
          match = k / (double) n;
          matchAcc = right[k] / (double) n;
        }
        if (right[k] > right[bestK]) {
          bestK = k;
        }
      }
      matchOffload = match;
      matchAccuracy = matchAcc;
      bestAccuracy = right[bestK] / (double) n;
      bestOffload = bestK / (double) n;
      // oracle order: edge errors the cloud gets right, other edge errors, edge-right messages the cloud gets right, the rest
      int errorsCloudRight = 0;
      int errors = n - er;
      for (int i = 0; i < n; i++) {
        if (!edgeRight[i] && cloudRight[i]) {
          errorsCloudRight++;
        }
      }
      oracleOffload = errors / (double) n;
      oracleAccuracy = (er + errorsCloudRight) / (double) n;
      cascade = new double[RATES.length];
      oracle = new double[RATES.length];
      random = new double[RATES.length];
      for (int j = 0; j < RATES.length; j++) {
        int k = (int) Math.round(RATES[j] * n);
        cascade[j] = right[k] / (double) n;
        oracle[j] = (er + Math.min(k, errorsCloudRight)) / (double) n;
        double r = k / (double) n;
        random[j] = (1 - r) * edgeAccuracy + r * expectedCloudGivenAll(edgeRight, cloudRight);
      }
    }

    /**
     * The cheapest cascade reaching {@code minAccuracy} on the test labels: {offload, max_prob
     * threshold (offload below it), accuracy}, or null when none does. Ties in confidence are
     * kept together, so the threshold offloads exactly the messages counted.
     */
    double[] cheapest(double minAccuracy) {
      for (int k = 0; k <= n; k++) {
        if (k > 0 && k < n && sortedConfidence[k] == sortedConfidence[k - 1]) {
          continue; // no threshold separates these two
        }
        if (right[k] >= minAccuracy * n) {
          double threshold = k == n ? 1.0 : k == 0 ? sortedConfidence[0] : (sortedConfidence[k - 1] + sortedConfidence[k]) / 2;
          return new double[] {k / (double) n, threshold, right[k] / (double) n};
        }
      }
      return null;
    }

    private static double expectedCloudGivenAll(boolean[] edgeRight, boolean[] cloudRight) {
      return count(cloudRight) / (double) cloudRight.length;
    }
  }

  /**
   * Computes the curve for each split seed of {@code base}'s corpus (features cached: only the
   * first run embeds).
   *
   * @throws IOException if the cache cannot be read or written
   */
  public static String run(Path cacheRoot, BuildOptions base, long[] seeds) throws IOException {
    return run(cacheRoot, base, seeds, Double.NaN);
  }

  /**
   * As {@link #run(Path, BuildOptions, long[])}, and with {@code minAccuracy} set, per seed the
   * cheapest cascade threshold whose test accuracy reaches it (chosen with the test labels).
   *
   * @throws IOException if the cache cannot be read or written
   */
  public static String run(Path cacheRoot, BuildOptions base, long[] seeds, double minAccuracy) throws IOException {
    Corpus corpus = ReferenceModels.loadCorpus(cacheRoot, base);
    List<SeedResult> results = new ArrayList<>();
    for (long seed : seeds) {
      Split split = Split.stratified(corpus, seed, base.trainFraction(), base.calibrationFraction());
      List<Message> train = split.messages(corpus, Part.TRAIN);
      List<Message> cal = split.messages(corpus, Part.CALIBRATION);
      List<Message> test = split.messages(corpus, Part.TEST);
      double[] edgeP = testProbabilities(cacheRoot, Encoder.MINILM_INT8, base.edgeMaxTokens(), train, cal, test, base);
      double[] cloudP = testProbabilities(cacheRoot, Encoder.BGE_SMALL, base.cloudMaxTokens(), train, cal, test, base);
      boolean[] edgeRight = new boolean[test.size()];
      boolean[] cloudRight = new boolean[test.size()];
      double[] confidence = new double[test.size()];
      for (int i = 0; i < test.size(); i++) {
        int y = test.get(i).label().index();
        edgeRight[i] = (edgeP[i] >= 0.5 ? 1 : 0) == y;
        cloudRight[i] = (cloudP[i] >= 0.5 ? 1 : 0) == y;
        confidence[i] = Math.max(edgeP[i], 1 - edgeP[i]);
      }
      results.add(new SeedResult(seed, edgeRight, cloudRight, confidence));
    }
    String out = table(results, base);
    if (!Double.isNaN(minAccuracy)) {
      out += cheapestTable(results, minAccuracy);
    }
    return out;
  }

  static String cheapestTable(List<SeedResult> results, double minAccuracy) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%nCheapest cascade reaching %.2f %% test accuracy, chosen with the test labels%n%n",
        100 * minAccuracy));
    sb.append("| seed | max_prob threshold | offload | test accuracy |\n|---|---|---|---|\n");
    for (SeedResult r : results) {
      double[] c = r.cheapest(minAccuracy);
      if (c == null) {
        sb.append(String.format(Locale.ROOT, "| %d | none reaches it | | |%n", r.seed));
      } else {
        sb.append(String.format(Locale.ROOT, "| %d | %.4f | %.1f %% | %.2f |%n", r.seed, c[1], 100 * c[0], 100 * c[2]));
      }
    }
    return sb.toString();
  }

  private static double[] testProbabilities(Path cacheRoot, Encoder encoder, int maxTokens, List<Message> train,
      List<Message> cal, List<Message> test, BuildOptions o) throws IOException {
    List<float[]> xTrain = FeatureStore.features(cacheRoot, encoder, maxTokens, train, o.intraOpThreads(), false);
    List<float[]> xCal = FeatureStore.features(cacheRoot, encoder, maxTokens, cal, o.intraOpThreads(), false);
    List<float[]> xTest = FeatureStore.features(cacheRoot, encoder, maxTokens, test, o.intraOpThreads(), false);
    Head head = LogisticRegression.select(xTrain, labels(train), xCal, labels(cal), false);
    double[] p = new double[xTest.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = head.probability(xTest.get(i));
    }
    return p;
  }

  private static int[] labels(List<Message> m) {
    return m.stream().mapToInt(x -> x.label().index()).toArray();
  }

  static String table(List<SeedResult> results, BuildOptions o) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Cascade on the test part (edge %d tokens, cloud %d tokens; split %.0f/%.0f/%.0f;"
        + " accuracy in %%)%n%n", o.edgeMaxTokens(), o.cloudMaxTokens(), 100 * o.trainFraction(),
        100 * o.calibrationFraction(), 100 * (1 - o.trainFraction() - o.calibrationFraction())));
    sb.append("| seed | test msgs | edge | cloud | offload to reach cloud (acc) | best cascade (offload) |"
        + " oracle: offload, acc |\n|---|---|---|---|---|---|---|\n");
    List<Double> matches = new ArrayList<>();
    for (SeedResult r : results) {
      sb.append(String.format(Locale.ROOT, "| %d | %d | %.2f | %.2f | %s | %.2f (%.1f %%) | %.1f %%, %.2f |%n", r.seed,
          r.n, 100 * r.edgeAccuracy, 100 * r.cloudAccuracy,
          Double.isNaN(r.matchOffload) ? "never" : String.format(Locale.ROOT, "%.1f %% (%.2f)", 100 * r.matchOffload,
              100 * r.matchAccuracy), 100 * r.bestAccuracy, 100 * r.bestOffload, 100 * r.oracleOffload,
          100 * r.oracleAccuracy));
      if (!Double.isNaN(r.matchOffload)) {
        matches.add(r.matchOffload);
      }
    }
    if (!matches.isEmpty()) {
      List<Double> sorted = new ArrayList<>(matches);
      sorted.sort(null);
      sb.append(String.format(Locale.ROOT, "%nOffload needed to reach cloud-only accuracy over %d seeds: median %.1f %%,"
          + " range %.1f-%.1f %%%n", sorted.size(), 100 * median(sorted), 100 * sorted.get(0),
          100 * sorted.get(sorted.size() - 1)));
    }
    sb.append("\nAccuracy at the same offload rates: cascade / oracle / random (expected), per seed\n\n| seed |");
    for (double r : RATES) {
      sb.append(String.format(Locale.ROOT, " %.0f %% |", 100 * r));
    }
    sb.append("\n|---|");
    for (int i = 0; i < RATES.length; i++) {
      sb.append("---|");
    }
    sb.append('\n');
    for (SeedResult r : results) {
      sb.append("| ").append(r.seed).append(" |");
      for (int j = 0; j < RATES.length; j++) {
        sb.append(String.format(Locale.ROOT, " %.2f / %.2f / %.2f |", 100 * r.cascade[j], 100 * r.oracle[j],
            100 * r.random[j]));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static int count(boolean[] b) {
    int c = 0;
    for (boolean x : b) {
      c += x ? 1 : 0;
    }
    return c;
  }
}
