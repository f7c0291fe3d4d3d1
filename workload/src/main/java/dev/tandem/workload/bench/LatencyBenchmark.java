package dev.tandem.workload.bench;

import dev.tandem.runtime.text.WordPieceTokenizer;
import dev.tandem.workload.Progress;
import dev.tandem.workload.build.BuiltModels;
import dev.tandem.workload.build.ModelEntry;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.fuse.FusedClassifier;
import dev.tandem.workload.split.MessagesJsonl;
import dev.tandem.workload.split.Part;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Test-part accuracy and per-message latency of the fused models of a build, measured in one
 * run on one machine: the edge (int8 MiniLM) and cloud (fp32 bge-small) models at their own
 * token budgets, and the int8 and fp32 MiniLM edge models also at 256 tokens for comparison
 * with bge-small at equal length.
 *
 * <p>Design: latency is one message's tokenization plus one run of the fused model in the
 * runtime's {@code ModelSession}, batch 1, unpadded. The models are interleaved message by
 * message, in an order that rotates, so that drift of a shared machine's speed falls on all of
 * them alike; a few warm-up messages are not counted. Accuracy: probability of spam >= 0.5.
 */
public final class LatencyBenchmark {
  private static final int WARM_UP = 10;

  private LatencyBenchmark() {}

  /** One measured configuration. */
  static final class Row {
    final String label;
    final ModelEntry model;
    final int maxTokens;
    final double[] latencyMs;
    int correct;

    Row(String label, ModelEntry model, int maxTokens, int n) {
      this.label = label;
      this.model = model;
      this.maxTokens = maxTokens;
      this.latencyMs = new double[n];
    }
  }

  /**
   * Runs the benchmark on the first {@code limit} test messages (all if 0) and returns the
   * result as a Markdown table.
   */
  public static String run(BuiltModels built, int limit, int intraOpThreads, boolean progress) throws IOException {
    List<Message> all = MessagesJsonl.read(built.messages(Part.TEST));
    List<Message> test = limit > 0 && limit < all.size() ? all.subList(0, limit) : all;
    List<Row> rows = new ArrayList<>();
    ModelEntry edge = built.edge();
    ModelEntry cloud = built.cloud();
    rows.add(new Row("edge", edge, edge.maxTokens(), test.size()));
    rows.add(new Row("cloud", cloud, cloud.maxTokens(), test.size()));
    built.model(BuiltModels.EDGE_FP32).ifPresent(m -> rows.add(new Row("edge-fp32", m, m.maxTokens(), test.size())));
    if (edge.maxTokens() != cloud.maxTokens()) {
      rows.add(new Row("edge", edge, cloud.maxTokens(), test.size()));
      built.model(BuiltModels.EDGE_FP32).ifPresent(m -> rows.add(new Row("edge-fp32", m, cloud.maxTokens(), test.size())));
    }
    List<FusedClassifier> classifiers = new ArrayList<>();
    try {
      for (Row r : rows) {
        classifiers.add(new FusedClassifier(r.model.file(), WordPieceTokenizer.fromFile(r.model.tokenizer()),
            r.maxTokens, intraOpThreads));
      }
      for (int i = 0; i < Math.min(WARM_UP, test.size()); i++) {
        for (FusedClassifier c : classifiers) {
          c.probabilities(test.get(i).text());
        }
      }
      try (Progress bar = Progress.start("benchmark", test.size(), progress)) {
        for (int i = 0; i < test.size(); i++) {
          Message m = test.get(i);
          for (int k = 0; k < rows.size(); k++) {
            int j = (i + k) % rows.size(); // rotate the order
            long t0 = System.nanoTime();
            float[] p = classifiers.get(j).probabilities(m.text());
            long t1 = System.nanoTime();
            Row r = rows.get(j);
            r.latencyMs[i] = (t1 - t0) / 1e6;
            if ((p[1] >= 0.5f ? 1 : 0) == m.label().index()) {
              r.correct++;
            }
          }
          bar.step();
        }
      }
    } finally {
      for (FusedClassifier c : classifiers) {
        c.close();
      }
    }
    return table(rows, test.size(), intraOpThreads);
  }

  private static String table(List<Row> rows, int n, int threads) {
    double cloudP50 = percentile(rows.get(1).latencyMs, 50);
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT,
        "%d test messages; %d cores, %s %s, Java %s, ONNX Runtime %s, %d intra-op threads, batch 1, unpadded%n%n",
        n, Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"), System.getProperty("os.arch"),
        System.getProperty("java.version"), ortVersion(), threads));
    b.append("| model | encoder | max tokens | test accuracy | p50 ms | p95 ms | mean ms | p50 / cloud p50 |\n");
    b.append("|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      double p50 = percentile(r.latencyMs, 50);
      b.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f %% | %.1f | %.1f | %.1f | %.2f |%n",
          r.label, r.model.encoder(), r.maxTokens, 100.0 * r.correct / n, p50, percentile(r.latencyMs, 95),
          Arrays.stream(r.latencyMs).average().orElse(Double.NaN), p50 / cloudP50));
    }
    return b.toString();
  }

  private static String ortVersion() {
    try {
      return ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion();
    } catch (RuntimeException | LinkageError e) {
      return "?"; // only a label in the report
    }
  }

  static double percentile(double[] values, double p) {
    double[] s = values.clone();
    Arrays.sort(s);
    if (s.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p / 100.0 * s.length) - 1;
    return s[Math.max(0, Math.min(s.length - 1, i))];
  }
}
