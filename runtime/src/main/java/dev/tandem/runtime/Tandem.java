package dev.tandem.runtime;

import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.ModelInfo;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.TandemInternals;
import dev.tandem.runtime.internal.fleet.FleetConnection;
import dev.tandem.runtime.internal.fleet.SpoolUploadQueue;
import dev.tandem.runtime.internal.policy.RoundTripEstimator;
import dev.tandem.runtime.internal.offload.MqttOffloader;
import dev.tandem.runtime.internal.offload.OffloadRequest;
import dev.tandem.runtime.internal.offload.OffloadResult;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.internal.offload.Offloader;
import dev.tandem.runtime.policy.CostBudget;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.Mode;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.PolicyEventRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.signal.ClassificationScorer;
import dev.tandem.runtime.signal.Signals;
import dev.tandem.runtime.internal.spool.SequenceStore;
import dev.tandem.runtime.capture.Capture;
import dev.tandem.runtime.internal.capture.CaptureStore;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.text.TextInput;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's entry point: runs the edge model, lets the policy route each input, offloads to
 * the cloud when it says so, and writes a decision record of every answer to the spool.
 *
 * <pre>{@code
 * try (Tandem tandem = Tandem.builder()
 *     .edgeModel(Paths.get("edge.onnx"))
 *     .textInput(TextInput.fromFile(Paths.get("tokenizer.json"), 128))
 *     .model("spam").deviceId("phone-17")
 *     .policy(Policy.fromJson(policyJson))
 *     .cloud(CloudConnection.builder().serverUri("ssl://broker.example.com:8883").build())
 *     .spool(Spool.builder(filesDir.resolve("tandem")).build())
 *     .build()) {
 *   Decision d = tandem.infer("Win a FREE cruise now!!!"); // or infer(List<Tensor>) for any model
 * }
 * }</pre>
 *
 * <p><b>The cloud connection.</b> Tandem opens its {@link CloudConnection} under its own device
 * id when it is built, connects in the background and closes it in {@link #close()}; until the
 * broker is reached, decisions fall back to the edge with reason {@code offline}. A reply that
 * comes after its decision's deadline never changes that decision: it is written as an
 * amendment record and handed to the builder's {@link Builder#lateReplyListener}. On the same
 * broker, and started and closed the same way, Tandem can upload the spool's records to the
 * fleet's collector ({@link Builder#uploadRecords}) and follow the fleet's pushed policy
 * ({@link Builder#followPolicy}).
 *
 * <p><b>Failures.</b> A cloud path that fails (no offloader, offline, timeout, busy, ...) is not
 * an error: the edge answers, route {@code edge_fallback}, with the reason recorded. {@code infer}
 * throws only for what the caller can fix: inputs the edge model refuses
 * ({@code InvalidInputException}), a failing edge model ({@code ModelRunException}), or use after
 * {@link #close()} ({@link IllegalStateException}). A record that cannot be written is logged and
 * counted ({@link #recordWriteFailures()}), never thrown: losing a log line must not lose an answer.
 *
 * <p><b>Threading.</b> Thread-safe: {@code infer} may be called from many threads at once; each
 * decision takes its own sequence number and writes its own record. {@code inferAsync} runs the
 * edge model on the builder's executor (by default a pool with one thread per core) and never
 * blocks the caller. A reply for a {@code shadow} decision, or one that came after its deadline,
 * is recorded (and a late one given to the late-reply listener) on that executor, never on the
 * offloader's I/O thread.
 *
 * <p><b>Records.</b> By default {@code infer} returns once its decision's record is appended to
 * the spool, so a process killed right after an answer never loses that answer's record. With
 * {@link Builder#writeRecordsInBackground} a thread of Tandem's own encodes and appends the
 * records instead, in the order they were made, moments after the answer.
 *
 * <p><b>Cost.</b> One edge run, a policy decision (no I/O, under a microsecond), one record
 * encoded and appended to the spool (a few microseconds warm; tens of microseconds right after a
 * large model's run has evicted the caches, and a few milliseconds more when the spool forces
 * every record to the device), and an offload when the policy asks for one (docs/benchmarks.md
 * has measured figures).
 */
public final class Tandem implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Tandem.class);
  /** Slack over the request's budget after which {@code infer} stops waiting for an offloader that broke its contract. */
  private static final long OFFLOADER_GRACE_MS = 2000;

  private final ModelSession edge;
  private final ClassificationScorer scorer;
  private final ClassificationScorer cloudScorer;
  private final String model;
  private final String deviceId;
  private final String fleet;
  private final Offloader offloader;
  private final Spool spool;
  /** Writes records off the deciding thread with {@link Builder#writeRecordsInBackground}; else null (the caller writes). */
  private final RecordWriter writer;
  /** Records queued for the writer before a decision waits for room. */
  private static final int RECORD_QUEUE = 4096;
  private final Capture capture;
  private final CaptureStore captures;
  private final SequenceStore sequences;
  private final Prices prices;
  private final DeviceStateProvider deviceState;
  private final Clock clock;
  private final Random random;
  private final Executor executor;
  private final ExecutorService ownedExecutor;
  private final Consumer<Record> recordListener;
  private final RoundTripEstimator estimator;
  private final CostBudget budget;
  private final LongConsumer afterEdgeRun;
  private final Consumer<AmendmentRecord> lateReplyListener;
  private final TextInput edgeText;
  private final TextInput cloudText;
  private final AtomicLong recordWriteFailures = new AtomicLong();
  /** The highest sequence number spooled or uploaded before this run (read only when uploading). */
  private final long maxKnownSeq;
  private volatile Policy policy;
  /** The upload and policy subscription, when the builder asked for either; set once, after construction. */
  private volatile FleetConnection fleetConnection;

  private final Object lifecycle = new Object();
  private int inFlight;
  private boolean closed;

  private Tandem(Builder b, ModelSession edge, Policy policy) {
    this.edge = edge;
    this.scorer = b.scorer;
    this.cloudScorer = b.cloudScorer == null ? b.scorer : b.cloudScorer;
    this.model = b.model;
    this.deviceId = b.deviceId;
    this.fleet = b.fleet;
    this.offloader = b.offloader;
    this.spool = b.spool;
    // Before this run hands out a number: which numbers did the last run leave unused?
    this.maxKnownSeq = b.uploadRecords ? Math.max(SpoolUploadQueue.maxSeq(b.spool.directory()),
        FleetConnection.uploadedSeq(b.spool.directory())) : 0;
    this.sequences = SequenceStore.open(b.spool.directory());
    this.capture = b.capture;
    this.captures = b.capture.enabled() ? CaptureStore.open(b.capture.directory() != null ? b.capture.directory()
        : b.spool.directory().resolve("captures"), b.capture, b.clock) : null;
    this.prices = b.prices;
    this.deviceState = b.deviceState;
    this.clock = b.clock;
    this.random = b.random;
    if (b.executor == null) {
      int n = Math.max(1, Runtime.getRuntime().availableProcessors());
      this.ownedExecutor = Executors.newFixedThreadPool(n, daemonThreads());
      this.executor = ownedExecutor;
    } else {
      this.ownedExecutor = null;
      this.executor = b.executor;
    }
    this.recordListener = b.recordListener;
    this.afterEdgeRun = b.afterEdgeRun;
    this.lateReplyListener = b.lateReplyListener;
    this.edgeText = b.textInput == null ? null : b.textInput.forModel(edge.info());
    this.cloudText = b.cloudTextInput == null || b.cloudTextInput.sameAs(b.textInput) ? null : b.cloudTextInput;
    this.policy = policy;
    this.estimator = new RoundTripEstimator(policy);
    this.budget = new CostBudget(policy);
    this.writer = b.writeRecordsInBackground
        ? new RecordWriter(this::write, RECORD_QUEUE, "tandem-records-" + deviceId) : null;
  }

  static {
    TandemInternals.install(new TandemInternals() {
      @Override
      public Builder offloader(Builder builder, Offloader offloader) {
        return builder.offloader(offloader);
      }

      @Override
      public Builder afterEdgeRun(Builder builder, LongConsumer hook) {
        builder.afterEdgeRun = Objects.requireNonNull(hook, "hook");
        return builder;
      }

      @Override
      public Offloader offloader(Tandem tandem) {
        return tandem.offloader;
      }
    });
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Answers one input; waits for the cloud when the policy offloads it (never past the
   * policy's deadline, give or take the offloader's timer slack).
   *
   * @param inputs the edge model's inputs, also sent to the cloud when offloaded
   * @throws dev.tandem.runtime.model.InvalidInputException if the edge model refuses the inputs
   * @throws IllegalStateException after {@link #close()}
   */
  public Decision infer(List<Tensor> inputs) {
    return infer(inputs, null);
  }

  /**
   * As {@link #infer(List)}, with a separate input for the cloud model.
   *
   * @param cloudInput what the cloud gets, or {@code null} for {@code inputs}
   */
  public Decision infer(List<Tensor> inputs, CloudInput cloudInput) {
    Permit permit = enter();
    return run(inputs, cloudInput, true, permit).join();
  }

  /**
   * Answers one text, tokenized by the builder's {@link Builder#textInput}; when offloaded, the
   * cloud gets the text as its {@link Builder#cloudTextInput} tokenizes it (built only then), or
   * else the edge model's tokens.
   *
   * @throws IllegalStateException if the builder was given no text input, or after {@link #close()}
   */
  public Decision infer(String text) {
    TextInput in = requireText();
    List<Tensor> tensors = in.tensors(text);
    return infer(tensors, cloudInput(text, tensors));
  }

  /** As {@link #infer(String)}, without blocking: tokenizing and the edge model run on the builder's executor. */
  public CompletableFuture<Decision> inferAsync(String text) {
    Objects.requireNonNull(text, "text");
    TextInput in = requireText();
    Permit permit = enter();
    CompletableFuture<Decision> out = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        CompletableFuture<Decision> f;
        try {
          List<Tensor> tensors = in.tensors(text);
          f = run(tensors, cloudInput(text, tensors), false, permit);
        } catch (RuntimeException ex) {
          permit.close();
          out.completeExceptionally(ex);
          return;
        }
        f.whenComplete((d, ex) -> {
          if (ex != null) {
            out.completeExceptionally(unwrap(ex));
          } else {
            out.complete(d);
          }
        });
      });
    } catch (RejectedExecutionException e) {
      permit.close();
      throw new IllegalStateException("Tandem's executor refused the task", e);
    }
    return out;
  }

  private TextInput requireText() {
    if (edgeText == null) {
      throw new IllegalStateException("infer(String) needs a text input: give the builder textInput(...)");
    }
    return edgeText;
  }

  /**
   * The cloud's own tokens of {@code text}, built only if offloaded; null when the cloud reads
   * the edge's. Its size for the policy: the edge's token count when the edge did not truncate
   * the text (the cloud's budget at most), else the cloud's whole budget.
   */
  private CloudInput cloudInput(String text, List<Tensor> edgeTensors) {
    if (cloudText == null) {
      return null;
    }
    int max = cloudText.maxTokens();
    int edgeTokens = (int) edgeTensors.get(0).shape()[1]; // input_ids, [1, tokens]
    int tokens = edgeTokens < edgeText.maxTokens() ? Math.min(edgeTokens, max) : max;
    return CloudInput.lazy(cloudText.byteLength(tokens), () -> cloudText.tensors(text));
  }

  /** As {@link #infer(List)}, without blocking: the edge model runs on the builder's executor. */
  public CompletableFuture<Decision> inferAsync(List<Tensor> inputs) {
    return inferAsync(inputs, null);
  }

  /** As {@link #infer(List, CloudInput)}, without blocking. */
  public CompletableFuture<Decision> inferAsync(List<Tensor> inputs, CloudInput cloudInput) {
    Objects.requireNonNull(inputs, "inputs");
    Permit permit = enter();
    CompletableFuture<Decision> out = new CompletableFuture<>();
    try {
      executor.execute(() -> run(inputs, cloudInput, false, permit).whenComplete((d, e) -> {
        if (e != null) {
          out.completeExceptionally(unwrap(e));
        } else {
          out.complete(d);
        }
      }));
    } catch (RejectedExecutionException e) {
      permit.close();
      throw new IllegalStateException("Tandem's executor refused the task", e);
    }
    return out;
  }

  /**
   * Records the true class of a decision's input, as an amendment keyed by its id. Call it when
   * the app learns the label (the user marked the message as spam, say).
   *
   * @throws IllegalArgumentException if {@code decisionId} is not one of this device's decisions,
   *     or {@code label} is negative
   * @throws IllegalStateException after {@link #close()}
   */
  public void feedback(String decisionId, int label) {
    Objects.requireNonNull(decisionId, "decisionId");
    String prefix = deviceId + ":";
    long seq;
    try {
      seq = decisionId.startsWith(prefix) ? Long.parseLong(decisionId.substring(prefix.length())) : -1;
    } catch (NumberFormatException e) {
      seq = -1;
    }
    if (seq < 1 || seq >= sequences.peek()) {
      throw new IllegalArgumentException("'" + decisionId + "' is not a decision id of device " + deviceId);
    }
    if (label < 0) {
      throw new IllegalArgumentException("label must be a class index >= 0, was " + label);
    }
    try (Permit permit = enter()) {
      append(AmendmentRecord.label(deviceId, sequences.next(), clock.millis(), decisionId, label));
    }
  }

  /**
   * Applies a newer policy, if it is for this edge model and its canary includes this device.
   * Decisions already deciding finish under the old one. Either way a {@code policy_event}
   * record (applied, or rejected with the reason) goes to the spool.
   *
   * @return empty when applied, else why it was rejected (the current policy stays)
   * @throws IllegalStateException after {@link #close()}
   */
  public Optional<String> updatePolicy(Policy candidate) {
    Objects.requireNonNull(candidate, "candidate");
    try (Permit permit = enter()) {
      synchronized (lifecycle) {
        long before = policy.version();
        Optional<String> why = policy.rejection(candidate, deviceId, edge.info().sha256());
        if (!why.isPresent()) {
          estimator.configure(candidate);
          budget.configure(candidate);
          policy = candidate;
          appendPolicyEvent(PolicyEventRecord.Event.APPLIED, "update", "replaces version " + before, candidate);
        } else {
          appendPolicyEvent(PolicyEventRecord.Event.REJECTED, reasonOf(why.get()), why.get(), candidate);
        }
        return why;
      }
    }
  }

  /**
   * Writes a {@code policy_event} record saying that the policy now in force is applied (reason
   * {@code start}): a host calls it once when it starts, so that the logs name the policy in
   * force before any update.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  public void recordPolicyInForce() {
    try (Permit permit = enter()) {
      synchronized (lifecycle) {
        appendPolicyEvent(PolicyEventRecord.Event.APPLIED, "start", "in force at start", policy);
      }
    }
  }

  /**
   * Writes a {@code policy_event} record for a policy the host rejected before it reached
   * {@link #updatePolicy}: a document that did not parse or validate, or one the host's own
   * check refused.
   *
   * @param version the document's version if it could be read, else -1
   * @param policyHash its content hash ({@link PolicyEventRecord#contentHash}) if it parsed, else ""
   * @param why {@code reason: detail}, the reason one of {@code invalid}, {@code older_version},
   *     {@code other_edge_model}, {@code not_in_canary} ({@code invalid} when there is no prefix)
   * @throws IllegalStateException after {@link #close()}
   */
  public void recordPolicyRejected(long version, String policyHash, String why) {
    Objects.requireNonNull(policyHash, "policyHash");
    Objects.requireNonNull(why, "why");
    try (Permit permit = enter()) {
      synchronized (lifecycle) {
        append(PolicyEventRecord.builder().device(deviceId).seq(sequences.next()).timeMs(clock.millis())
            .fleet(fleet).model(model == null ? "" : model).event(PolicyEventRecord.Event.REJECTED)
            .reason(reasonOf(why)).message(why).version(Math.max(-1, version)).policyHash(policyHash)
            .inForceVersion(policy.version()).edgeModelHash(edge.info().sha256()).build());
      }
    }
  }

  private static String reasonOf(String why) {
    int colon = why.indexOf(':');
    String head = colon > 0 ? why.substring(0, colon) : "";
    return head.matches("[a-z_]+") ? head : "invalid";
  }

  private void appendPolicyEvent(PolicyEventRecord.Event event, String reason, String message, Policy p) {
    append(PolicyEventRecord.builder().device(deviceId).seq(sequences.next()).timeMs(clock.millis()).fleet(fleet)
        .model(model == null ? "" : model).event(event).reason(reason).message(message).policy(p)
        .inForceVersion(policy.version()).edgeModelHash(edge.info().sha256()).build());
  }

  /** The policy in force. */
  public Policy policy() {
    return policy;
  }

  public String deviceId() {
    return deviceId;
  }

  /** The edge model's inputs, outputs and hash. */
  public ModelInfo edgeModel() {
    return edge.info();
  }

  /** Whether a request made now could reach the cloud (a connection is configured and up). */
  public boolean cloudAvailable() {
    return offloader != null && offloader.isAvailable();
  }

  /**
   * Waits until the cloud connection is up, or the timeout passes. Never needed for correctness
   * (decisions fall back to the edge meanwhile); useful before a test or a benchmark.
   *
   * @return whether the connection is up; false at once when none is configured
   */
  public boolean awaitCloud(long timeout, TimeUnit unit) throws InterruptedException {
    if (offloader instanceof MqttOffloader) {
      return ((MqttOffloader) offloader).awaitAvailable(timeout, unit);
    }
    long until = System.nanoTime() + unit.toNanos(timeout);
    while (offloader != null && !offloader.isAvailable() && System.nanoTime() < until) {
      Thread.sleep(10);
    }
    return cloudAvailable();
  }

  /**
   * Waits until the fleet's collector has acknowledged every record written before the call (or
   * the time is up): for an app that uploads in a scheduled job and wants to know when it may
   * stop. Never needed for correctness: records stay in the spool until acknowledged.
   *
   * @return whether they all were; false at once without {@link Builder#uploadRecords}
   */
  public boolean awaitUploaded(long timeout, TimeUnit unit) throws InterruptedException {
    FleetConnection f = fleetConnection;
    if (f == null) {
      return false;
    }
    long end = System.nanoTime() + unit.toNanos(timeout);
    if (writer != null && !writer.awaitWritten(timeout, unit)) {
      return false;
    }
    return f.awaitUploaded(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  /**
   * Records that could not be written to the spool (each was logged); with
   * {@link Builder#writeRecordsInBackground}, counted when the writer tries them.
   */
  public long recordWriteFailures() {
    return recordWriteFailures.get();
  }

  /**
   * Stops taking work, waits for decisions in flight (at most the policy's deadline and a grace
   * period), then closes the offloader and the executor it owns, writes every record still
   * queued, and closes the spool and the edge model. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      awaitIdle(policy.deadlineMs() + OFFLOADER_GRACE_MS);
    }
    FleetConnection f = fleetConnection;
    if (f != null) {
      f.close(); // what is not acknowledged stays in the spool for the next run
    }
    if (offloader != null) {
      // Completes what is still pending with offline; those records are written below.
      offloader.close();
    }
    synchronized (lifecycle) {
      awaitIdle(OFFLOADER_GRACE_MS);
      if (inFlight > 0) {
        log.warn("closing with {} decisions still in flight; their records are lost", inFlight);
      }
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      try {
        ownedExecutor.awaitTermination(OFFLOADER_GRACE_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (writer != null) {
      writer.close(); // everything queued is written before the spool closes
    }
    spool.close();
    edge.close();
  }

  // ---- the way of one decision

  private CompletableFuture<Decision> run(List<Tensor> inputs, CloudInput cloudIn, boolean sync, Permit permit) {
    try {
      return runEntered(inputs, cloudIn, sync, permit);
    } catch (RuntimeException e) {
      permit.close();
      if (sync) {
        throw e;
      }
      CompletableFuture<Decision> f = new CompletableFuture<>();
      f.completeExceptionally(e);
      return f;
    }
  }

  /** Runs with one in-flight slot held; the slot is released once the record is written (or on failure). */
  private CompletableFuture<Decision> runEntered(List<Tensor> inputs, CloudInput cloudIn, boolean sync,
      Permit permit) {
    long t0 = System.nanoTime();
    Policy pol = policy;
    DeviceState state = deviceState.current();
    EdgeRun edgeRun = pol.mode() == Mode.CLOUD_ONLY ? null : runEdge(inputs);
    CloudInput cloudInput = cloudIn != null ? cloudIn : CloudInput.of(inputs);
    NetworkType net = state.networkType();
    long now = clock.millis();
    OffloaderState os = offloader == null ? OffloaderState.NONE
        : offloader.isAvailable() ? OffloaderState.AVAILABLE : OffloaderState.UNAVAILABLE;
    double elapsed = msSince(t0);
    DecisionContext ctx = DecisionContext.builder()
        .policyVersion(pol.version())
        .edgeModelHash(edge.info().sha256())
        .signals(edgeRun == null ? null : edgeRun.signals)
        .device(state)
        .payloadBytes(cloudInput.bytes())
        .offloader(os)
        .elapsedMs(elapsed)
        .budgetAvailableUsd(pol.hasCostBudget() ? budget.available(now) : -1)
        .expectedOffloadUsd(prices.expectedOffloadUsd(cloudInput.bytes(), net))
        .roundTrip(estimator.snapshot(net, now))
        .draw(random.nextDouble())
        .build();
    RouteDecision d = pol.decide(ctx);
    Outcome.Start start = new Outcome.Start(deviceId, sequences.next(), now, fleet, model, ctx, d);
    String id = start.id();
    if (captures != null) {
      captureInputs(start, d, ctx, inputs);
    }

    if (!d.route().asksCloud()) {
      EdgeRun er = edgeRun != null ? edgeRun : runEdge(inputs);
      Outcome o = Outcome.edge(start, er, prices.cost(er.ms, 0, 0, net, false), msSince(t0));
      append(o.record());
      permit.close();
      return CompletableFuture.completedFuture(o.decision());
    }

    long budgetMs = Math.max(1, (long) Math.floor(pol.deadlineMs() - elapsed));
    if (pol.hasCostBudget()) {
      budget.spend(now, ctx.expectedOffloadUsd());
    }
    estimator.attempt(net, now);
    List<Tensor> cloudTensors = cloudInput.build();
    double ewma = ctx.roundTrip().ewmaMs();
    OffloadRequest request = OffloadRequest.builder().decisionId(id).model(model).inputs(cloudTensors)
        .budgetMs(budgetMs).uplinkEstimateMs(ewma > 0 ? (long) (ewma / 2) : 0).build();
    CompletableFuture<OffloadResult> reply = send(request);

    if (d.route() == Route.SHADOW) {
      EdgeRun er = edgeRun != null ? edgeRun : runEdge(inputs);
      // The answer counts the request as sent and served; the record, written once the reply is in, what happened.
      Outcome answered = Outcome.edge(start, er,
          prices.cost(er.ms, CloudInput.byteLength(cloudTensors), 0, net, true), msSince(t0));
      reply.whenCompleteAsync((r, e) -> {
        try {
          OffloadResult res = withBytesUp(r != null ? r : failed(e), request);
          watchLateReply(id, res);
          estimator.outcome(net, now, res.status(), res.roundTripMs(), budgetMs);
          CloudResult cr = cloudResult(res, budgetMs);
          append(answered.withShadowReply(cr, res.bytesUp(), res.bytesDown(),
              prices.cost(er.ms, res.bytesUp(), res.bytesDown(), net, charged(cr.status()))).record());
        } finally {
          permit.close();
        }
      }, executor);
      return CompletableFuture.completedFuture(answered.decision());
    }

    // Route cloud: the answer waits for the reply.
    final EdgeRun edgeFirst = edgeRun;
    if (sync) {
      OffloadResult res = withBytesUp(await(reply, budgetMs), request);
      return CompletableFuture.completedFuture(finishCloud(start, inputs, t0, net, budgetMs, edgeFirst, res, permit));
    }
    CompletableFuture<Decision> out = new CompletableFuture<>();
    reply.whenCompleteAsync((r, e) -> {
      try {
        out.complete(finishCloud(start, inputs, t0, net, budgetMs, edgeFirst,
            withBytesUp(r != null ? r : failed(e), request), permit));
      } catch (RuntimeException ex) {
        out.completeExceptionally(ex);
      }
    }, executor);
    return out;
  }

  private Decision finishCloud(Outcome.Start start, List<Tensor> inputs, long t0, NetworkType net, long budgetMs,
      EdgeRun edgeFirst, OffloadResult res, Permit permit) {
    try {
      watchLateReply(start.id(), res);
      estimator.outcome(net, start.timeMs, res.status(), res.roundTripMs(), budgetMs);
      CloudResult cr = cloudResult(res, budgetMs);
      Outcome o;
      if (cr.status() == OffloadStatus.OK) {
        double edgeMs = edgeFirst == null ? 0 : edgeFirst.ms;
        Cost cost = prices.cost(edgeMs, res.bytesUp(), res.bytesDown(), net, true);
        o = Outcome.cloud(start, edgeFirst, cr, res.outputs(), res.bytesUp(), res.bytesDown(), cost, msSince(t0));
      } else {
        // No usable answer: the edge answers (run now in cloud_only, where it has not run yet).
        EdgeRun er = edgeFirst != null ? edgeFirst : runEdge(inputs);
        Cost cost = prices.cost(er.ms, res.bytesUp(), res.bytesDown(), net, charged(cr.status()));
        o = Outcome.fallback(start, er, cr, res.bytesUp(), res.bytesDown(), cost, msSince(t0));
      }
      append(o.record());
      return o.decision();
    } finally {
      permit.close();
    }
  }

  /** The cloud part of a record; a reply whose outputs cannot be scored counts as an internal error. */
  private CloudResult cloudResult(OffloadResult res, long budgetMs) {
    if (!res.isOk()) {
      return CloudResult.from(res, -1, budgetMs);
    }
    try {
      return CloudResult.from(res, cloudScorer.score(res.outputs()).top1(), budgetMs);
    } catch (RuntimeException e) {
      return CloudResult.of(OffloadStatus.INTERNAL_ERROR, "cloud outputs unreadable: " + e.getMessage(), -1,
          res.roundTripMs(), budgetMs, res.relay());
    }
  }

  /**
   * A request that left the device (a reply came, or it timed out) cost its upload even when the
   * offloader did not count it.
   */
  private static OffloadResult withBytesUp(OffloadResult res, OffloadRequest request) {
    OffloadStatus s = res.status();
    boolean sent = s.fromRelay() || s == OffloadStatus.TIMEOUT;
    if (!sent || res.bytesUp() > 0) {
      return res;
    }
    return res.toBuilder().bytesUp(CloudInput.byteLength(request.inputs())).build();
  }

  private static boolean charged(OffloadStatus s) {
    return s == OffloadStatus.OK || s == OffloadStatus.TIMEOUT;
  }

  private CompletableFuture<OffloadResult> send(OffloadRequest request) {
    try {
      CompletableFuture<OffloadResult> f = offloader.offload(request);
      if (f == null) {
        return CompletableFuture.completedFuture(OffloadResult.local(OffloadStatus.PUBLISH_FAILED,
            "offloader returned no future"));
      }
      return f;
    } catch (RuntimeException e) {
      // The contract says offload() never throws for a cloud failure; one that does is treated as one.
      log.warn("offloader threw for {}", request.decisionId(), e);
      return CompletableFuture.completedFuture(OffloadResult.local(OffloadStatus.PUBLISH_FAILED, e.toString()));
    }
  }

  private static OffloadResult await(CompletableFuture<OffloadResult> reply, long budgetMs) {
    try {
      return reply.get(budgetMs + OFFLOADER_GRACE_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      // The offloader broke its contract (it must complete by the deadline): stop waiting.
      reply.complete(OffloadResult.local(OffloadStatus.TIMEOUT, "offloader did not complete by its deadline"));
      return reply.join();
    } catch (ExecutionException e) {
      return failed(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OffloadResult.local(OffloadStatus.TIMEOUT, "interrupted while waiting for the cloud");
    }
  }

  private static OffloadResult failed(Throwable e) {
    return OffloadResult.local(OffloadStatus.PUBLISH_FAILED, "offloader failed: " + unwrap(e));
  }

  /** A timed-out offload whose reply may still come: record it when it does. */
  private void watchLateReply(String decisionId, OffloadResult res) {
    if (res.status() == OffloadStatus.TIMEOUT) {
      res.lateReply().ifPresent(late -> late.thenAccept(r -> onLateReply(decisionId, r)));
    }
  }

  private void onLateReply(String decisionId, OffloadResult result) {
    Permit permit = tryEnter();
    if (permit == null) {
      log.debug("late reply for {} after close: dropped", decisionId);
      return;
    }
    try {
      executor.execute(() -> {
        try (Permit held = permit) {
          CloudResult cr = cloudResult(result, -1);
          AmendmentRecord a = AmendmentRecord.lateReply(deviceId, sequences.next(), clock.millis(), decisionId, cr,
              result.bytesDown());
          append(a);
          if (lateReplyListener != null) {
            try {
              lateReplyListener.accept(a);
            } catch (RuntimeException e) {
              log.warn("late reply listener failed on {}", a.id(), e);
            }
          }
        }
      });
    } catch (RejectedExecutionException e) {
      permit.close();
      log.debug("late reply for {} during close: dropped", decisionId);
    }
  }

  /** Keeps the inputs of a decision the device's capture configuration selects (off by default). */
  private void captureInputs(Outcome.Start start, RouteDecision d, DecisionContext ctx, List<Tensor> inputs) {
    List<String> why = capture.reasons(d, ctx.signals().orElse(null));
    if (why.isEmpty()) {
      return;
    }
    try {
      captures.write(deviceId, start.seq, start.timeMs, why, inputs);
    } catch (RuntimeException e) {
      log.warn("cannot capture the inputs of {}", start.id(), e);
    }
  }

  /** Hands a record to the writer (or, with no writer, writes it now). */
  private void append(Record r) {
    RecordWriter w = writer;
    if (w == null || !w.submit(r)) {
      write(r);
    }
  }

  /** Writes one record to the spool and tells the listener; a failure is logged and counted. */
  private void write(Record r) {
    if (!sequences.durable(r.seq())) {
      // Its number could not be reserved (a full disk): a restart could hand it out again, so
      // the record is dropped, never written under a number that could repeat.
      spool.recordDropped(RECORD_DROPPED_NO_SEQUENCE);
      writeFailed(r, null);
      return;
    }
    try {
      spool.append(r);
    } catch (RuntimeException e) {
      writeFailed(r, e);
      return;
    }
    if (writeFailuresLogged != 0) {
      log.info("records are written to the spool again after {} dropped", recordWriteFailures.get());
      writeFailuresLogged = 0;
    }
    FleetConnection f = fleetConnection;
    if (f != null) {
      f.nudge();
    }
    if (recordListener != null) {
      try {
        recordListener.accept(r);
      } catch (RuntimeException e) {
        log.warn("record listener failed on {}", r.id(), e);
      }
    }
  }

  /** The spool's drop reason for a record whose sequence number could not be reserved. */
  static final String RECORD_DROPPED_NO_SEQUENCE = "no_sequence";

  /** When the last drop was logged (nanoTime), 0 while records are written. */
  private volatile long writeFailuresLogged;

  /** Counts a dropped record; logs the first of a run with its cause, then at most once a minute. */
  private void writeFailed(Record r, RuntimeException e) {
    long n = recordWriteFailures.incrementAndGet();
    long now = System.nanoTime();
    if (writeFailuresLogged == 0) {
      writeFailuresLogged = now;
      log.error("cannot write record {} to the spool; dropping records (counted) until it can", r.id(), e);
    } else if (now - writeFailuresLogged > 60_000_000_000L) {
      writeFailuresLogged = now;
      log.warn("records still dropped: {} so far; last {}: {}", n, r.id(), e == null ? "no sequence reserved" : e.getMessage());
    }
  }

  private EdgeRun runEdge(List<Tensor> inputs) {
    long t = System.nanoTime();
    List<Tensor> outputs = edge.run(inputs);
    if (afterEdgeRun != null) {
      afterEdgeRun.accept(t);
    }
    Signals s = scorer.score(outputs);
    return new EdgeRun(outputs, s, msSince(t), edge.activeProvider());
  }

  /** One unit of work in flight, which {@link #close()} waits for; @throws IllegalStateException after close */
  private Permit enter() {
    Permit p = tryEnter();
    if (p == null) {
      throw new IllegalStateException("Tandem is closed");
    }
    return p;
  }

  /** A permit, or null after close. */
  private Permit tryEnter() {
    synchronized (lifecycle) {
      if (closed) {
        return null;
      }
      inFlight++;
    }
    return new Permit();
  }

  /**
   * The in-flight count held by one decision (or amendment) from its start to its record;
   * released exactly once, however many paths try to.
   */
  private final class Permit implements AutoCloseable {
    private final AtomicBoolean held = new AtomicBoolean(true);

    @Override
    public void close() {
      if (held.compareAndSet(true, false)) {
        exit();
      }
    }
  }

  private void exit() {
    synchronized (lifecycle) {
      inFlight--;
      if (inFlight == 0) {
        lifecycle.notifyAll();
      }
    }
  }

  /** Call holding {@code lifecycle}. */
  private void awaitIdle(long maxMs) {
    long end = System.nanoTime() + maxMs * 1_000_000L;
    while (inFlight > 0) {
      long left = (end - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return;
      }
      try {
        lifecycle.wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static double msSince(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "tandem-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Builder for {@link Tandem}. Required: an edge model, {@link #model}, {@link #deviceId},
   * {@link #policy} and {@link #spool}. Defaults: the first output scored as class
   * probabilities (softmax when they are logits), no offloader, no upload and no policy
   * subscription, every price 0, a device on unmetered wifi with full battery, the system clock,
   * an unseeded random source, a pool with one thread per core for {@code inferAsync}.
   */
  public static final class Builder {
    private ModelSession session;
    private Path modelPath;
    private byte[] modelBytes;
    private List<ExecutionProvider> providers = Collections.singletonList(ExecutionProvider.CPU);
    private int intraOpThreads;
    private ClassificationScorer scorer = ClassificationScorer.firstOutput();
    private ClassificationScorer cloudScorer;
    private String model;
    private String deviceId;
    private String fleet = "";
    private Policy policy;
    private Offloader offloader;
    private CloudConnection cloud;
    private boolean strict;
    private Spool spool;
    private Capture capture = Capture.off();
    private Prices prices = Prices.none();
    private DeviceStateProvider deviceState = DeviceStateProvider.fixed(DeviceState.builder().build());
    private Clock clock = Clock.systemUTC();
    private Random random = new Random();
    private Executor executor;
    private Consumer<Record> recordListener;
    private Consumer<AmendmentRecord> lateReplyListener;
    private LongConsumer afterEdgeRun;
    private TextInput textInput;
    private TextInput cloudTextInput;
    private boolean uploadRecords;
    private boolean followPolicy;
    private boolean writeRecordsInBackground;

    private Builder() {}

    /** The edge model file; loaded by {@link #build()} with {@link #providers}. */
    public Builder edgeModel(Path path) {
      this.modelPath = Objects.requireNonNull(path, "path");
      return this;
    }

    /** The edge model's bytes; loaded by {@link #build()} with {@link #providers}. */
    public Builder edgeModel(byte[] bytes) {
      this.modelBytes = Objects.requireNonNull(bytes, "bytes").clone();
      return this;
    }

    /** An edge session already made; Tandem takes it over and closes it. */
    public Builder edgeSession(ModelSession session) {
      this.session = Objects.requireNonNull(session, "session");
      return this;
    }

    /**
     * How the edge model takes text: {@link Tandem#infer(String)} tokenizes with it. The edge
     * model must take {@code input_ids} (and may take {@code attention_mask} and
     * {@code token_type_ids}); {@link #build()} checks it.
     */
    public Builder textInput(TextInput edge) {
      this.textInput = Objects.requireNonNull(edge, "textInput");
      return this;
    }

    /**
     * How the cloud model takes text, when its tokenizer or length budget differs from the edge
     * model's (the reference cloud model reads 256 tokens, the edge 128): an offloaded text is
     * tokenized again with it, only when offloaded. Without one, the cloud gets the edge's tokens.
     */
    public Builder cloudTextInput(TextInput cloud) {
      this.cloudTextInput = Objects.requireNonNull(cloud, "cloudTextInput");
      return this;
    }

    /** Execution providers to try for the edge model, in order (default CPU). */
    public Builder providers(List<ExecutionProvider> providers) {
      this.providers = new ArrayList<>(Objects.requireNonNull(providers, "providers"));
      return this;
    }

    /**
     * Whether the edge model must run on the first of {@link #providers} that accepts it, with no
     * silent fallback to the CPU (as {@link ModelSession.Builder#strict(boolean)}). Default false.
     */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /** ONNX Runtime intra-op threads for the edge model; 0 (default) lets ONNX Runtime choose. */
    public Builder intraOpThreads(int n) {
      this.intraOpThreads = n;
      return this;
    }

    /** How the edge model's outputs become signals. */
    public Builder scorer(ClassificationScorer scorer) {
      this.scorer = Objects.requireNonNull(scorer, "scorer");
      return this;
    }

    /** How the cloud model's outputs give the top-1 class (default: the edge scorer). */
    public Builder cloudScorer(ClassificationScorer scorer) {
      this.cloudScorer = Objects.requireNonNull(scorer, "cloudScorer");
      return this;
    }

    /** The model's name, as the relay serves it. */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    public Builder deviceId(String deviceId) {
      this.deviceId = deviceId;
      return this;
    }

    public Builder fleet(String fleet) {
      this.fleet = Objects.requireNonNull(fleet, "fleet");
      return this;
    }

    public Builder policy(Policy policy) {
      this.policy = policy;
      return this;
    }

    /**
     * The cloud relay's connection; without one every decision that asks the cloud falls back to
     * the edge. Tandem opens it under {@link #deviceId}, connects in the background and closes it.
     */
    public Builder cloud(CloudConnection cloud) {
      this.cloud = Objects.requireNonNull(cloud, "cloud");
      return this;
    }

    /**
     * Uploads the spool's records to the fleet's collector through the {@link #cloud} broker
     * (default false), on a background MQTT connection of its own (client id
     * {@code {deviceId}-logs}) so that an upload never queues in front of an offload. A batch is
     * one closed spool segment, and leaves the spool only once the collector has acknowledged it
     * (docs/log-store.md); while the broker is out of reach, the spool keeps the records within
     * its disk budget. Captured inputs ({@link #capture}) go the same way. Started by
     * {@link #build()}, stopped by {@link Tandem#close()}; {@link Tandem#awaitUploaded} waits for
     * the acknowledgements.
     */
    public Builder uploadRecords(boolean upload) {
      this.uploadRecords = upload;
      return this;
    }

    /**
     * Follows the fleet's retained policy topic ({@code {prefix}/policy/{fleet}/{model}}) on the
     * same background connection as {@link #uploadRecords} (default false). A pushed policy
     * applies as {@link Tandem#updatePolicy} would (it validates, is newer, is for this edge model,
     * its canary includes this device); otherwise the policy in force stays. Every outcome is a
     * {@code policy_event} record and a line of {@code policy-events.jsonl}, and the last applied
     * policy is kept as {@code policy.json}, both in the spool's directory; {@link #build()} starts
     * from that kept policy when it is newer than {@link #policy}, so a restart without the broker
     * keeps the fleet's.
     */
    public Builder followPolicy(boolean follow) {
      this.followPolicy = follow;
      return this;
    }

    /** An offloader made elsewhere (tests); Tandem closes it. */
    Builder offloader(Offloader offloader) {
      this.offloader = Objects.requireNonNull(offloader, "offloader");
      return this;
    }

    /** Where records go; Tandem keeps its sequence numbers in the same directory and closes it. */
    public Builder spool(Spool spool) {
      this.spool = spool;
      return this;
    }

    /**
     * Whether records are encoded and appended by a thread of Tandem's own instead of the
     * deciding thread (default false). True takes that work off {@code infer}: after the
     * reference int8 edge model's run it costs tens of microseconds (docs/benchmarks.md). The
     * records are written in the order they were made, moments after each answer, and
     * {@link Tandem#close()} writes every one still queued; what a process killed outright loses
     * is the records still queued then (usually none, at most those of the last moments), and
     * the log loses them exactly when the app died, which is when they may matter most. Cannot
     * be combined with {@link dev.tandem.runtime.spool.FsyncPolicy#everyRecord()}, which promises
     * a record on the device before {@code infer} returns.
     */
    public Builder writeRecordsInBackground(boolean background) {
      this.writeRecordsInBackground = background;
      return this;
    }

    /**
     * Opt-in capture of the inputs of selected decisions (off by default): the device's own
     * configuration, never the policy. See docs/tuning.md, "Hard examples and capture".
     */
    public Builder capture(Capture capture) {
      this.capture = java.util.Objects.requireNonNull(capture, "capture");
      return this;
    }

    public Builder prices(Prices prices) {
      this.prices = Objects.requireNonNull(prices, "prices");
      return this;
    }

    public Builder deviceState(DeviceStateProvider provider) {
      this.deviceState = Objects.requireNonNull(provider, "deviceState");
      return this;
    }

    /** The wall clock that stamps records (latencies use {@link System#nanoTime()}). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The source of exploration draws (seed it for reproducible tests). */
    public Builder random(Random random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /** Runs {@code inferAsync} work and the recording of shadow and late replies; not shut down by Tandem. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Called with every record once it is in the spool (for a UI or metrics), on the thread that
     * wrote it; must be fast and thread-safe.
     */
    public Builder recordListener(Consumer<Record> listener) {
      this.recordListener = Objects.requireNonNull(listener, "recordListener");
      return this;
    }

    /**
     * Called with the amendment record of each cloud reply that came after its decision's
     * deadline (the decision itself already answered from the edge): the one place an app learns
     * of a late answer. Runs on the executor; must be fast and thread-safe.
     */
    public Builder lateReplyListener(Consumer<AmendmentRecord> listener) {
      this.lateReplyListener = Objects.requireNonNull(listener, "lateReplyListener");
      return this;
    }

    /**
     * Loads the edge model (when given as a path or bytes) and starts.
     *
     * @throws IllegalStateException naming a missing or conflicting option, or a policy made
     *     for another edge model
     * @throws dev.tandem.runtime.model.ModelLoadException if the edge model cannot be loaded
     */
    public Tandem build() {
      int sources = (session != null ? 1 : 0) + (modelPath != null ? 1 : 0) + (modelBytes != null ? 1 : 0);
      if (sources != 1) {
        throw new IllegalStateException("give exactly one of edgeModel(Path), edgeModel(byte[]) or edgeSession, got "
            + sources);
      }
      if (model == null || model.isEmpty()) {
        throw new IllegalStateException("model is required (the model's name at the relay)");
      }
      if (deviceId == null || deviceId.isEmpty()) {
        throw new IllegalStateException("deviceId is required");
      }
      if (deviceId.contains("/") || deviceId.contains("+") || deviceId.contains("#")) {
        throw new IllegalStateException("deviceId must not contain '/', '+' or '#' (it is an MQTT topic level): "
            + deviceId);
      }
      if (policy == null) {
        throw new IllegalStateException("policy is required");
      }
      if (spool == null) {
        throw new IllegalStateException("spool is required");
      }
      if (writeRecordsInBackground && spool.fsyncPolicy().intervalMs() == 0) {
        throw new IllegalStateException("writeRecordsInBackground cannot keep the spool's fsync every record:"
            + " choose one (a record forced before infer returns, or the write off the deciding thread)");
      }
      if (cloudTextInput != null && textInput == null) {
        throw new IllegalStateException("cloudTextInput needs textInput (the edge model's)");
      }
      if (cloud != null && offloader != null) {
        throw new IllegalStateException("give cloud(...) or an offloader, not both");
      }
      if ((uploadRecords || followPolicy) && cloud == null) {
        throw new IllegalStateException((uploadRecords ? "uploadRecords" : "followPolicy")
            + " needs cloud(...): the fleet's broker");
      }
      if (followPolicy && (fleet.isEmpty() || fleet.contains("/") || fleet.contains("+") || fleet.contains("#"))) {
        throw new IllegalStateException("followPolicy needs fleet(...), a topic level without '/', '+' or '#': '"
            + fleet + "'");
      }
      ModelSession s = session;
      if (s == null) {
        ModelSession.Builder mb = ModelSession.builder().providers(providers).intraOpThreads(intraOpThreads)
            .strict(strict);
        s = (modelPath != null ? mb.path(modelPath) : mb.bytes(modelBytes)).build();
      }
      if (textInput != null) {
        try {
          textInput.forModel(s.info());
        } catch (IllegalArgumentException e) {
          if (session == null) {
            s.close();
          }
          throw new IllegalStateException("textInput does not fit the edge model: " + e.getMessage(), e);
        }
      }
      String hash = s.info().sha256();
      Policy start = followPolicy ? FleetConnection.initialPolicy(policy, spool.directory(), hash) : policy;
      if (!policy.edgeModelHash().isEmpty() && !policy.edgeModelHash().equalsIgnoreCase(hash)) {
        if (session == null) {
          s.close();
        }
        throw new IllegalStateException("policy version " + policy.version() + " is for edge model "
            + policy.edgeModelHash() + ", the edge model is " + hash);
      }
      Offloader own = offloader;
      if (cloud != null) {
        Tandem t = null;
        try {
          MqttOffloader o = cloud.open(deviceId);
          own = o;
          offloader = o;
          t = new Tandem(this, s, start);
          if (uploadRecords || followPolicy) {
            t.fleetConnection = openFleet(t, start, hash);
          }
          o.start();
          return t;
        } catch (RuntimeException e) {
          if (t != null && t.fleetConnection != null) {
            t.fleetConnection.close();
          }
          if (t != null && t.writer != null) {
            t.writer.close();
          }
          if (own != null) {
            own.close();
          }
          if (session == null) {
            s.close();
          }
          throw e;
        } finally {
          offloader = null; // a second build() opens its own connection
        }
      }
      return new Tandem(this, s, start);
    }

    private FleetConnection openFleet(Tandem t, Policy start, String hash) {
      FleetConnection.Plan p = new FleetConnection.Plan();
      p.session = cloud.backgroundSession(deviceId);
      p.topics = cloud.topics();
      p.deviceId = deviceId;
      p.fleet = fleet;
      p.model = model;
      p.spool = spool;
      p.nextSeq = t.sequences.peek();
      p.maxKnownSeq = t.maxKnownSeq;
      p.upload = uploadRecords;
      p.captures = uploadRecords ? t.captures : null;
      if (followPolicy) {
        p.initialPolicy = start;
        p.edgeModelHash = hash;
        p.apply = t::updatePolicy;
        p.rejections = t::recordPolicyRejected;
        p.clock = clock;
      }
      return FleetConnection.open(p);
    }
  }
}
