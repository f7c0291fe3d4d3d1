package dev.tandem.runtime.testing;

import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.signal.ClassificationScorer;
import dev.tandem.runtime.signal.Signals;
import dev.tandem.runtime.spool.FsyncPolicy;
import dev.tandem.runtime.spool.Spool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Measures what the runtime adds to an edge inference: {@code Policy.decide}, encoding a record,
 * a spool append under each fsync policy, and a whole {@code Tandem.infer} on the edge route
 * against a bare {@code ModelSession.run} plus scoring on the tiny classifier. Prints medians
 * and p99 in microseconds. Not a test: wall-clock numbers depend on the machine.
 *
 * <pre>
 * ./mvnw -q -o test-compile exec:java -pl runtime -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.tandem.runtime.testing.DecisionOverhead
 * </pre>
 */
public final class DecisionOverhead {
  private DecisionOverhead() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
    Policy policy = SampleRecords.POLICY;
    Random rnd = new Random(1);
    List<Record> records = SampleRecords.mixed("bench", 1, n, 3);
    DecisionContext ctx = ((dev.tandem.runtime.record.DecisionRecord) records.get(0)).context();

    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      policy.decide(ctx.toBuilder().draw(rnd.nextDouble()).build());
      t[i] = System.nanoTime() - s;
    }
    print("Policy.decide (with context build)", t);

    for (int i = 0; i < n; i++) {
      long s = System.nanoTime();
      RecordCodec.encode(records.get(i));
      t[i] = System.nanoTime() - s;
    }
    print("RecordCodec.encode", t);

    for (FsyncPolicy f : Arrays.asList(FsyncPolicy.none(), FsyncPolicy.interval(100), FsyncPolicy.everyRecord())) {
      Path dir = Files.createTempDirectory("spool-bench");
      int m = f == FsyncPolicy.everyRecord() ? Math.min(n, 1000) : n;
      long[] a = new long[m];
      try (Spool spool = Spool.builder(dir).fsync(f).build()) {
        for (int i = 0; i < m; i++) {
          long s = System.nanoTime();
          spool.append(records.get(i));
          a[i] = System.nanoTime() - s;
        }
      }
      print("Spool.append, fsync " + f, a);
    }

    List<Tensor> confident = Collections.singletonList(Tensor.ofFloats(TinyModels.FEATURES, new float[] {5, 0, 0, 0}, 1, 4));
    ClassificationScorer scorer = ClassificationScorer.firstOutput();
    try (ModelSession session = ModelSession.builder().bytes(TinyModels.classifier()).intraOpThreads(1).build()) {
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        Signals sig = scorer.score(session.run(confident));
        t[i] = System.nanoTime() - s;
        if (sig.top1() != 0) {
          throw new AssertionError("unexpected answer");
        }
      }
      print("ModelSession.run + score (bare)", t);
    }
    Policy edge = Policy.builder().version(1).threshold(0.8).deadlineMs(100).build();
    for (FsyncPolicy f : Arrays.asList(FsyncPolicy.none(), FsyncPolicy.everyRecord())) {
      Path dir = Files.createTempDirectory("tandem-bench");
      int m = f == FsyncPolicy.everyRecord() ? Math.min(n, 1000) : n;
      long[] a = new long[m];
      try (Tandem tandem = Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny")
          .deviceId("bench").policy(edge).spool(Spool.builder(dir).fsync(f).build()).build()) {
        for (int i = 0; i < m; i++) {
          long s = System.nanoTime();
          tandem.infer(confident);
          a[i] = System.nanoTime() - s;
        }
      }
      print("Tandem.infer, edge route, fsync " + f, a);
    }
  }

  private static void print(String what, long[] ns) {
    // The first fifth is warm-up (JIT) and is left out.
    long[] w = Arrays.copyOfRange(ns, ns.length / 5, ns.length);
    Arrays.sort(w);
    System.out.printf(Locale.ROOT, "%-45s n=%5d  p50 %8.1f us  p99 %8.1f us%n", what, w.length,
        w[w.length / 2] / 1e3, w[(int) (w.length * 0.99)] / 1e3);
  }
}
