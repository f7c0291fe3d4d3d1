package dev.tandem.agent.run;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.http.AgentHttpServer;
import dev.tandem.agent.http.AgentMetrics;
import dev.tandem.agent.input.DirectorySource;
import dev.tandem.agent.input.InferRequest;
import dev.tandem.agent.input.InputSink;
import dev.tandem.agent.input.InvalidRequestException;
import dev.tandem.agent.output.OutputWriter;
import dev.tandem.runtime.internal.fleet.FleetConnection;
import dev.tandem.runtime.internal.fleet.PolicyGate;
import dev.tandem.runtime.internal.fleet.PolicySubscriber;
import dev.tandem.agent.state.ProbedDeviceState;
import dev.tandem.runtime.capture.Capture;
import dev.tandem.runtime.internal.capture.CaptureStore;
import dev.tandem.runtime.internal.capture.CaptureUploader;
import dev.tandem.runtime.internal.fleet.LogUploader;
import dev.tandem.runtime.internal.fleet.MqttLink;
import dev.tandem.runtime.internal.fleet.SpoolUploadQueue;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.model.InvalidInputException;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.spool.FsyncPolicy;
import dev.tandem.runtime.internal.spool.SequenceStore;
import dev.tandem.runtime.spool.Spool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.tandem.runtime.internal.fatal.Failures;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running device agent: the runtime (edge model, policy, spool, offloader), its inputs, its
 * output, the log uploader and the policy subscription, wired from an {@link AgentConfig}.
 * {@link #submit} is the one entry every input source uses. Thread-safe; {@link #close()}
 * stops the inputs first, then the runtime (every answered decision is spooled), then the
 * uploader, and is idempotent.
 */
public final class Agent implements InputSink, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping()
      .serializeSpecialFloatingPointValues().create();
  /** The uploader's note of the highest acknowledged sequence, for the restart gap. */

  private final AgentConfig config;
  private final AgentMetrics metrics = new AgentMetrics();
  private final OutputWriter output;
  private Spool spool;
  private Engine engine;
  private PolicyGate gate;
  private MqttLink link;
  private LogUploader uploader;
  private CaptureUploader captureUploader;
  private AgentHttpServer http;
  private DirectorySource dir;
  private volatile boolean closed;
  private Failures failures = Failures.report();

  /** Test and embedding hooks; the defaults are what {@code run} uses. */
  public static final class Options {
    DeviceStateProvider deviceState;
    Clock clock = Clock.systemUTC();
    OutputWriter output;
    Failures failures = Failures.report();

    /**
     * Where a fatal {@link Error} in the agent's threads goes; by default the agent reports
     * itself failed ({@link Agent#health()}); {@code run} exits the process.
     */
    public Options failures(Failures f) {
      failures = f;
      return this;
    }

    /** Replaces the probed device state (tests: a network going offline). */
    public Options deviceState(DeviceStateProvider p) {
      deviceState = p;
      return this;
    }

    public Options clock(Clock c) {
      clock = c;
      return this;
    }

    /** Where answers of the stdin and directory sources go (default from the config). */
    public Options output(OutputWriter w) {
      output = w;
      return this;
    }
  }

  private Agent(AgentConfig config, OutputWriter output) throws IOException {
    this.config = config;
    this.output = output;
  }

  /**
   * Starts an agent: loads the model and the policy, opens the spool, starts uploading and
   * following the policy topic (in the background: a broker that is down at start is no error),
   * and opens the configured HTTP and directory inputs. Stdin is the caller's: see
   * {@link RunCommand}.
   *
   * @throws IOException when the model, tokenizer, spool or a port cannot be opened
   * @throws IllegalStateException when no usable policy exists
   */
  public static Agent start(AgentConfig config, Options options) throws Exception {
    OutputWriter out = options.output != null ? options.output
        : config.outputFile().isPresent() ? OutputWriter.file(config.outputFile().get()) : OutputWriter.stdout();
    Agent a = new Agent(config, out);
    a.failures = options.failures;
    try {
      a.open(options);
    } catch (Exception | Error e) {
      a.close();
      throw e;
    }
    return a;
  }

  private void open(Options options) throws Exception {
    Path spoolDir = config.spool().dir();
    Files.createDirectories(spoolDir);
    // Before the runtime hands out a number: which numbers did the last run leave unused?
    long maxKnown = Math.max(SpoolUploadQueue.maxSeq(spoolDir), FleetConnection.uploadedSeq(spoolDir));
    long next = SequenceStore.open(spoolDir).peek();

    spool = Spool.builder(spoolDir)
        .maxSegmentBytes(Math.max(4096, Math.min(1L << 20, config.spool().diskBudgetBytes() / 8)))
        .diskBudgetBytes(config.spool().diskBudgetBytes())
        .reserveBytes(config.spool().reserveBytes())
        .fsync(fsync(config.spool().fsync()))
        .build();
    metrics.gauge("tandem_agent_spool_bytes", "Bytes waiting in the spool", spool::sizeBytes);
    metrics.gauge("tandem_agent_spool_evicted_records", "Records evicted by the disk budget",
        spool::evictedRecords);
    metrics.counter("tandem_agent_records_dropped_total", "Records dropped unwritten (full disk), by reason",
        "reason", spool::droppedByReason);

    DeviceStateProvider state = options.deviceState != null ? options.deviceState
        : new ProbedDeviceState(config.deviceState(), config.deviceClass(), 1000);
    String hash = Engines.sha256(config.model().path());
    Policy initial = PolicyGate.initial(config.policy().file(), spoolDir, hash, config.policy().maxBytes());
    engine = Engines.open(config, spool, state, initial, metrics, options.clock);
    engine.recordPolicyInForce();
    gate = new PolicyGate(config.deviceId(), engine.edgeModelHash(), initial, spoolDir, engine::policy,
        engine::policyRejected, metrics, options.clock, config.policy().maxBytes());

    Optional<AgentConfig.Broker> broker = config.broker();
    if (broker.isPresent() && (config.upload().enabled() || config.policy().subscribe())) {
      AgentConfig.Broker b = broker.get();
      Topics topics = Topics.withPrefix(b.topicPrefix());
      link = new MqttLink(b.url(), config.deviceId() + "-logs", b.username().orElse(null),
          Engines.password(b), Engines.socketFactory(b));
      if (config.policy().subscribe()) {
        PolicySubscriber.follow(link, topics.policy(config.fleet(), config.model().name()), gate,
            e -> failures.fatal("agent policy subscriber", e));
      }
      if (config.upload().enabled()) {
        AgentConfig.Upload u = config.upload();
        uploader = new LogUploader(link, new SpoolUploadQueue(spool, u.intervalMs()), config.deviceId(),
            topics.logs(config.deviceId()), topics.logsAck(config.deviceId()),
            new LogUploader.Settings().intervalMs(u.intervalMs()).ackTimeoutMs(u.ackTimeoutMs())
                .backoff(u.backoffInitialMs(), u.backoffMaxMs()).maxBatchRecords(u.maxBatchRecords())
                .onAck(seq -> FleetConnection.noteUploaded(spoolDir, seq))
                .onFatal(e -> failures.fatal("agent uploader", e)),
            metrics);
        if (next > maxKnown + 1) {
          uploader.declareUnused(maxKnown + 1, next - 1);
        }
        if (config.capture().enabled()) {
          Capture c = config.capture();
          captureUploader = new CaptureUploader(link,
              CaptureStore.open(c.directory() != null ? c.directory() : spoolDir.resolve("captures"), c,
                  options.clock),
              topics.prefix() + "/captures/" + config.deviceId(), Math.max(1000, u.intervalMs()));
        }
      }
      link.start();
    }
    if (config.input().httpPort() >= 0) {
      http = new AgentHttpServer(config.input().httpBind(), config.input().httpPort(), this, metrics,
          this::health, 4, e -> failures.fatal("agent HTTP", e));
      log.info("HTTP endpoint on {}:{}", config.input().httpBind(), http.port());
    }
    if (config.input().dir().isPresent()) {
      dir = new DirectorySource(config.input().dir().get(), this, output::write, 200).start();
    }
    log.info("agent {} of fleet {} running: model {} ({}), policy version {}", config.deviceId(),
        config.fleet(), config.model().name(), engine.edgeModelHash(), initial.version());
  }

  private static FsyncPolicy fsync(AgentConfig.Spool.Fsync f) {
    switch (f) {
      case INTERVAL:
        return FsyncPolicy.interval(1000);
      case NONE:
        return FsyncPolicy.none();
      default:
        return FsyncPolicy.everyRecord();
    }
  }

  /** One request through the engine: text through the model's tokenizer, or raw tensors, as the config says. */
  private JsonObject infer(InferRequest r) {
    if (config.preprocessing() == AgentConfig.Preprocessing.TEXT) {
      if (!r.text().isPresent()) {
        throw new InvalidRequestException("this agent's model takes \"text\"");
      }
      return engine.infer(r.text().get());
    }
    if (r.tensors().isEmpty()) {
      throw new InvalidRequestException("this agent's model takes \"inputs\" (raw tensors)");
    }
    return engine.infer(r.tensors());
  }

  @Override
  public String submit(String requestJson, String source) {
    String id = "";
    try {
      InferRequest r = InferRequest.parse(requestJson);
      id = r.id();
      JsonObject answer = new JsonObject();
      if (!id.isEmpty()) {
        answer.addProperty("id", id);
      }
      JsonObject d = infer(r);
      for (String k : d.keySet()) {
        answer.add(k, d.get(k));
      }
      metrics.inc("tandem_agent_decisions_total", "route", d.get("route").getAsString());
      if (uploader != null) {
        uploader.nudge();
      }
      return GSON.toJson(answer);
    } catch (InvalidRequestException | InvalidInputException e) {
      metrics.inc("tandem_agent_requests_rejected_total", null, null);
      JsonObject err = new JsonObject();
      err.addProperty("error", e.getMessage());
      if (!id.isEmpty()) {
        err.addProperty("id", id);
      }
      return GSON.toJson(err);
    }
  }

  /** Writes an answer to the agent's output (stdin and directory sources). */
  public void emit(String answerJson) {
    output.write(answerJson);
  }

  public AgentMetrics metrics() {
    return metrics;
  }

  public PolicyGate policyGate() {
    return gate;
  }

  /**
   * What works now: {@code null} when all is well; {@code "failed: ..."} after a fatal error;
   * {@code "stopping"}; {@code "degraded: ..."} while the spool cannot write (records are dropped
   * and counted; inference goes on) or the uploader has stopped.
   */
  public String health() {
    if (failures.failed()) {
      return "failed: " + failures.failure().get();
    }
    if (closed) {
      return "stopping";
    }
    if (spool.writeFailing()) {
      return "degraded: the spool cannot write (disk full?); " + spool.droppedRecords() + " records dropped";
    }
    return null;
  }

  /** The HTTP endpoint's port, or -1 when off. */
  public int httpPort() {
    return http == null ? -1 : http.port();
  }

  /** Whether the uploader has nothing left to send (spool fully acknowledged). */
  public boolean uploaded() {
    return spool.closedSegments().isEmpty() && spool.sizeBytes() == 0;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (http != null) {
      http.close();
    }
    if (dir != null) {
      dir.close();
    }
    // The uploader first: the runtime closes the spool, and what is not acked stays in it.
    if (uploader != null) {
      uploader.close();
    }
    if (captureUploader != null) {
      captureUploader.close();
    }
    if (link != null) {
      link.close();
    }
    if (engine != null) {
      engine.close();
    }
    if (spool != null) {
      spool.close();
    }
    try {
      output.close();
    } catch (IOException e) {
      log.warn("closing the output: {}", e.toString());
    }
  }
}
