package dev.tandem.relay.collect;

import com.google.gson.JsonObject;
import dev.tandem.runtime.internal.fatal.Failures;
import dev.tandem.runtime.internal.mqtt.MqttSession;
import dev.tandem.runtime.internal.protocol.Topics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives log batches over MQTT and stores them: subscribes to every device's logs topic with
 * a shared subscription (so several collectors split the load), unpacks each batch (gzip JSON
 * lines; {@code batch_id}, {@code seq_from}, {@code seq_to}, {@code evicted} user properties),
 * hands it to the {@link LogStore}, and only once the store has made it durable publishes a
 * {@code logs-ack} for it on the device's ack topic (QoS 1).
 *
 * <p>Delivery: a device resends any batch not acked in time, to whichever collector the broker
 * picks; a batch that was stored but whose ack was lost is then stored again as nothing (the
 * store deduplicates). The session is clean, and subscriptions are made again on every connect.
 *
 * <p>Threading: messages are processed one at a time on Paho's callback thread; the store's
 * fsyncs bound the rate. {@link #close()} is idempotent.
 */
public final class Collector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Collector.class);

  /** Acks waiting for the broker's window, and the age past which one is dropped (the device has resent). */
  private static final int MAX_QUEUED_ACKS = 10_000;
  private static final long ACK_MAX_AGE_MS = 30_000;

  /** The share group every collector joins. */
  public static final String SHARE_GROUP = "tandem-collector";

  private final Options opts;
  private final LogStore store;
  private final CaptureFiles captures;
  private final CollectorMetrics metrics;
  /** The broker connection: subscriptions renewed on every connect, delivery probe, fresh clients. */
  private final MqttSession session;
  private final AckSender acks;
  private final BatchDecoder decoder;
  private volatile boolean closed;

  /** Collector options; {@code brokerUrl}, {@code clientId} and {@code store} are required. */
  public static final class Options {
    String brokerUrl;
    String clientId;
    String prefix = "tandem/v1";
    String username;
    char[] password;
    javax.net.SocketFactory socketFactory;
    BatchLimits limits = BatchLimits.defaults();
    Failures failures = Failures.report();
    long probeIntervalMs = 5_000;
    long probeTimeoutMs = 20_000;

    public Options brokerUrl(String v) {
      brokerUrl = v;
      return this;
    }

    public Options clientId(String v) {
      clientId = v;
      return this;
    }

    public Options topicPrefix(String v) {
      prefix = v;
      return this;
    }

    public Options credentials(String user, char[] pass) {
      username = user;
      password = pass;
      return this;
    }

    public Options socketFactory(javax.net.SocketFactory f) {
      socketFactory = f;
      return this;
    }

    /**
     * The delivery probe (see {@link MqttSession}): every {@code intervalMs} (default 5 s) the
     * collector sends itself a message on {@code {prefix}/collector/{clientId}/probe}; with none
     * back for {@code timeoutMs} (default 20 s) on a live connection it reconnects. 0 turns it off.
     */
    public Options probe(long intervalMs, long timeoutMs) {
      probeIntervalMs = intervalMs;
      probeTimeoutMs = timeoutMs;
      return this;
    }

    /**
     * Where a fatal {@link Error} in the collector's threads goes; by default the collector only
     * reports itself failed ({@link Collector#failure()}). {@code collect} exits the process.
     */
    public Options failures(Failures v) {
      failures = Objects.requireNonNull(v, "failures");
      return this;
    }

    /** What one batch may hold (payload, unpacked bytes, lines, line length); {@link BatchLimits#defaults()}. */
    public Options limits(BatchLimits v) {
      limits = Objects.requireNonNull(v, "limits");
      return this;
    }
  }

  /**
   * Connects and subscribes. Registers metrics in {@code registry}.
   *
   * @throws MqttException when the first connection fails (later losses reconnect by themselves)
   */
  public Collector(Options opts, LogStore store, PrometheusRegistry registry) throws MqttException {
    this.opts = opts;
    this.store = Objects.requireNonNull(store, "store");
    if (opts.brokerUrl == null || opts.clientId == null) {
      throw new IllegalArgumentException("brokerUrl and clientId are required");
    }
    this.metrics = new CollectorMetrics(registry, store);
    this.captures = new CaptureFiles(store.root(), Clock.systemUTC());
    this.decoder = new BatchDecoder(opts.limits);
    MqttSession.Builder sb = MqttSession.builder(opts.brokerUrl, opts.clientId)
        .name("collector " + opts.clientId)
        // A clean session: a persistent one, resumed after a broker restart, got Mosquitto 2.0 to
        // disconnect us with a protocol error (reason 130) in a loop. Nothing depends on it: a
        // batch no collector acked stays in the device's spool and is sent again.
        .keepAliveSeconds(10)
        .operationTimeoutMs(10_000)
        .reconnectDelayMs(100, 2_000)
        // The broker drops larger publishes for this client instead of sending them: they never
        // reach the heap.
        .maximumPacketSize((long) opts.limits.maxPayloadBytes() + 64 * 1024)
        .deliveryProbe(opts.prefix + "/collector/" + opts.clientId.replaceAll("[/+#]", "_") + "/probe",
            opts.probeIntervalMs, opts.probeTimeoutMs)
        .listener(new MqttSession.Listener() {
          @Override
          public void connected() {
            log.info("collector {} subscribed to {}", opts.clientId, subscription());
          }

          @Override
          public void disconnected(String why) {
            log.warn("collector disconnected ({}); reconnecting", why);
          }

          @Override
          public void stalled(long silentMs) {
            metrics.stalls.inc();
          }

          @Override
          public void deliveryComplete(IMqttToken token) {
            acks.released();
          }
        });
    if (opts.socketFactory != null) {
      sb.socketFactory(opts.socketFactory);
    }
    if (opts.username != null) {
      sb.credentials(opts.username, opts.password);
    }
    try {
      session = sb.build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    acks = new AckSender(new AckSender.Publisher() {
      @Override
      public void publish(String topic, MqttMessage message) throws MqttException {
        session.publish(topic, message);
      }

      @Override
      public boolean isConnected() {
        return session.isConnected();
      }
    }, metrics.acks, MAX_QUEUED_ACKS, ACK_MAX_AGE_MS, System::currentTimeMillis,
        e -> opts.failures.fatal("collector " + opts.clientId + " ack sender", e));
    session.subscribe(subscription(), 1, this::handleGuarded);
    // Captured inputs (opt-in on devices): filed apart from the records, never acknowledged.
    session.subscribe(captureSubscription(), 1, this::handleGuarded);
    try {
      session.connect();
    } catch (MqttException | RuntimeException e) {
      acks.close();
      session.close();
      throw e;
    }
  }

  /** The first fatal error in one of the collector's threads, or empty while it works. */
  public java.util.Optional<String> failure() {
    return opts.failures.failure();
  }

  /**
   * Whether batches can be received and acked now: subscribed on a live connection, the ack
   * sender running, no fatal error.
   */
  public boolean isReady() {
    return session.isReady() && acks.alive() && !opts.failures.failed();
  }

  /** On the MQTT callback thread: one batch never breaks it; an {@link Error} is fatal. */
  private void handleGuarded(String topic, MqttMessage msg) {
    try {
      handle(topic, msg);
    } catch (RuntimeException e) {
      // Not acked: the device resends.
      metrics.batches.labelValues("failed").inc();
      log.error("collector {}: batch on {} failed", opts.clientId, topic, e);
    } catch (Error e) {
      opts.failures.fatal("collector " + opts.clientId + " batch handler", e);
    }
  }

  /** The shared subscription this collector uses. */
  public String subscription() {
    return "$share/" + SHARE_GROUP + "/" + opts.prefix + "/logs/+";
  }

  /** The shared subscription for captured inputs (opt-in on devices). */
  public String captureSubscription() {
    return "$share/" + SHARE_GROUP + "/" + opts.prefix + "/captures/+";
  }

  /** A captured input: filed under captures/, never acknowledged (the device deletes it on the broker's ack). */
  private void handleCapture(String device, MqttMessage msg) {
    try {
      captures.store(device, msg.getPayload());
    } catch (CaptureFiles.RefusedException e) {
      log.warn("refused a capture from {}: {}", device, e.getMessage());
    } catch (IOException e) {
      log.error("could not store a capture from {}: {}", device, e.toString());
    }
  }

  void handle(String topic, MqttMessage msg) {
    String device = topic.substring(topic.lastIndexOf('/') + 1);
    if (topic.startsWith(opts.prefix + "/captures/")) {
      handleCapture(device, msg);
      return;
    }
    Envelope env;
    try {
      env = envelope(device, msg);
    } catch (IllegalArgumentException e) {
      // No usable batch id or range: nothing a device could match an ack to. Dropped, counted.
      metrics.batches.labelValues("invalid").inc();
      log.warn("dropped a malformed batch on {}: {}", topic, e.getMessage());
      return;
    }
    IncomingBatch batch;
    try {
      batch = new IncomingBatch(device, env.batchId, env.from, env.to, env.evicted, decoder.lines(msg.getPayload()),
          env.unused);
    } catch (BatchRefusedException e) {
      refuse(device, env, e);
      return;
    }
    StoreResult r;
    try {
      r = store.store(batch);
    } catch (IOException e) {
      // Not acked: the device keeps the batch and sends it again.
      metrics.batches.labelValues("failed").inc();
      log.error("could not store batch {} from {}: {}", batch.batchId(), device, e.toString());
      return;
    }
    metrics.batches.labelValues("stored").inc();
    metrics.records.labelValues("written").inc(r.written());
    metrics.records.labelValues("duplicate").inc(r.duplicates());
    metrics.records.labelValues("rejected").inc(r.rejected());
    ack(device, r, null);
  }

  /**
   * A batch past a limit: recorded in the store as refused (its range is a refused gap, not a
   * loss), counted by reason, and acked with the reason so that the device drops it instead of
   * sending it again for ever.
   */
  private void refuse(String device, Envelope env, BatchRefusedException e) {
    metrics.batches.labelValues("refused").inc();
    metrics.refused.labelValues(e.reason().label()).inc();
    log.warn("refused batch {} from {} (seq {}-{}): {} ({})", env.batchId, device, env.from, env.to,
        e.getMessage(), e.reason().label());
    try {
      store.refuse(device, env.batchId, env.from, env.to, env.evicted, e.reason().label());
    } catch (IOException io) {
      metrics.batches.labelValues("failed").inc();
      log.error("could not record refused batch {} from {}: {}", env.batchId, device, io.toString());
      return; // not acked: the device sends it again, and it is refused again
    }
    ack(device, new StoreResult(env.batchId, 0, 0, 0), e.reason().label());
  }

  private void ack(String device, StoreResult r, String refused) {
    JsonObject body = new JsonObject();
    body.addProperty("batch_id", r.batchId());
    body.addProperty("written", r.written());
    body.addProperty("duplicates", r.duplicates());
    body.addProperty("rejected", r.rejected());
    if (refused != null) {
      body.addProperty("refused", refused);
    }
    MqttMessage ack = new MqttMessage(body.toString().getBytes(StandardCharsets.UTF_8));
    ack.setQos(1);
    MqttProperties p = new MqttProperties();
    List<UserProperty> ups = new ArrayList<>();
    ups.add(new UserProperty("batch_id", r.batchId()));
    p.setUserProperties(ups);
    ack.setProperties(p);
    // Queued, not published here: this is Paho's callback thread, and a burst of acks must
    // wait for the broker's Receive Maximum window rather than be refused.
    acks.send(Topics.withPrefix(opts.prefix).logsAck(device), ack, r.batchId());
  }

  /** A batch's user properties, checked. */
  static final class Envelope {
    final String batchId;
    final long from;
    final long to;
    final long evicted;
    final List<long[]> unused;

    Envelope(String batchId, long from, long to, long evicted, List<long[]> unused) {
      this.batchId = batchId;
      this.from = from;
      this.to = to;
      this.evicted = evicted;
      this.unused = unused;
    }
  }

  /**
   * Reads and checks a batch's user properties.
   *
   * @throws IllegalArgumentException naming the property that is missing or malformed
   */
  static Envelope envelope(String device, MqttMessage msg) {
    MqttProperties p = msg.getProperties();
    String batchId = null;
    Long from = null;
    Long to = null;
    long evicted = 0;
    List<long[]> unused = new ArrayList<>();
    if (p != null && p.getUserProperties() != null) {
      for (UserProperty u : p.getUserProperties()) {
        try {
          switch (u.getKey()) {
            case "batch_id":
              batchId = u.getValue();
              break;
            case "seq_from":
              from = Long.parseLong(u.getValue());
              break;
            case "seq_to":
              to = Long.parseLong(u.getValue());
              break;
            case "evicted":
              evicted = Long.parseLong(u.getValue());
              break;
            case "unused":
              for (String range : u.getValue().split(",")) {
                if (range.isEmpty()) {
                  continue;
                }
                int dash = range.indexOf('-');
                if (dash <= 0) {
                  throw new NumberFormatException(range);
                }
                unused.add(new long[] {Long.parseLong(range.substring(0, dash)),
                    Long.parseLong(range.substring(dash + 1))});
              }
              break;
            default:
              break;
          }
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("user property " + u.getKey() + " is not a number: "
              + u.getValue());
        }
      }
    }
    if (batchId == null || from == null || to == null) {
      throw new IllegalArgumentException("batch_id, seq_from and seq_to user properties are required");
    }
    // The same checks as the batch itself (safe ids, ordered ranges), before any unpacking.
    new IncomingBatch(device, batchId, from, to, evicted, new ArrayList<>(), unused);
    return new Envelope(batchId, from, to, evicted, unused);
  }

  /** Disconnects; the persistent session keeps this collector's share of batches queued. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    acks.close();
    session.close();
  }
}
