package dev.tandem.workload.bench;

import dev.tandem.runtime.text.TextInput;
import dev.tandem.workload.Progress;
import dev.tandem.workload.build.BuiltModels;
import dev.tandem.workload.build.ModelEntry;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.fuse.FusedClassifier;
import dev.tandem.workload.split.MessagesJsonl;
import dev.tandem.workload.split.Part;
import dev.tandem.workload.embed.Encoder;
import dev.tandem.workload.fuse.OnnxFusion;
import dev.tandem.workload.head.Head;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
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
    final String encoder;
    final Path file;
    final Path tokenizer;
    final int maxTokens;
    final boolean hasHead;
    final double[] latencyMs;
    int correct;

    Row(String label, ModelEntry model, int maxTokens, int n) {
      this(label, model.encoder(), model.file(), model.tokenizer(), maxTokens, true, n);
    }

    Row(String label, String encoder, Path file, Path tokenizer, int maxTokens, boolean hasHead, int n) {
      this.label = label;
      this.encoder = encoder;
      this.file = file;
      this.tokenizer = tokenizer;
      this.maxTokens = maxTokens;
      this.hasHead = hasHead;
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
    // Without a built fp32 twin, its latency is still measured: the fp32 MiniLM fused with a
    // zero head is the same graph at the same cost (its accuracy is then not reported).
    Path fp32 = built.model(BuiltModels.EDGE_FP32).map(ModelEntry::file).orElse(null);
    boolean fp32HasHead = fp32 != null;
    Path scratch = null;
    if (fp32 == null) {
      scratch = Files.createTempDirectory("tandem-bench-");
      fp32 = scratch.resolve("edge-fp32-latency-only.onnx");
      Files.write(fp32, OnnxFusion.fuse(Encoder.MINILM_FP32.modelBytes(), Encoder.MINILM_FP32.pooling(),
          new Head(new double[Encoder.DIM], 0, 0), Collections.emptyMap()));
    }
    rows.add(new Row("edge-fp32", Encoder.MINILM_FP32.modelName(), fp32, edge.tokenizer(), edge.maxTokens(),
        fp32HasHead, test.size()));
    if (edge.maxTokens() != cloud.maxTokens()) {
      rows.add(new Row("edge", edge, cloud.maxTokens(), test.size()));
      rows.add(new Row("edge-fp32", Encoder.MINILM_FP32.modelName(), fp32, edge.tokenizer(), cloud.maxTokens(),
          fp32HasHead, test.size()));
    }
    List<FusedClassifier> classifiers = new ArrayList<>();
    try {
      for (Row r : rows) {
        classifiers.add(new FusedClassifier(r.file, TextInput.fromFile(r.tokenizer, r.maxTokens),
            intraOpThreads));
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
      if (scratch != null) {
        Files.deleteIfExists(fp32);
        Files.deleteIfExists(scratch);
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
      String accuracy = r.hasHead ? String.format(Locale.ROOT, "%.2f %%", 100.0 * r.correct / n) : "n/a (latency only)";
      b.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %.1f | %.1f | %.1f | %.2f |%n",
          r.label, r.encoder, r.maxTokens, accuracy, p50, percentile(r.latencyMs, 95),
          Arrays.stream(r.latencyMs).average().orElse(Double.NaN), p50 / cloudP50));
    }
    return b.toString();
  }

  private static String ortVersion() {
    try {
      return dev.tandem.runtime.internal.model.OrtEnvironments.get().getVersion();
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
