package dev.tandem.runtime.testing;

import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.mqtt.MqttSockets;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.FrameCodec;
import dev.tandem.runtime.internal.protocol.FrameException;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

/**
 * A stand-in relay for tests: a real MQTT 5 client that subscribes to every request topic,
 * decodes each request and answers on its Response Topic with the Correlation Data echoed, the
 * inputs echoed as outputs, and the configured status and delay, or not at all. Like a relay, it
 * drops a request whose response topic is not the requesting device's own result topic.
 *
 * <p>Thread-safe; the behaviour may be changed while requests flow. Close it to disconnect.
 */
public final class EchoResponder implements AutoCloseable {
  private final Topics topics;
  private final FrameCodec codec = new FrameCodec();
  private final MqttAsyncClient client;
  private final ScheduledExecutorService delays = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "echo-responder-delays");
    t.setDaemon(true);
    return t;
  });
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong replied = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong publishFailures = new AtomicLong();
  private final List<RequestFrame> lastRequests = new ArrayList<>();
  private volatile ReplyStatus status = ReplyStatus.OK;
  private volatile long delayMs;
  private volatile boolean silent;

  private EchoResponder(String url, Topics topics, MqttConnectionOptions o) throws MqttException {
    this.topics = topics;
    client = new MqttAsyncClient(url, "echo-responder-" + System.nanoTime(), new MemoryPersistence());
    client.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse r) {
        // tests that restart the broker start a new responder
      }

      @Override
      public void mqttErrorOccurred(MqttException e) {
        // reported through the counters' absence of replies
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        onRequest(topic, message);
      }

      @Override
      public void deliveryComplete(IMqttToken token) {
        // QoS 0
      }

      @Override
      public void connectComplete(boolean reconnect, String serverURI) {
        // subscribed once after connect()
      }

      @Override
      public void authPacketArrived(int reasonCode, MqttProperties properties) {
        // no enhanced authentication
      }
    });
    client.connect(o).waitForCompletion(10_000);
    client.subscribe(new MqttSubscription(topics.inferFilter(), 0)).waitForCompletion(10_000);
  }

  /** Connects to {@code url} and answers every request under the default topics with {@code ok}. */
  public static EchoResponder start(String url) {
    return start(url, Topics.defaults());
  }

  public static EchoResponder start(String url, Topics topics) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setSocketFactory(MqttSockets.noDelay());
    return start(url, topics, o);
  }

  /** With given connection options (TLS, credentials); a clean start is forced. */
  public static EchoResponder start(String url, Topics topics, MqttConnectionOptions options) {
    options.setCleanStart(true);
    try {
      return new EchoResponder(url, topics, options);
    } catch (MqttException e) {
      throw new IllegalStateException("echo responder cannot connect to " + url + ": " + e, e);
    }
  }

  /** Answer with this status (for {@code ok}, the inputs are echoed as outputs). */
  public EchoResponder status(ReplyStatus status) {
    this.status = status;
    return this;
  }

  /** Answer this long after the request arrives. */
  public EchoResponder delayMs(long delayMs) {
    this.delayMs = delayMs;
    return this;
  }

  /** Receive requests but never answer. */
  public EchoResponder silent(boolean silent) {
    this.silent = silent;
    return this;
  }

  public long received() {
    return received.get();
  }

  public long replied() {
    return replied.get();
  }

  /** Requests dropped: undecodable, or answering on another device's topic. */
  public long dropped() {
    return dropped.get();
  }

  public long publishFailures() {
    return publishFailures.get();
  }

  /** The latest decoded requests (at most 16). */
  public synchronized List<RequestFrame> lastRequests() {
    return new ArrayList<>(lastRequests);
  }

  private void onRequest(String topic, MqttMessage message) {
    received.incrementAndGet();
    MqttProperties props = message.getProperties();
    Topics.InferTopic address = topics.parseInfer(topic).orElse(null);
    if (address == null || props == null || props.getResponseTopic() == null
        || !props.getResponseTopic().equals(topics.result(address.deviceId()))) {
      dropped.incrementAndGet();
      return;
    }
    RequestFrame request;
    try {
      request = codec.decodeRequest(message.getPayload());
    } catch (FrameException e) {
      dropped.incrementAndGet();
      return;
    }
    synchronized (this) {
      if (lastRequests.size() == 16) {
        lastRequests.remove(0);
      }
      lastRequests.add(request);
    }
    if (silent) {
      return;
    }
    ReplyStatus s = status;
    ReplyFrame.Builder reply = ReplyFrame.builder(s)
        .relayId("echo")
        .modelVersion(request.model() + "@1")
        .queueMs(0)
        .inferenceMs(0)
        .batchSize(1);
    if (s == ReplyStatus.OK) {
      List<Tensor> outputs = new ArrayList<>(request.inputs());
      reply.outputs(outputs);
    } else {
      reply.message("echo responder answers " + s.wireName());
    }
    MqttMessage answer = new MqttMessage(codec.encodeReply(reply.build()));
    answer.setQos(0);
    MqttProperties out = new MqttProperties();
    out.setCorrelationData(props.getCorrelationData());
    answer.setProperties(out);
    String responseTopic = props.getResponseTopic();
    long delay = delayMs;
    if (delay <= 0) {
      publish(responseTopic, answer);
    } else {
      delays.schedule(() -> publish(responseTopic, answer), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void publish(String topic, MqttMessage answer) {
    try {
      client.publish(topic, answer);
      replied.incrementAndGet();
    } catch (MqttException e) {
      publishFailures.incrementAndGet();
    }
  }

  @Override
  public void close() {
    delays.shutdownNow();
    try {
      if (client.isConnected()) {
        client.disconnect(2000).waitForCompletion(2000);
      }
    } catch (MqttException e) {
      // broker already gone: nothing to disconnect from
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // closing an already-failed client; nothing left to release
    }
  }
}
