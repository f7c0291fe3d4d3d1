package dev.tandem.relay.testing;

import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.FrameCodec;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
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
 * A device for tests, speaking the wire protocol with a raw Paho client and the codec: requests
 * carry a correlation id, replies on the device's result topic complete the matching future.
 * Anything else arriving on the result topic is kept in {@link #stray()}.
 */
public final class TestDevice implements AutoCloseable {
  private final MqttAsyncClient client;
  private final Topics topics;
  private final String deviceId;
  private final FrameCodec codec = new FrameCodec();
  private final Map<String, CompletableFuture<ReplyFrame>> pending = new ConcurrentHashMap<>();
  private final BlockingQueue<byte[]> stray = new LinkedBlockingQueue<>();
  private final AtomicLong seq = new AtomicLong();

  public TestDevice(String brokerUrl, Topics topics, String deviceId) throws MqttException {
    this(brokerUrl, topics, deviceId, new MqttConnectionOptions());
  }

  public TestDevice(String brokerUrl, Topics topics, String deviceId, MqttConnectionOptions options) throws MqttException {
    this.topics = topics;
    this.deviceId = deviceId;
    this.client = new MqttAsyncClient(brokerUrl, deviceId + "-" + System.nanoTime(), new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override public void disconnected(MqttDisconnectResponse r) {}
      @Override public void mqttErrorOccurred(MqttException e) {}
      @Override public void messageArrived(String topic, MqttMessage m) {
        byte[] corr = m.getProperties() == null ? null : m.getProperties().getCorrelationData();
        CompletableFuture<ReplyFrame> f = corr == null ? null : pending.remove(new String(corr, StandardCharsets.UTF_8));
        if (f == null) {
          stray.add(m.getPayload());
          return;
        }
        try {
          f.complete(codec.decodeReply(m.getPayload()));
        } catch (RuntimeException e) {
          f.completeExceptionally(e);
        }
      }
      @Override public void deliveryComplete(IMqttToken t) {}
      @Override public void connectComplete(boolean reconnect, String uri) {}
      @Override public void authPacketArrived(int reason, MqttProperties p) {}
    });
    client.connect(options).waitForCompletion(10_000);
    client.subscribe(topics.result(deviceId), 0).waitForCompletion(10_000);
  }

  public String deviceId() {
    return deviceId;
  }

  /** Sends a well-formed request; the future completes with the relay's reply. */
  public CompletableFuture<ReplyFrame> request(String model, List<Tensor> inputs, long budgetMs, long uplinkMs)
      throws MqttException {
    return send(topics.infer(model, deviceId), codec.encodeRequest(RequestFrame.of(model, budgetMs, uplinkMs, inputs)),
        topics.result(deviceId));
  }

  /** Sends raw bytes on {@code topic}, asking for the reply on {@code responseTopic}. */
  public CompletableFuture<ReplyFrame> send(String topic, byte[] payload, String responseTopic) throws MqttException {
    String corr = deviceId + ":" + seq.incrementAndGet();
    CompletableFuture<ReplyFrame> f = new CompletableFuture<>();
    pending.put(corr, f);
    MqttMessage m = new MqttMessage(payload);
    m.setQos(0);
    MqttProperties p = new MqttProperties();
    p.setResponseTopic(responseTopic);
    p.setCorrelationData(corr.getBytes(StandardCharsets.UTF_8));
    m.setProperties(p);
    client.publish(topic, m);
    return f;
  }

  /** Messages on this device's result topic that matched no request of its own. */
  public BlockingQueue<byte[]> stray() {
    return stray;
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
      client.close(true);
    } catch (MqttException e) {
      // Test teardown: the broker may already be gone.
    }
  }
}
