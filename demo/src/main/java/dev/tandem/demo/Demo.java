package dev.tandem.demo;

import dev.tandem.agent.simulate.DataSet;
import dev.tandem.agent.simulate.FleetSimulation;
import dev.tandem.agent.simulate.Mix;
import dev.tandem.agent.simulate.TextInputs;
import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.collect.Collector;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.relay.policy.PolicyPublisher;
import dev.tandem.relay.serve.ModelConfig;
import dev.tandem.relay.serve.Relay;
import dev.tandem.relay.serve.RelayConfig;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.text.TextInput;
import dev.tandem.workload.build.BuiltModels;
import dev.tandem.workload.build.ModelEntry;
import dev.tandem.workload.build.ReferenceModels;
import dev.tandem.workload.corpus.CorpusException;
import dev.tandem.workload.split.Part;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * The whole loop on one machine: the reference models (built and cached if missing), an embedded
 * broker, a relay serving the cloud model, the collector, a simulated fleet replaying the
 * calibration split under a cascade policy with shadow exploration, the tuner on what the
 * collector stored, the recommended policy published and applied by a fresh fleet replaying the
 * test split, and the report. Each part is the project's own code (the relay's {@link Relay},
 * the collector's {@link Collector}, {@code simulate}'s {@link FleetSimulation},
 * {@code tandem-tune}'s commands, {@code publish}'s {@link PolicyPublisher}).
 *
 * <p>{@link #run()} once per instance; {@link #stop()} from any thread (Ctrl-C) ends the running
 * phase early and lets {@code run} close every part.
 */
public final class Demo {
  /** The fleet and model names on the topics. */
  static final String FLEET = "demo";
  static final String MODEL = "spam";
  /** The class names of the reference models' output. */
  static final List<String> LABELS = List.of("ham", "spam");

  private final DemoSettings s;
  private final PrintStream out;
  private volatile boolean stopped;
  private volatile FleetSimulation running;
  private final CountDownLatch finished = new CountDownLatch(1);

  public Demo(DemoSettings settings) {
    this.s = settings;
    this.out = settings.out;
  }

  /** Ends the demo early: the running phase stops deciding, and {@link #run()} closes every part. */
  public void stop() {
    stopped = true;
    FleetSimulation f = running;
    if (f != null) {
      f.stop();
    }
  }

  /** Waits until {@link #run()} has closed every part (for a shutdown hook). */
  public boolean awaitFinished(long timeout, TimeUnit unit) throws InterruptedException {
    return finished.await(timeout, unit);
  }

  /**
   * Runs the loop.
   *
   * @throws DemoException for what the user can act on (another run, a port in use, a full disk,
   *     no npm), with the message saying what to do
   * @throws Exception when a part fails otherwise
   */
  public DemoResult run() throws Exception {
    try (RunLock lock = RunLock.acquire(s.outDir)) {
      return runLocked();
    } catch (IOException | UncheckedIOException e) {
      if (Preflight.isDiskFull(e)) {
        throw new DemoException("the disk is full (" + e.getMessage() + "): free some space in " + s.outDir
            + " or " + s.cacheRoot + ", or point the demo elsewhere with --out DIR / --cache DIR", e);
      }
      throw e;
    } finally {
      finished.countDown();
    }
  }

  private DemoResult runLocked() throws Exception {
    String runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
    Path runDir = s.outDir.resolve("run-" + runId);
    Preflight.diskSpace(s.outDir, 200L << 20, "the demo's store and spools");
    Preflight.portFree(s.host, s.port);
    long t0 = System.nanoTime();
    DemoResult.Builder result = new DemoResult.Builder().runDir(runDir);

    step(1, "reference models and split (cached in " + s.cacheRoot + ")");
    BuiltModels built = models();
    ModelEntry edge = built.edge();
    ModelEntry cloud = built.cloud();
    result.models(built);
    out.printf(Locale.ROOT, "      edge  %s: %d tokens, test accuracy %.2f %% (workload build)%n", edge.encoder(),
        edge.maxTokens(), 100 * edge.testAccuracy());
    out.printf(Locale.ROOT, "      cloud %s: %d tokens, test accuracy %.2f %% (workload build)%n", cloud.encoder(),
        cloud.maxTokens(), 100 * cloud.testAccuracy());
    checkStopped();

    Files.createDirectories(runDir);
    TextInputs text = TextInputs.of(TextInput.fromFile(edge.tokenizer(), edge.maxTokens()),
        TextInput.fromFile(cloud.tokenizer(), cloud.maxTokens()));
    DataSet calibration = DataSet.read(built.messages(Part.CALIBRATION), text, LABELS);
    DataSet test = DataSet.read(built.messages(Part.TEST), text, LABELS);
    Prices prices = ExamplePrices.prices();
    Files.write(runDir.resolve("prices.json"), prices.toJson().getBytes(StandardCharsets.UTF_8));

    step(2, "embedded broker, relay serving the cloud model, collector");
    try (EmbeddedBroker broker = startBroker()) {
      quietLogs();
      String url = broker.url();
      RelayConfig rc = RelayConfig.builder().relayId("demo-relay").brokerUrl(url).metrics("127.0.0.1", -1)
          .addModel(ModelConfig.builder().name(MODEL).file(cloud.file()).version(cloud.sha256().substring(0, 12))
              .providers(List.of(ExecutionProvider.CPU)).intraOpThreads(s.relayThreads).build())
          .build();
      Path storeDir = runDir.resolve("store");
      LogStore store = LogStore.open(storeDir, Clock.systemUTC(), 1);
      result.store(storeDir);
      try (Relay relay = new Relay(rc).start();
          Collector collector = new Collector(new Collector.Options().brokerUrl(url).clientId("demo-collector"),
              store, new PrometheusRegistry());
          PolicyPublisher publisher = new PolicyPublisher(url, "tandem/v1", null, null, null)) {
        out.printf(Locale.ROOT, "      broker %s; relay %s serving %s (%s); collector into %s%n", url,
            relay.relayId(), MODEL, cloud.file().getFileName(), storeDir);

        String baseJson = basePolicy(edgeHash(edge));
        // A fresh embedded broker: this is the fleet's first policy.
        PolicyPublisher.Published base = publisher.publish(FLEET, MODEL, baseJson, OptionalLong.of(0));
        Path basePolicy = runDir.resolve("policy-v" + base.version + ".json");
        Files.write(basePolicy, base.json.getBytes(StandardCharsets.UTF_8));
        Policy calibrationPolicy = Policy.fromJson(base.json);
        result.basePolicy(calibrationPolicy, basePolicy);
        out.printf(Locale.ROOT, "      published policy v%d: cascade, max_prob < %.2f offloads, shadow exploration"
            + " %.0f %%, deadline %d ms%n", base.version, s.initialThreshold, 100 * s.shadowRate, s.deadlineMs);
        checkStopped();

        int calN = s.messages > 0 ? s.messages : calibration.size();
        step(3, String.format(Locale.ROOT, "calibration fleet: %d devices replay %d calibration messages (%s)",
            s.devices, calN, s.networkMix));
        FleetSimulation.Result cal = phase(url, edge, calibration, calibrationPolicy, prices, runDir.resolve("fleet-cal"),
            "cal-" + runId + "-", calN, 0);
        result.calibration(cal);
        out.print(indent(cal.summary()));
        checkStopped();

        step(4, "tuner on the collector's store (" + s.objective + ")");
        Path tunedDir = runDir.resolve("tuned");
        TuneOutcome tuned = tune(storeDir, basePolicy, tunedDir);
        result.tune(tuned);
        out.println("      " + tuned.message());
        checkStopped();

        Policy testPolicy = calibrationPolicy;
        Path inForce = basePolicy;
        step(5, "publish the recommended policy");
        if (tuned.policyJson().isPresent()) {
          PolicyPublisher.Published p = publisher.publish(FLEET, MODEL, tuned.policyJson().get(),
              OptionalLong.of(base.version));
          inForce = runDir.resolve("policy-v" + p.version + ".json");
          Files.write(inForce, p.json.getBytes(StandardCharsets.UTF_8));
          testPolicy = Policy.fromJson(p.json);
          out.printf(Locale.ROOT, "      published policy v%d (%s) on %s%n", p.version, describe(testPolicy), p.topic);
        } else {
          out.printf(Locale.ROOT, "      nothing to publish: policy v%d (%s) stays in force%n", base.version,
              describe(calibrationPolicy));
        }
        result.testPolicy(testPolicy, inForce);
        checkStopped();

        int testN = s.messages > 0 ? s.messages : test.size();
        step(6, String.format(Locale.ROOT, "test fleet: %d new devices apply policy v%d from the fleet's topic and"
            + " replay %d test messages", s.devices, testPolicy.version(), testN));
        // The fleet starts from the calibration policy and must take the published one from the topic.
        FleetSimulation.Result tst = phase(url, edge, test, calibrationPolicy, prices, runDir.resolve("fleet-test"),
            "test-" + runId + "-", testN, testPolicy.version());
        result.test(tst);
        out.print(indent(tst.summary()));
        checkStopped();

        step(7, "report");
        result.report(report(storeDir, inForce, tuned, runDir.resolve("report.html")));
        out.println("      " + result.reportMessage());
      }
    }
    result.seconds((System.nanoTime() - t0) / 1e9);
    DemoResult r = result.build();
    out.println();
    out.print(DemoSummary.render(r, prices));
    return r;
  }

  private BuiltModels models() throws IOException {
    boolean corpusCached = Files.isDirectory(s.cacheRoot.resolve("corpus"));
    if (s.corpusDir == null && !corpusCached && !Preflight.npmOnPath()) {
      throw new DemoException(Preflight.npmMissing(s.cacheRoot));
    }
    Preflight.diskSpace(s.cacheRoot, 1L << 30, "the models' cache");
    try {
      return ReferenceModels.ensureBuilt(s.cacheRoot, s.build);
    } catch (CorpusException e) {
      if (!Preflight.npmOnPath() && s.corpusDir == null) {
        throw new DemoException(Preflight.npmMissing(s.cacheRoot), e);
      }
      throw new DemoException("the corpus could not be read or fetched: " + e.getMessage()
          + " (pass --corpus DIR to use a corpus already on disk)", e);
    }
  }

  private EmbeddedBroker startBroker() {
    try {
      return EmbeddedBroker.start(s.host, s.port);
    } catch (EmbeddedBroker.BrokerStartException e) {
      throw new DemoException("the embedded broker did not start on " + s.host + ":" + s.port + " (" + e.getMessage()
          + "); if the port is in use, pass --port 0 for a free one", e);
    }
  }

  /** HiveMQ configures logback at INFO for the whole process; the demo shows its own steps instead. */
  private static void quietLogs() {
    Object root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    try {
      // logback's API, reached by reflection: the relay brings logback at run time only.
      Class<?> level = Class.forName("ch.qos.logback.classic.Level");
      root.getClass().getMethod("setLevel", level).invoke(root, level.getField("WARN").get(null));
    } catch (ReflectiveOperationException | RuntimeException e) {
      // another backend: leave it as configured
    }
  }

  private FleetSimulation.Result phase(String url, ModelEntry edge, DataSet data, Policy policy, Prices prices,
      Path workDir, String prefix, int messages, long awaitVersion) throws Exception {
    // A cap on the phase, well above what the rate needs: a slow machine ends it, not a lost message.
    long expectedMs = (long) (1000.0 * messages / (s.devices * s.ratePerDevice));
    FleetSimulation.Options o = new FleetSimulation.Options().edgeModel(edge.file()).modelName(MODEL).brokerUrl(url)
        .dataSet(data).policy(policy).prices(prices).workDir(workDir).devices(s.devices)
        .durationMs(3 * expectedMs + 300_000).ratePerDevice(s.ratePerDevice)
        .networkMix(Mix.parse("--network-mix", s.networkMix)).deviceMix(Mix.parse("--device-mix", s.deviceMix))
        .seed(s.seed).fleet(FLEET).devicePrefix(prefix).feedbackShare(s.feedbackShare).replay(messages)
        .followPolicy(true).awaitPolicyVersion(awaitVersion).drainTimeoutMs(180_000).progress(s.progress);
    FleetSimulation f = new FleetSimulation(o);
    running = f;
    try {
      if (stopped) {
        f.stop();
      }
      return f.run();
    } finally {
      running = null;
    }
  }

  private TuneOutcome tune(Path store, Path policy, Path outDir) {
    if (!TunerCommands.available(TunerCommands.TUNE)) {
      return TuneOutcome.unavailable("tuning: not available in this build (tandem-tune has no 'tune' command"
          + " yet, #14); the calibration policy stays in force");
    }
    List<String> args = new ArrayList<>(List.of("--store", store.toString(), "--policy", policy.toString(),
        "--out", outDir.toString()));
    args.addAll(s.objectiveFlags());
    int rc = TunerCommands.run(TunerCommands.TUNE, args);
    return TuneOutcome.read(outDir, rc);
  }

  private Optional<Path> report(Path store, Path policy, TuneOutcome tuned, Path html) {
    if (!TunerCommands.available(TunerCommands.REPORT)) {
      return Optional.empty();
    }
    List<String> args = new ArrayList<>(List.of("--store", store.toString(), "--policy", policy.toString(),
        "--out", html.toString()));
    if (tuned.policyFile().isPresent()) {
      args.add("--recommended");
      args.add(tuned.policyFile().get().toString());
    }
    int rc = TunerCommands.run(TunerCommands.REPORT, args);
    return rc == 0 && Files.isRegularFile(html) ? Optional.of(html) : Optional.empty();
  }

  /** The calibration policy: cascade on the edge's max probability, shadow exploration, made for this edge model. */
  String basePolicy(String edgeHash) {
    return String.format(Locale.ROOT, "{\"schema\": 1, \"version\": 1, \"model\": \"%s\", \"edge_model_hash\": \"%s\","
        + " \"mode\": \"cascade\", \"signal\": \"max_prob\", \"threshold\": %s, \"deadline_ms\": %d,"
        + " \"exploration\": {\"rate\": %s, \"kind\": \"shadow\"}}", MODEL, edgeHash, s.initialThreshold,
        s.deadlineMs, s.shadowRate);
  }

  private static String edgeHash(ModelEntry edge) throws IOException {
    try (dev.tandem.runtime.model.ModelSession m = dev.tandem.runtime.model.ModelSession.builder().path(edge.file())
        .intraOpThreads(1).build()) {
      return m.info().sha256();
    }
  }

  static String describe(Policy p) {
    return String.format(Locale.ROOT, "%s, %s < %.3f, deadline %d ms", p.mode().jsonName(), p.signal().jsonName(),
        p.threshold(), p.deadlineMs());
  }

  private void step(int n, String what) {
    out.printf(Locale.ROOT, "[%d/7] %s%n", n, what);
    out.flush();
  }

  private void checkStopped() {
    if (stopped) {
      throw new DemoException("stopped (Ctrl-C); every part was closed, what was stored so far is in " + s.outDir);
    }
  }

  private static String indent(String text) {
    StringBuilder sb = new StringBuilder();
    for (String line : text.split("\n", -1)) {
      if (!line.isEmpty()) {
        sb.append("      ").append(line);
      }
      sb.append('\n');
    }
    return sb.toString().replaceAll("\n+$", "\n");
  }
}
