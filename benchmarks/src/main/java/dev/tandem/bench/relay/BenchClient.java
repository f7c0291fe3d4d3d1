package dev.tandem.bench.relay;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A Paho MQTT 5 client doing request/response with Response Topic and Correlation Data, QoS 0,
 * TCP_NODELAY: the device side of the relay benchmark, and both sides of the raw ping-pong
 * baseline (with {@link #echo}).
 */
final class BenchClient implements AutoCloseable {
  private final MqttAsyncClient client;
  private final String replyTopic;
  private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private volatile boolean echo;

  BenchClient(String url, String clientId, String replyTopic) throws MqttException {
    this.client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
    this.replyTopic = replyTopic;
    client.setCallback(new MqttCallback() {
      @Override public void disconnected(MqttDisconnectResponse r) {}
      @Override public void mqttErrorOccurred(MqttException e) {}
      @Override public void messageArrived(String topic, MqttMessage m) throws Exception {
        if (echo) {
          // The raw baseline's server: answer with the same payload on the response topic.
          MqttMessage back = new MqttMessage(m.getPayload());
          back.setQos(0);
          MqttProperties p = new MqttProperties();
          p.setCorrelationData(m.getProperties().getCorrelationData());
          back.setProperties(p);
          client.publish(m.getProperties().getResponseTopic(), back);
          return;
        }
        byte[] corr = m.getProperties() == null ? null : m.getProperties().getCorrelationData();
        if (corr != null && corr.length == 8) {
          CompletableFuture<byte[]> f = pending.remove(ByteBuffer.wrap(corr).getLong());
          if (f != null) {
            f.complete(m.getPayload());
          }
        }
      }
      @Override public void deliveryComplete(IMqttToken t) {}
      @Override public void connectComplete(boolean reconnect, String uri) {}
      @Override public void authPacketArrived(int reason, MqttProperties p) {}
    });
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setSocketFactory(BenchSupport.noDelay());
    o.setMaxReconnectDelay(1000);
    o.setReceiveMaximum(65535);
    client.connect(o).waitForCompletion(10_000);
    if (replyTopic != null) {
      client.subscribe(replyTopic, 0).waitForCompletion(10_000);
    }
  }

  /** Makes this client answer every message on {@code filter} with its own payload. */
  void echo(String filter) throws MqttException {
    echo = true;
    client.subscribe(filter, 0).waitForCompletion(10_000);
  }

  CompletableFuture<byte[]> request(String topic, byte[] payload) throws MqttException {
    long id = seq.incrementAndGet();
    CompletableFuture<byte[]> f = new CompletableFuture<>();
    pending.put(id, f);
    MqttMessage m = new MqttMessage(payload);
    m.setQos(0);
    MqttProperties p = new MqttProperties();
    p.setResponseTopic(replyTopic);
    p.setCorrelationData(ByteBuffer.allocate(8).putLong(id).array());
    m.setProperties(p);
    client.publish(topic, m);
    return f;
  }

  @Override
  public void close() {
    try {
      client.disconnect().waitForCompletion(5_000);
      client.close(true);
    } catch (MqttException e) {
      // End of a benchmark run: nothing to do.
    }
  }
}
