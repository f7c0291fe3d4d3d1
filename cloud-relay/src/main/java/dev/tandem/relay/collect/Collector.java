package dev.tandem.relay.collect;

import com.google.gson.JsonObject;
import dev.tandem.relay.broker.DeliveryProbe;
import dev.tandem.runtime.offload.MqttReconnect;
import dev.tandem.runtime.internal.protocol.Topics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
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
  private final MqttAsyncClient client;
  private final MqttConnectionOptions connectOptions;
  private final AckSender acks;
  private final DeliveryProbe probe;
  private final BatchDecoder decoder;
  private volatile boolean subscribed;
  private final ExecutorService subscriber = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "collector-subscribe");
    t.setDaemon(true);
    return t;
  });
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
     * The delivery probe (see {@link DeliveryProbe}): every {@code intervalMs} (default 5 s) the
     * collector sends itself a message on {@code {prefix}/collector/{clientId}/probe}; with none
     * back for {@code timeoutMs} (default 20 s) on a live connection it reconnects. 0 turns it off.
     */
    public Options probe(long intervalMs, long timeoutMs) {
      probeIntervalMs = intervalMs;
      probeTimeoutMs = timeoutMs;
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
    client = new MqttAsyncClient(opts.brokerUrl, opts.clientId, new MemoryPersistence());
    acks = new AckSender(client, metrics.acks, MAX_QUEUED_ACKS, ACK_MAX_AGE_MS, System::currentTimeMillis);
    probe = new DeliveryProbe("collector " + opts.clientId,
        opts.prefix + "/collector/" + opts.clientId.replaceAll("[/+#]", "_") + "/probe",
        opts.probeIntervalMs, opts.probeTimeoutMs, () -> client,
        () -> subscribed && !closed && client.isConnected(), this::onStall);
    client.setCallback(new Callback());
    MqttConnectionOptions co = new MqttConnectionOptions();
    // A clean session: a persistent one, resumed after a broker restart, got Mosquitto 2.0 to
    // disconnect us with a protocol error (reason 130) in a loop. Nothing depends on it: a
    // batch no collector acked stays in the device's spool and is sent again.
    co.setCleanStart(true);
    // Reconnects are ours: Paho's automatic reconnect delay grows past its configured maximum.
    co.setAutomaticReconnect(false);
    co.setKeepAliveInterval(10);
    co.setConnectionTimeout(10);
    // The broker drops larger publishes for this client instead of sending them: they never
    // reach the heap.
    co.setMaximumPacketSize((long) opts.limits.maxPayloadBytes() + 64 * 1024);
    if (opts.username != null) {
      co.setUserName(opts.username);
      co.setPassword(new String(opts.password).getBytes(StandardCharsets.UTF_8));
    }
    if (opts.socketFactory != null) {
      co.setSocketFactory(opts.socketFactory);
    }
    this.connectOptions = co;
    client.connect(co).waitForCompletion(15_000);
    // connectComplete subscribes (first connect and every reconnect).
    probe.start();
  }

  /** On the probe's thread: the broker stopped delivering on the live connection. */
  private void onStall(long silentMs) {
    subscribed = false;
    metrics.stalls.inc();
    log.error("collector {}: no message from the broker for {} ms although the connection is up (its own probe on {}"
        + " did not come back): the broker stopped delivering log batches; reconnecting", opts.clientId, silentMs,
        probe.topic());
    try {
      client.disconnectForcibly(0, 1_000, false);
    } catch (MqttException e) {
      log.debug("forced disconnect: {}", e.toString()); // reconnecting anyway
    }
    subscriber.execute(this::reconnect);
  }

  /** The shared subscription this collector uses. */
  public String subscription() {
    return "$share/" + SHARE_GROUP + "/" + opts.prefix + "/logs/+";
  }

  private void reconnect() {
    // connectComplete subscribes
    MqttReconnect.connect(client, connectOptions, () -> closed, 2_000);
  }

  private void subscribe() {
    if (closed) {
      return;
    }
    try {
      // Paho does not restore subscriptions itself in every case: subscribe on each connect,
      // off the callback thread (subscribing on it can deadlock).
      int code = probe.subscribe(client, new MqttSubscription(subscription(), 1), 10_000, "the collector");
      if (code >= 0x80) {
        log.error("collector {}: the broker refused the subscription to {} (reason code 0x{}); check its ACL",
            opts.clientId, subscription(), Integer.toHexString(code));
        return;
      }
      int captureCode = probe.subscribe(client, new MqttSubscription(captureSubscription(), 1), 10_000,
          "the collector's captures");
      if (captureCode >= 0x80) {
        log.error("collector {}: the broker refused the subscription to {} (reason code 0x{}); captured inputs"
            + " (opt-in on devices) are not stored", opts.clientId, captureSubscription(),
            Integer.toHexString(captureCode));
      }
      subscribed = true;
      log.info("collector {} subscribed to {}", opts.clientId, subscription());
    } catch (MqttException e) {
      log.warn("subscribe failed ({}); will retry on the next connect", e.toString());
    }
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
    probe.close();
    subscriber.shutdownNow();
    acks.close();
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
    } catch (MqttException e) {
      log.debug("disconnect: {}", e.toString()); // closing anyway
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      log.debug("close: {}", e.toString()); // closing anyway
    }
  }

  private final class Callback implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse r) {
      subscribed = false;
      log.warn("collector disconnected ({}); reconnecting", r.getException() != null
          ? r.getException().getMessage() : r.getReasonString());
      if (!closed) {
        subscriber.execute(Collector.this::reconnect);
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      log.warn("collector MQTT error: {}", e.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      // Any delivery proves the broker delivers: a backlog of batches must not look like a stall.
      probe.arrived();
      if (probe.matches(topic)) {
        return;
      }
      handle(topic, message);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      acks.released();
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
      if (!closed) {
        subscriber.execute(Collector.this::subscribe);
      }
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
