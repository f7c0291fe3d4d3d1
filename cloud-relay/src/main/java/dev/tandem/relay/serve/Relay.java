package dev.tandem.relay.serve;

import dev.tandem.relay.metrics.MetricsServer;
import dev.tandem.relay.metrics.RelayMetrics;
import dev.tandem.runtime.internal.fatal.Failures;
import dev.tandem.runtime.internal.mqtt.MqttSession;
import dev.tandem.runtime.internal.protocol.FrameCodec;
import dev.tandem.runtime.internal.protocol.FrameException;
import dev.tandem.runtime.internal.protocol.FrameLimits;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.model.Tensor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay service: takes inference requests from a shared MQTT subscription, checks them,
 * queues them per model, runs them (batched where the model allows) and answers on the
 * requesting device's own result topic.
 *
 * <p>Per request, in order: a topic that is not an infer topic, or a response topic that is not
 * {@code {prefix}/result/{deviceId}} of the device in the topic, is dropped and counted (the
 * relay must never be a way to write on another device's topic); then the device's token
 * bucket ({@code throttled}); the frame ({@code bad_request}); the model ({@code
 * unknown_model}); every tensor against the model ({@code bad_request}); the budget: the
 * relay's deadline is its receive time plus the request's budget minus twice the device's
 * uplink estimate, the time the reply needs to travel back ({@code expired} if none is left);
 * the model's queue ({@code busy} when full). Replies use the frame version of the request.
 *
 * <p>The connection is one {@link MqttSession}: it routes the {@code $share} subscription's
 * messages by topic (Paho never calls a listener for it), renews the subscription after every
 * reconnect with a fresh client, and runs the delivery probe: a broker can keep a connection
 * open, answering pings, while it has stopped delivering messages on it (reported for HiveMQ CE
 * under load). Every probe interval the relay publishes a message to itself on {@code
 * {prefix}/relay/{relayId}/probe}; when nothing (probe or request) has arrived within the probe
 * timeout, the stall is logged and counted ({@code tandem_relay_delivery_stalls_total}), the
 * relay reports not ready, and the session replaces its client with a fresh connection and
 * subscription. A broker that refuses the probe subscription (an ACL) turns probing off with a
 * warning.
 *
 * <p>Lifecycle: {@link #start()} loads and warms every model, starts the metrics endpoint,
 * connects and subscribes; {@link #close()} stops taking work (unsubscribes, answers late
 * arrivals {@code busy}), answers what is queued within the shutdown grace, then disconnects.
 * Thread-safe; {@code close()} is idempotent.
 */
public final class Relay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Relay.class);
  private static final String UNKNOWN_MODEL_LABEL = "_unknown";

  private final RelayConfig config;
  private final Topics topics;
  private final FrameCodec codec;
  private final RelayMetrics metrics = new RelayMetrics();
  private final DeviceQuotas quotas;
  private final ModelRegistry registry;
  /** The broker connection; made by {@link #start()}. */
  private volatile MqttSession session;
  private MetricsServer metricsServer;
  private volatile RelayConfig applied;
  private volatile boolean closing;
  private boolean closed;
  private volatile Failures failures = Failures.report();

  /** A relay for {@code config}; nothing is loaded or connected until {@link #start()}. */
  public Relay(RelayConfig config) {
    this.config = config;
    this.applied = config;
    this.topics = Topics.withPrefix(config.topicPrefix());
    this.codec = new FrameCodec(FrameLimits.builder().maxFrameBytes(config.maxFrameBytes()).build());
    this.quotas = new DeviceQuotas(config.quotaPerSecond(), config.quotaBurst(), System::nanoTime);
    this.registry = new ModelRegistry(metrics, this::send, config.relayId(), (c, e) -> failures.fatal(c, e));
  }

  /**
   * Where a fatal {@link Error} in one of the relay's threads goes; by default the relay only
   * reports itself failed ({@code /healthz} and {@code /readyz} 503). {@code serve} passes {@link
   * Failures#exitProcess()}. Call before {@link #start()}.
   */
  public Relay failures(Failures f) {
    this.failures = java.util.Objects.requireNonNull(f, "failures");
    return this;
  }

  /** The first fatal error, as "thread: error", or empty while the relay works. */
  public java.util.Optional<String> failure() {
    return failures.failure();
  }

  /**
   * Loads the models, starts the metrics endpoint, connects and subscribes.
   *
   * @throws ModelUnavailableException when a model does not load
   * @throws RelayStartException when the broker refuses the connection or the subscription
   */
  public synchronized Relay start() {
    registry.loadAll(config.models());
    if (config.metricsPort() >= 0) {
      metricsServer = new MetricsServer(config.metricsHost(), config.metricsPort(), metrics,
          () -> !closing && !failures.failed(), this::isReady);
    }
    try {
      session = newSession();
      session.subscribe(topics.relaySharedSubscription(), 0, this::onDelivery);
      session.connect();
    } catch (MqttException | RuntimeException e) {
      close();
      throw new RelayStartException("relay " + config.relayId() + " could not connect to " + config.brokerUrl()
          + " or subscribe: " + e.getMessage(), e);
    }
    log.info("relay {} serving {} on {} ({})", config.relayId(), modelNames(), config.brokerUrl(),
        topics.relaySharedSubscription());
    return this;
  }

  /**
   * The relay's session: reconnects with a fresh client and resubscribes after every loss, and
   * probes delivery (see the class note).
   */
  private MqttSession newSession() {
    MqttSession.Builder b = MqttSession.builder(config.brokerUrl(), config.clientId())
        .name("relay " + config.relayId())
        .keepAliveSeconds(30)
        .operationTimeoutMs(30_000)
        .deliveryProbe(config.topicPrefix() + "/relay/" + config.relayId() + "/probe", config.probeIntervalMs(),
            config.probeTimeoutMs())
        .listener(new MqttSession.Listener() {
          @Override
          public void connected() {
            log.info("relay {} connected to {} and subscribed", config.relayId(), config.brokerUrl());
          }

          @Override
          public void disconnected(String why) {
            log.warn("relay {} disconnected: {}", config.relayId(), why);
          }

          @Override
          public void stalled(long silentMs) {
            metrics.deliveryStall();
          }
        });
    if (config.brokerUrl().startsWith("ssl://")) {
      try {
        b.tls(config.tlsCaFile().orElse(null), config.tlsCertFile().orElse(null), config.tlsKeyFile().orElse(null));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("broker.tls: " + e.getMessage(), e);
      }
    }
    if (config.username().isPresent()) {
      b.credentials(config.username().get(),
          config.password().map(p -> p.getBytes(StandardCharsets.UTF_8)).orElse(null));
    }
    return b.build();
  }

  /** On Paho's callback thread: one request. */
  private void onDelivery(String topic, MqttMessage message) {
    try {
      onMessage(topic, message);
    } catch (RuntimeException e) {
      // Never let one request break the client's callback thread.
      metrics.dropped("internal_error");
      log.error("relay {}: request on {} failed", config.relayId(), topic, e);
    } catch (Error e) {
      failures.fatal("relay " + config.relayId() + " MQTT callback", e);
    }
  }

  /** Whether models are loaded, the subscription is up and the relay is not shutting down. */
  public boolean isReady() {
    MqttSession s = session;
    return s != null && s.isReady() && !closing && !failures.failed();
  }

  /** This relay's metrics. */
  public RelayMetrics metrics() {
    return metrics;
  }

  /** The port of the metrics endpoint, or -1 when it is off. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.port();
  }

  /** The relay id reported in replies. */
  public String relayId() {
    return config.relayId();
  }

  /** The version each model is served under now. */
  public java.util.Map<String, String> modelVersions() {
    java.util.Map<String, String> v = new java.util.TreeMap<>();
    for (ModelRunner r : registry.all()) {
      v.put(r.current().config.name(), r.current().config.version());
    }
    return v;
  }

  /**
   * Applies a changed model list without a restart: new models load, a model whose version or
   * file changed is reloaded under its new version (the old one serves until the new one is
   * warm), removed models stop after their queue drained. Other options need a restart.
   *
   * @return the models that failed to load (they keep their old version); empty on success
   */
  public synchronized List<String> reload(RelayConfig next) {
    List<String> failures = registry.apply(next.models(), next.shutdownGraceMs());
    applied = next;
    return failures;
  }

  /** The configuration the models were last applied from. */
  public RelayConfig appliedConfig() {
    return applied;
  }

  private String modelNames() {
    return new TreeSet<>(modelVersions().keySet()).toString();
  }

  // --- request path (Paho callback thread) ---

  void onMessage(String topic, MqttMessage message) {
    long received = System.nanoTime();
    Optional<Topics.InferTopic> it = topics.parseInfer(topic);
    if (!it.isPresent()) {
      metrics.dropped("not_infer_topic");
      return;
    }
    String model = it.get().model();
    String deviceId = it.get().deviceId();
    MqttProperties props = message.getProperties();
    String responseTopic = props == null ? null : props.getResponseTopic();
    byte[] correlation = props == null ? null : props.getCorrelationData();
    String own;
    try {
      own = topics.result(deviceId);
    } catch (IllegalArgumentException e) {
      metrics.dropped("bad_device_id");
      return;
    }
    if (!own.equals(responseTopic)) {
      // Answering elsewhere would let one device write on another's topic.
      metrics.dropped("foreign_response_topic");
      log.debug("dropped request from {}: response topic {} is not {}", deviceId, responseTopic, own);
      return;
    }
    byte[] payload = message.getPayload();
    int version = FrameCodec.VERSION;
    Pending reply = new Pending(deviceId, own, correlation, version, java.util.Collections.<Tensor>emptyList(), received, received);
    try {
      if (closing) {
        throw new Rejection(ReplyStatus.BUSY, "relay shutting down");
      }
      if (!quotas.tryAcquire(deviceId)) {
        throw new Rejection(ReplyStatus.THROTTLED, "device " + deviceId + " is over its quota of "
            + config.quotaPerSecond() + " requests/s (burst " + config.quotaBurst() + ") on relay " + config.relayId());
      }
      RequestFrame request;
      // The length before anything else (docs/protocol.md): a large frame of garbage is too large, not bad magic.
      if (payload.length > config.maxFrameBytes()) {
        throw new Rejection(ReplyStatus.BAD_REQUEST, "malformed frame: frame of " + payload.length
            + " bytes, the limit is " + config.maxFrameBytes());
      }
      try {
        version = FrameCodec.version(payload);
        reply = new Pending(deviceId, own, correlation, version, reply.inputs, received, received);
        request = codec.decodeRequest(payload);
      } catch (FrameException e) {
        throw new Rejection(ReplyStatus.BAD_REQUEST, "malformed frame: " + e.getMessage());
      }
      if (!request.model().equals(model)) {
        throw new Rejection(ReplyStatus.BAD_REQUEST, "the frame names model '" + request.model()
            + "' but was sent to '" + model + "'");
      }
      Optional<ModelRunner> runner = registry.get(model);
      if (!runner.isPresent()) {
        throw new Rejection(ReplyStatus.UNKNOWN_MODEL, "no model '" + model + "' on relay " + config.relayId()
            + "; serving " + modelNames());
      }
      LoadedModel m = runner.get().current();
      List<Tensor> inputs;
      try {
        inputs = InputValidator.check(request.inputs(), m.inputs, m.config);
      } catch (Rejection r) {
        metrics.answered(model, r.status().wireName());
        send(reply, model, rejection(r, m.config.version()));
        return;
      }
      long allowMs = allowedMs(request.budgetMs(), request.uplinkEstimateMs());
      if (allowMs <= 0) {
        metrics.answered(model, ReplyStatus.EXPIRED.wireName());
        send(reply, model, ReplyFrame.builder(ReplyStatus.EXPIRED)
            .message("budget " + request.budgetMs() + " ms leaves nothing after twice the uplink estimate of "
                + request.uplinkEstimateMs() + " ms")
            .relayId(config.relayId()).modelVersion(m.config.version()).build());
        return;
      }
      Pending p = new Pending(deviceId, own, correlation, version, inputs, received,
          received + allowMs * 1_000_000L);
      if (!runner.get().offer(p)) {
        metrics.answered(model, ReplyStatus.BUSY.wireName());
        send(reply, model, ReplyFrame.builder(ReplyStatus.BUSY)
            .message(closing ? "relay shutting down" : "queue of model '" + model + "' is full ("
                + m.config.queueCapacity() + ")")
            .relayId(config.relayId()).modelVersion(m.config.version()).build());
      }
    } catch (Rejection r) {
      String label = registry.get(model).isPresent() ? model : UNKNOWN_MODEL_LABEL;
      metrics.answered(label, r.status().wireName());
      send(reply, model, rejection(r, ""));
    }
  }

  /** Longest a request may wait for its run, whatever budget it asks for: a day. */
  static final long MAX_ALLOW_MS = TimeUnit.DAYS.toMillis(1);

  /**
   * The time a request may take here: its budget less twice the uplink estimate (the reply has to
   * travel back), 0 or less when nothing is left, at most {@link #MAX_ALLOW_MS}. Both inputs are
   * non-negative (the codec checks); no value of either overflows.
   */
  static long allowedMs(long budgetMs, long uplinkMs) {
    long twiceUplink = uplinkMs > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * uplinkMs;
    return Math.min(MAX_ALLOW_MS, budgetMs - twiceUplink);
  }

  private ReplyFrame rejection(Rejection r, String modelVersion) {
    return ReplyFrame.builder(r.status()).message(r.getMessage()).relayId(config.relayId())
        .modelVersion(modelVersion).build();
  }

  /** Publishes a reply on the request's own result topic; QoS 0, correlation data echoed. */
  private void send(Pending request, String model, ReplyFrame reply) {
    byte[] payload;
    try {
      payload = codec.encodeReply(reply, request.frameVersion);
    } catch (FrameException e) {
      log.warn("reply for {} on model {} does not fit a frame: {}", request.deviceId, model, e.getMessage());
      payload = codec.encodeReply(ReplyFrame.builder(ReplyStatus.INTERNAL_ERROR)
          .message("reply does not fit a frame: " + e.getMessage()).relayId(config.relayId()).build(),
          request.frameVersion);
    }
    MqttMessage m = new MqttMessage(payload);
    m.setQos(0);
    MqttProperties props = new MqttProperties();
    if (request.correlationData != null) {
      props.setCorrelationData(request.correlationData);
    }
    // Message Expiry is only a backstop (whole seconds): the device's own deadline decides.
    props.setMessageExpiryInterval(10L);
    m.setProperties(props);
    try {
      session.publish(request.responseTopic, m);
    } catch (MqttException | RuntimeException e) {
      metrics.dropped("publish_failed");
      log.warn("reply to {} not published: {}", request.deviceId, e.toString());
    }
  }

  /**
   * Stops gracefully: unsubscribes, answers what is queued (within the shutdown grace), then
   * disconnects and closes the models and the metrics endpoint. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      closing = true;
    }
    MqttSession session = this.session;
    if (session != null) {
      session.unsubscribe(topics.relaySharedSubscription()); // and not again after a reconnect
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(applied.shutdownGraceMs());
    for (ModelRunner r : registry.all()) {
      r.stopAccepting();
    }
    for (ModelRunner r : registry.all()) {
      try {
        r.drain(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (session != null) {
      session.close();
    }
    registry.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
    log.info("relay {} stopped", config.relayId());
  }

  /**
   * Drops the broker connection at once, as a crash would: no unsubscribe, no draining, queued
   * requests are never answered. For failover tests.
   */
  void crash() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      closing = true;
    }
    MqttSession session = this.session;
    if (session != null) {
      session.abort();
    }
    registry.close();
    if (metricsServer != null) {
      metricsServer.close();
    }
  }

  /** The relay could not connect to the broker or subscribe. */
  public static final class RelayStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RelayStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
