package dev.tandem.workload.cli;

import dev.tandem.workload.bench.LatencyBenchmark;
import dev.tandem.workload.build.BuildOptions;
import dev.tandem.workload.build.BuiltModels;
import dev.tandem.workload.build.Caches;
import dev.tandem.workload.build.ModelEntry;
import dev.tandem.workload.build.ReferenceModels;
import dev.tandem.workload.fuse.WeightOnlyQuantizer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem-workload build|bench|weight-only}: builds the reference models, measures them, quantizes one. */
@Command(name = "tandem-workload", mixinStandardHelpOptions = true,
    description = "The reference spam-filter workload: corpus, split, fused edge and cloud models.",
    subcommands = {WorkloadCli.Build.class, WorkloadCli.Bench.class, WorkloadCli.Cascade.class,
        WorkloadCli.WeightOnly.class})
public final class WorkloadCli {
  /** Options shared by both commands: which build. */
  static class Common {
    @Option(names = "--cache", description = "Cache folder (default: $TANDEM_CACHE or ~/.cache/tandem).")
    Path cache;

    @Option(names = "--corpus", description = "A corpus folder in either layout, instead of fetching it with npm.")
    Path corpus;

    @Option(names = "--subset", description = "Build from a seeded stratified sample of this many messages (0: all).")
    int subset;

    @Option(names = "--seed", description = "Split (and sample) seed (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--no-fp32", description = "Do not build the fp32 MiniLM edge twin.")
    boolean noFp32;

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads = 2;

    Path cacheRoot() {
      return cache != null ? cache : Caches.defaultRoot();
    }

    BuildOptions options() {
      BuildOptions.Builder b = BuildOptions.builder().seed(seed).subset(subset).fp32Edge(!noFp32)
          .intraOpThreads(threads).progress(true);
      if (corpus != null) {
        b.corpusDir(corpus);
      }
      return b.build();
    }
  }

  @Command(name = "build", mixinStandardHelpOptions = true,
      description = "Fetch the corpus, split it, embed, train the heads, fuse and write the models (cached).")
  static final class Build extends Common implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      BuiltModels built = ReferenceModels.ensureBuilt(cacheRoot(), options());
      System.out.println("build: " + built.dir());
      for (ModelEntry m : built.models()) {
        System.out.printf(Locale.ROOT, "  %-9s %s (%s, %d tokens, batchable %s, λ %.0e): calibration %.2f %%, test %.2f %%%n",
            m.name(), m.file(), m.encoder(), m.maxTokens(), m.batchable(), m.l2(),
            100 * m.calibrationAccuracy(), 100 * m.testAccuracy());
      }
      System.out.println("  split     " + built.split());
      return 0;
    }
  }

  @Command(name = "bench", mixinStandardHelpOptions = true,
      description = "Test-part accuracy and per-message latency of the fused models (builds them first if needed).")
  static final class Bench extends Common implements Callable<Integer> {
    @Option(names = "--limit", description = "Measure only the first N test messages (0: all).")
    int limit;

    @Override
    public Integer call() throws Exception {
      BuiltModels built = ReferenceModels.ensureBuilt(cacheRoot(), options());
      String table = LatencyBenchmark.run(built, limit, threads, true);
      Files.write(built.dir().resolve("benchmark.md"), table.getBytes(StandardCharsets.UTF_8));
      System.out.println(table);
      System.out.println("(also written to " + built.dir().resolve("benchmark.md") + ")");
      return 0;
    }
  }

  @Command(name = "cascade", mixinStandardHelpOptions = true,
      description = "Cascade accuracy against offload on the test part, with oracle and random routing, per split seed.")
  static final class Cascade extends Common implements Callable<Integer> {
    @Option(names = "--seeds", split = ",", defaultValue = "1,2,3,4,5",
        description = "Split seeds (default: ${DEFAULT-VALUE}).")
    long[] seeds;

    @Option(names = "--min-accuracy", paramLabel = "A",
        description = "Also give, per seed, the cheapest threshold whose test accuracy reaches A (0..1).")
    Double minAccuracy;

    @Override
    public Integer call() throws Exception {
      if (minAccuracy != null && !(minAccuracy >= 0 && minAccuracy <= 1)) {
        System.err.println("cascade: --min-accuracy must be between 0 and 1, was " + minAccuracy);
        return 2;
      }
      System.out.print(dev.tandem.workload.bench.CascadeCurve.run(cacheRoot(), options(), seeds,
          minAccuracy == null ? Double.NaN : minAccuracy));
      return 0;
    }
  }

  @Command(name = "weight-only", mixinStandardHelpOptions = true,
      description = "Store an fp32 model's MatMul/Gemm weights as int8 (per-column scales) behind DequantizeLinear.")
  static final class WeightOnly implements Callable<Integer> {
    @Option(names = "--in", required = true, description = "The fp32 ONNX model.")
    Path in;

    @Option(names = "--out", required = true, description = "Where to write the quantized model.")
    Path out;

    @Override
    public Integer call() throws Exception {
      byte[] model = Files.readAllBytes(in);
      WeightOnlyQuantizer.Result r = WeightOnlyQuantizer.quantize(model);
      byte[] q = r.model();
      Files.write(out, q);
      System.out.printf(Locale.ROOT, "weight-only: %s (%,d bytes) -> %s (%,d bytes, %.1f %%)%n",
          in, model.length, out, q.length, 100.0 * q.length / model.length);
      System.out.printf(Locale.ROOT, "  %d weights quantized: %,d bytes as float32 -> %,d bytes as int8 + scales%n",
          r.quantizedWeights().size(), r.floatWeightBytes(), r.int8WeightBytes());
      return 0;
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new WorkloadCli()).execute(args));
  }
}
