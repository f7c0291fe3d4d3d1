package dev.tandem.runtime.fleet;

import dev.tandem.runtime.offload.MqttReconnect;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import javax.net.SocketFactory;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's background MQTT connection (client id {@code <deviceId>-logs}), separate from
 * the offloader's so that log uploads and policy traffic never queue in front of an offload
 * request. Connects in the background and keeps reconnecting (also when the broker is down at
 * start, which Paho's own automatic reconnect does not cover), and subscribes its handlers
 * again after every connect, off Paho's callback thread (subscribing on it can deadlock).
 *
 * <p>Handlers run on Paho's callback thread and must not block. Thread-safe;
 * {@link #close()} is idempotent.
 */
public final class MqttLink implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MqttLink.class);

  /** The longest pause between connection attempts. */
  static final long MAX_RECONNECT_DELAY_MS = 2_000;

  private final MqttAsyncClient client;
  private final MqttConnectionOptions options;
  private final Map<String, BiConsumer<String, MqttMessage>> handlers = new ConcurrentHashMap<>();
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "mqtt-link");
    t.setDaemon(true);
    return t;
  });
  private volatile boolean closed;
  private volatile boolean subscribed;

  /**
   * Creates the link; nothing connects until {@link #start()}.
   *
   * @throws MqttException when the URL or client id is invalid
   */
  public MqttLink(String brokerUrl, String clientId, String username, char[] password,
      SocketFactory socketFactory) throws MqttException {
    client = new MqttAsyncClient(brokerUrl, clientId, new MemoryPersistence());
    options = new MqttConnectionOptions();
    options.setCleanStart(true);
    // Reconnects are ours, not Paho's: its automatic reconnect only starts after a first
    // successful connect, and its delay grows past the configured maximum (31 s measured).
    options.setAutomaticReconnect(false);
    options.setKeepAliveInterval(10);
    options.setConnectionTimeout(5);
    if (username != null) {
      options.setUserName(username);
      options.setPassword(password == null ? new byte[0]
          : new String(password).getBytes(StandardCharsets.UTF_8));
    }
    if (socketFactory != null) {
      options.setSocketFactory(socketFactory);
    }
    client.setCallback(new Callback());
  }

  /** Adds a handler for a topic filter (QoS 1); subscribed now if connected, and on every connect. */
  public void handle(String topicFilter, BiConsumer<String, MqttMessage> handler) {
    handlers.put(topicFilter, handler);
    if (client.isConnected()) {
      worker.execute(this::subscribeAll);
    }
  }

  /** Starts connecting in the background; returns at once. */
  public MqttLink start() {
    worker.execute(this::connectLoop);
    return this;
  }

  /** Connected and subscribed: uploads can go. */
  public boolean ready() {
    return client.isConnected() && subscribed;
  }

  /**
   * Publishes a message (asynchronously; the token completes on PUBACK for QoS 1).
   *
   * @throws MqttException when not connected or Paho's in-flight window is full
   */
  public IMqttToken publish(String topic, MqttMessage message) throws MqttException {
    return client.publish(topic, message);
  }

  private void connectLoop() {
    // connectComplete subscribes
    MqttReconnect.connect(client, options, () -> closed, MAX_RECONNECT_DELAY_MS);
  }

  private void subscribeAll() {
    if (closed || !client.isConnected() || handlers.isEmpty()) {
      subscribed = client.isConnected() && handlers.isEmpty();
      return;
    }
    try {
      MqttSubscription[] subs = handlers.keySet().stream()
          .map(f -> new MqttSubscription(f, 1)).toArray(MqttSubscription[]::new);
      client.subscribe(subs).waitForCompletion(10_000);
      subscribed = true;
    } catch (MqttException e) {
      log.warn("subscribe failed ({}); retrying", e.toString());
      if (!closed) {
        worker.execute(() -> {
          try {
            TimeUnit.MILLISECONDS.sleep(500);
          } catch (InterruptedException ie) {
            return;
          }
          subscribeAll();
        });
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    worker.shutdownNow();
    try {
      if (client.isConnected()) {
        client.disconnect(2_000).waitForCompletion(3_000);
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

  private static boolean matches(String filter, String topic) {
    String[] f = filter.split("/", -1);
    String[] t = topic.split("/", -1);
    for (int i = 0; i < f.length; i++) {
      if (f[i].equals("#")) {
        return true;
      }
      if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
        return false;
      }
    }
    return f.length == t.length;
  }

  private final class Callback implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse r) {
      subscribed = false;
      log.info("log link lost ({}); reconnecting", r.getException() != null ? r.getException().getMessage()
          : r.getReasonString());
      if (!closed) {
        worker.execute(MqttLink.this::connectLoop);
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException e) {
      log.warn("log link error: {}", e.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      for (Map.Entry<String, BiConsumer<String, MqttMessage>> h : handlers.entrySet()) {
        if (matches(h.getKey(), topic)) {
          try {
            h.getValue().accept(topic, message);
          } catch (RuntimeException e) {
            // a handler bug must not take the connection down (Paho disconnects on a throw)
            log.error("handler for {} failed", topic, e);
          }
        }
      }
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
      subscribed = false;
      if (!closed) {
        worker.execute(MqttLink.this::subscribeAll);
      }
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
