package dev.tandem.runtime.internal.fleet;

import dev.tandem.runtime.internal.mqtt.MqttSession;
import java.util.function.BiConsumer;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * A device's background MQTT connection (client id {@code <deviceId>-logs}), separate from
 * the offloader's so that log uploads and policy traffic never queue in front of an offload
 * request. One {@link MqttSession}: it connects in the background and keeps reconnecting with a
 * fresh client (also when the broker is down at start, which Paho's own automatic reconnect
 * does not cover), and subscribes the handlers again after every connect, off Paho's callback
 * thread.
 *
 * <p>Handlers run on Paho's callback thread and must not block. Thread-safe;
 * {@link #close()} is idempotent.
 */
public final class MqttLink implements AutoCloseable {
  /** The longest pause between connection attempts. */
  static final long MAX_RECONNECT_DELAY_MS = 2_000;

  private final MqttSession session;

  /**
   * Creates the link; nothing connects until {@link #start()}.
   *
   * @throws IllegalArgumentException when the URL or client id is invalid
   */
  public MqttLink(String brokerUrl, String clientId, String username, char[] password,
      SocketFactory socketFactory) throws MqttException {
    MqttSession.Builder b = MqttSession.builder(brokerUrl, clientId)
        .name("log link " + clientId)
        .keepAliveSeconds(10)
        .operationTimeoutMs(5_000)
        .reconnectDelayMs(250, MAX_RECONNECT_DELAY_MS);
    if (username != null) {
      b.credentials(username, password == null ? new char[0] : password);
    }
    if (socketFactory != null) {
      b.socketFactory(socketFactory);
    }
    try {
      session = b.build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  /** Creates the link on a session built from {@code session}; nothing connects until {@link #start()}. */
  public MqttLink(MqttSession.Builder session) {
    this.session = session.build();
  }

  /** Adds a handler for a topic filter (QoS 1); subscribed now if connected, and on every connect. */
  public void handle(String topicFilter, BiConsumer<String, MqttMessage> handler) {
    session.subscribe(topicFilter, 1, handler::accept);
  }

  /** Starts connecting in the background; returns at once. */
  public MqttLink start() {
    session.start();
    return this;
  }

  /** Connected and subscribed: uploads can go. */
  public boolean ready() {
    return session.isReady();
  }

  /**
   * Publishes a message (asynchronously; the token completes on PUBACK for QoS 1).
   *
   * @throws MqttException when not connected or Paho's in-flight window is full
   */
  public IMqttToken publish(String topic, MqttMessage message) throws MqttException {
    return session.publish(topic, message);
  }

  @Override
  public void close() {
    session.close();
  }
}
