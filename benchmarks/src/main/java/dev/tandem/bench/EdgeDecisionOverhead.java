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
 * p50 and p99 of each call, the added cost with its interval, the order effect (how much slower
 * the second call of a pair is than the first, halved), and the p99 of the per-pair difference
 * {@code tandem - bare}, in µs. An optional control row runs two bare sessions of the int8 model
 * against each other through the same estimator, so its bias shows; optional rows run Tandem with
 * {@code writeRecordsInBackground(true)}, the record's encoding and append on Tandem's writer thread.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.tandem.bench.EdgeDecisionOverhead [pairs tiny] [pairs edge-int8] [pairs control]
 *     [pairs edge-int8, background writer] [pairs tiny, background writer]
 * </pre>
 *
 * Defaults: 100,000 pairs for the tiny model, 1,000 for the int8 model, no control and no
 * background-writer rows, after a
 * tenth as many warm-up pairs.
 */
public final class EdgeDecisionOverhead {
  static final String MESSAGE = "Congratulations! You have been selected to receive a free cruise to the Bahamas."
      + " Reply YES to this message within 24 hours to claim your prize, or call our hotline now.";

  private EdgeDecisionOverhead() {}

  public static void main(String[] args) throws Exception {
    int tinyPairs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int edgePairs = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
    int controlPairs = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    int backgroundEdgePairs = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    int backgroundTinyPairs = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    System.out.println("| model | pairs | bare p50 | bare p99 | tandem p50 | tandem p99 | added [95 % CI] |"
        + " order effect | added p99 | added / bare p50 |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<Tensor> features = Collections.singletonList(
        Tensor.ofFloats(TinyModels.FEATURES, new float[] {5, 0, 0, 0}, 1, 4));
    measure("tiny", TinyModels.classifier(), features, tinyPairs, false);
    Random r = new Random(1);
    double[] w = new double[Encoder.DIM];
    for (int i = 0; i < w.length; i++) {
      w[i] = r.nextGaussian();
    }
    byte[] edge = OnnxFusion.fuse(Encoder.MINILM_INT8.modelBytes(), Encoder.MINILM_INT8.pooling(),
        new Head(w, 0.1, 1e-2), Collections.emptyMap());
    List<Tensor> tokens = Encoder.MINILM_INT8.textInput(128).tensors(MESSAGE);
    measure("edge-int8 (" + tokens.get(0).dim(1) + " tokens)", edge, tokens, edgePairs, false);
    control("edge-int8 (" + tokens.get(0).dim(1) + " tokens)", edge, tokens, controlPairs);
    if (backgroundTinyPairs > 0) {
      measure("tiny, records written in the background", TinyModels.classifier(), features, backgroundTinyPairs, true);
    }
    if (backgroundEdgePairs > 0) {
      measure("edge-int8 (" + tokens.get(0).dim(1) + " tokens), records written in the background", edge, tokens,
          backgroundEdgePairs, true);
    }
  }

  /** One side of a pair: runs the call once and returns something to keep it from being optimised away. */
  private interface Call {
    long run() throws Exception;
  }

  private static void measure(String model, byte[] bytes, List<Tensor> inputs, int pairs, boolean background)
      throws Exception {
    if (pairs < 1) {
      System.out.println("| " + model + " | 0 | skipped: give a pair count of at least 1 | | | | | | | |");
      return;
    }
    Path dir = Files.createTempDirectory("edge-decision-overhead");
    Policy edgeOnly = Policy.builder().version(1).threshold(0.0).deadlineMs(1000).build();
    ClassificationScorer scorer = ClassificationScorer.firstOutput();
    try (ModelSession session = ModelSession.builder().bytes(bytes).intraOpThreads(1).build();
        Tandem t = Tandem.builder().edgeModel(bytes).intraOpThreads(1).model("bench").deviceId("bench")
            .policy(edgeOnly).spool(Spool.builder(dir.resolve("spool")).build())
            .writeRecordsInBackground(background).build()) {
      pairs(model, () -> scorer.score(session.run(inputs)).top1(), () -> check(t.infer(inputs)), pairs);
      if (t.recordWriteFailures() > 0) {
        throw new IllegalStateException(t.recordWriteFailures() + " records were not written");
      }
    }
  }

  /** The control: two bare sessions of the same model, so the estimator's own bias shows. */
  private static void control(String model, byte[] bytes, List<Tensor> inputs, int pairs) throws Exception {
    if (pairs < 1) {
      return;
    }
    ClassificationScorer scorer = ClassificationScorer.firstOutput();
    try (ModelSession a = ModelSession.builder().bytes(bytes).intraOpThreads(1).build();
        ModelSession b = ModelSession.builder().bytes(bytes).intraOpThreads(1).build()) {
      pairs(model + ", control: bare vs bare", () -> scorer.score(a.run(inputs)).top1(),
          () -> scorer.score(b.run(inputs)).top1(), pairs);
    }
  }

  /**
   * Runs {@code pairs} interleaved pairs (after a tenth as many warm-up pairs), alternating which
   * side goes first, and prints one table row. The second call of a back-to-back pair is often
   * slower than the first (caches, frequency), so the added cost is the mean of two medians, one
   * over the pairs where tandem ran first and one over those where it ran second: an additive
   * order effect cancels. Its interval averages the two halves' distribution-free 95 % intervals
   * (order statistics n/2 -+ 0.98 sqrt(n) within each half; averaging the ends is conservative
   * for independent halves); it assumes independent pairs, which load drift weakens.
   */
  private static void pairs(String model, Call bareCall, Call tandemCall, int pairs) throws Exception {
    int warmUp = Math.max(1, pairs / 10);
    long sink = 0;
    for (int i = 0; i < warmUp; i++) {
      sink += bareCall.run() + tandemCall.run();
    }
    long[] bare = new long[pairs];
    long[] tandem = new long[pairs];
    long[] tandemSecond = new long[(pairs + 1) / 2]; // tandem - bare where bare ran first
    long[] tandemFirst = new long[pairs / 2];
    for (int i = 0; i < pairs; i++) {
      boolean tandemGoesFirst = (i & 1) == 1;
      long t0 = System.nanoTime();
      sink += (tandemGoesFirst ? tandemCall : bareCall).run();
      long t1 = System.nanoTime();
      sink += (tandemGoesFirst ? bareCall : tandemCall).run();
      long t2 = System.nanoTime();
      tandem[i] = tandemGoesFirst ? t1 - t0 : t2 - t1;
      bare[i] = tandemGoesFirst ? t2 - t1 : t1 - t0;
      (tandemGoesFirst ? tandemFirst : tandemSecond)[i / 2] = tandem[i] - bare[i];
    }
    // an order effect slows the second call: it adds to tandem - bare when tandem ran second
    double[] second = median(tandemSecond);
    double[] first = median(tandemFirst.length == 0 ? tandemSecond : tandemFirst);
    double added = (second[0] + first[0]) / 2;
    double order = (second[0] - first[0]) / 2;
    String ci = String.format(Locale.ROOT, "%.1f [%.1f, %.1f]", added / 1000,
        (second[1] + first[1]) / 2000, (second[2] + first[2]) / 2000);
    long[] addedAll = new long[pairs];
    for (int i = 0; i < pairs; i++) {
      addedAll[i] = tandem[i] - bare[i];
    }
    double share = 100.0 * added / percentile(bare, 0.50);
    System.out.println(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s | %.1f | %s | %.2f %% |", model,
        pairs, us(bare, 0.50), us(bare, 0.99), us(tandem, 0.50), us(tandem, 0.99), ci, order / 1000,
        us(addedAll, 0.99), share) + (sink == 42 ? " " : ""));
  }

  /** The median and the ends of its distribution-free 95 % interval, in ns. */
  private static double[] median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    int lo = (int) Math.max(0, Math.floor(n / 2.0 - 0.98 * Math.sqrt(n)));
    int hi = (int) Math.min(n - 1, Math.ceil(n / 2.0 + 0.98 * Math.sqrt(n)));
    return new double[] {percentile(values, 0.50), sorted[lo], sorted[hi]};
  }

  private static long check(Decision d) {
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
