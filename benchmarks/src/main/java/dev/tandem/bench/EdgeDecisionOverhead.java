package dev.tandem.bench;

import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.signal.ClassificationScorer;
import dev.tandem.runtime.signal.Signals;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.TinyModels;
import dev.tandem.runtime.text.TextInput;
import dev.tandem.workload.embed.Encoder;
import dev.tandem.workload.fuse.OnnxFusion;
import dev.tandem.workload.head.Head;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * What a whole decision on the edge route costs over the model alone, measured in interleaved
 * pairs: each iteration runs a bare {@code ModelSession.run} plus scoring and a
 * {@code Tandem.infer} on the same inputs (each with its own session of the same model, one
 * intra-op thread), back to back, alternating which goes first, so that load on a shared machine
 * hits both alike. Tandem runs with the default spool (fsync every second) and a policy that
 * keeps every input on the edge, so the difference is the policy, the record's encoding and its
 * spool append, and the bookkeeping around them.
 *
 * <p>Models: {@code tiny} (Gemm + Softmax, batch 1) and {@code edge-int8}, the reference edge
 * classifier (int8 all-MiniLM-L6-v2, mean pooling and a logistic head fused into one graph, a
 * seeded head in place of the trained one) on one 37-token message. Prints Markdown table rows:
 * p50 and p99 of each call and of the per-pair difference {@code tandem - bare}, in µs.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tandem.bench.EdgeDecisionOverhead [pairs tiny] [pairs edge-int8]
 * </pre>
 *
 * Defaults: 100,000 pairs for the tiny model, 1,000 for the int8 model, after a tenth as many
 * warm-up pairs.
 */
public final class EdgeDecisionOverhead {
  static final String MESSAGE = "Congratulations! You have been selected to receive a free cruise to the Bahamas."
      + " Reply YES to this message within 24 hours to claim your prize, or call our hotline now.";

  private EdgeDecisionOverhead() {}

  public static void main(String[] args) throws Exception {
    int tinyPairs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int edgePairs = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    System.out.println("| model | pairs | bare p50 | bare p99 | tandem p50 | tandem p99 | added p50 [95 % CI] |"
        + " added p99 | added p50 / bare p50 |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<Tensor> features = Collections.singletonList(
        Tensor.ofFloats(TinyModels.FEATURES, new float[] {5, 0, 0, 0}, 1, 4));
    measure("tiny", TinyModels.classifier(), features, tinyPairs);
    Random r = new Random(1);
    double[] w = new double[Encoder.DIM];
    for (int i = 0; i < w.length; i++) {
      w[i] = r.nextGaussian();
    }
    byte[] edge = OnnxFusion.fuse(Encoder.MINILM_INT8.modelBytes(), Encoder.MINILM_INT8.pooling(),
        new Head(w, 0.1, 1e-2), Collections.emptyMap());
    List<Tensor> tokens = Encoder.MINILM_INT8.textInput(128).tensors(MESSAGE);
    measure("edge-int8 (" + tokens.get(0).dim(1) + " tokens)", edge, tokens, edgePairs);
  }

  private static void measure(String model, byte[] bytes, List<Tensor> inputs, int pairs) throws Exception {
    if (pairs < 1) {
      System.out.println("| " + model + " | 0 | skipped: give a pair count of at least 1 | | | | | | |");
      return;
    }
    int warmUp = Math.max(1, pairs / 10);
    long[] bare = new long[pairs];
    long[] tandem = new long[pairs];
    long[] added = new long[pairs];
    long sink = 0;
    Path dir = Files.createTempDirectory("edge-decision-overhead");
    Policy edgeOnly = Policy.builder().version(1).threshold(0.0).deadlineMs(1000).build();
    ClassificationScorer scorer = ClassificationScorer.firstOutput();
    try (ModelSession session = ModelSession.builder().bytes(bytes).intraOpThreads(1).build();
        Tandem t = Tandem.builder().edgeModel(bytes).intraOpThreads(1).model("bench").deviceId("bench")
            .policy(edgeOnly).spool(Spool.builder(dir.resolve("spool")).build()).build()) {
      for (int i = 0; i < warmUp; i++) {
        sink += scorer.score(session.run(inputs)).top1() + check(t.infer(inputs));
      }
      for (int i = 0; i < pairs; i++) {
        long t0;
        long t1;
        long t2;
        if ((i & 1) == 0) {
          t0 = System.nanoTime();
          Signals s = scorer.score(session.run(inputs));
          t1 = System.nanoTime();
          Decision d = t.infer(inputs);
          t2 = System.nanoTime();
          sink += s.top1() + check(d);
          bare[i] = t1 - t0;
          tandem[i] = t2 - t1;
        } else {
          t0 = System.nanoTime();
          Decision d = t.infer(inputs);
          t1 = System.nanoTime();
          Signals s = scorer.score(session.run(inputs));
          t2 = System.nanoTime();
          sink += s.top1() + check(d);
          tandem[i] = t1 - t0;
          bare[i] = t2 - t1;
        }
        added[i] = tandem[i] - bare[i];
      }
      if (t.recordWriteFailures() > 0) {
        throw new IllegalStateException(t.recordWriteFailures() + " records were not written");
      }
    }
    double share = 100.0 * percentile(added, 0.50) / percentile(bare, 0.50);
    // Distribution-free 95 % interval for the median difference: order statistics n/2 -+ 0.98 sqrt(n)
    // (the binomial's normal approximation; assumes pairs are independent, which load drift weakens).
    long[] sorted = added.clone();
    Arrays.sort(sorted);
    int lo = (int) Math.max(0, Math.floor(pairs / 2.0 - 0.98 * Math.sqrt(pairs)));
    int hi = (int) Math.min(pairs - 1, Math.ceil(pairs / 2.0 + 0.98 * Math.sqrt(pairs)));
    String ci = String.format(Locale.ROOT, "%s [%.1f, %.1f]", us(added, 0.50), sorted[lo] / 1000.0, sorted[hi] / 1000.0);
    System.out.println(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %s | %.2f %% |", model, pairs,
        us(bare, 0.50), us(bare, 0.99), us(tandem, 0.50), us(tandem, 0.99), ci, us(added, 0.99), share)
        + (sink == 42 ? " " : ""));
  }

  private static int check(Decision d) {
    if (d.route() != Route.EDGE) {
      throw new IllegalStateException("expected the edge route, got " + d);
    }
    return d.prediction();
  }

  private static long percentile(long[] nanos, double q) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
  }

  private static String us(long[] nanos, double q) {
    return String.format(Locale.ROOT, "%.1f", percentile(nanos, q) / 1000.0);
  }
}
