package dev.tandem.relay.collect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.broker.EmbeddedBroker;
import io.prometheus.metrics.core.metrics.Counter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AckSenderTest {
  private static EmbeddedBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedBroker.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  private static MqttAsyncClient publisher(String id, AckSender[] sender) throws MqttException {
    MqttAsyncClient c = new MqttAsyncClient(broker.url(), id, new MemoryPersistence());
    c.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse r) {}

      @Override
      public void mqttErrorOccurred(MqttException e) {}

      @Override
      public void messageArrived(String topic, MqttMessage m) {}

      @Override
      public void deliveryComplete(IMqttToken t) {
        if (sender[0] != null) {
          sender[0].released();
        }
      }

      @Override
      public void connectComplete(boolean reconnect, String uri) {}

      @Override
      public void authPacketArrived(int code, MqttProperties p) {}
    });
    c.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
    return c;
  }

  private static MqttClient subscriber(String topicFilter, Set<String> received) throws MqttException {
    MqttClient s = new MqttClient(broker.url(), "acks-reader", new MemoryPersistence());
    s.connect();
    s.subscribe(new MqttSubscription[] {new MqttSubscription(topicFilter, 1)},
        new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
            (t, m) -> received.add(new String(m.getPayload(), StandardCharsets.UTF_8))});
    return s;
  }

  private static MqttMessage ack(int i) {
    MqttMessage m = new MqttMessage(("batch-" + i).getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    return m;
  }

  @Test
  void burstBeyondTheBrokersReceiveMaximum_everyAckIsDelivered() throws Exception {
    // HiveMQ CE grants a Receive Maximum of 10: 300 acks queued at once overflow it many times.
    Set<String> received = ConcurrentHashMap.newKeySet();
    MqttClient reader = subscriber("test/burst/+", received);
    AckSender[] holder = new AckSender[1];
    MqttAsyncClient client = publisher("collector-burst", holder);
    Counter outcomes = Counter.builder().name("acks").labelNames("outcome").build();
    try (AckSender sender = new AckSender(client, outcomes, 1000, 60_000, System::currentTimeMillis)) {
      holder[0] = sender;
      for (int i = 0; i < 300; i++) {
        sender.send("test/burst/device-" + (i % 50), ack(i), "batch-" + i);
      }
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (received.size() < 300 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(received).hasSize(300);
      assertThat(outcomes.labelValues("sent").get()).isEqualTo(300.0);
      assertThat(outcomes.labelValues("failed").get()).isZero();
    } finally {
      client.disconnect().waitForCompletion(5_000);
      client.close();
      reader.disconnect();
      reader.close();
    }
  }

  @Test
  void ackOlderThanItsMaximumAge_isDroppedAsExpired() throws Exception {
    // The client is not connected: acks wait, and the clock moves past their maximum age.
    MqttAsyncClient client = new MqttAsyncClient(broker.url(), "collector-offline", new MemoryPersistence());
    AtomicLong now = new AtomicLong(1_000);
    Counter outcomes = Counter.builder().name("acks").labelNames("outcome").build();
    try (AckSender sender = new AckSender(client, outcomes, 10, 5_000, now::get)) {
      sender.send("test/expired/device", ack(1), "batch-1");
      Thread.sleep(200); // the sender is retrying: not connected
      assertThat(outcomes.labelValues("expired").get()).isZero();
      now.addAndGet(5_001);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (outcomes.labelValues("expired").get() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(outcomes.labelValues("expired").get()).isEqualTo(1.0);
      assertThat(sender.queued()).isZero();
    } finally {
      client.close();
    }
  }

  @Test
  void fullQueue_dropsNewAcksAsOverflow() throws Exception {
    MqttAsyncClient client = new MqttAsyncClient(broker.url(), "collector-full", new MemoryPersistence());
    Counter outcomes = Counter.builder().name("acks").labelNames("outcome").build();
    try (AckSender sender = new AckSender(client, outcomes, 3, 60_000, System::currentTimeMillis)) {
      // The first ack is taken off the queue and retried (not connected); three more fill it.
      sender.send("test/full/device", ack(0), "batch-0");
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (sender.queued() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      for (int i = 1; i < 10; i++) {
        sender.send("test/full/device", ack(i), "batch-" + i);
      }
      assertThat(outcomes.labelValues("overflow").get()).isEqualTo(6.0);
      assertThat(sender.queued()).isEqualTo(3);
    } finally {
      client.close();
    }
  }

  @Test
  void errorOnTheSenderThread_isReportedFatal_andTheSenderIsNoLongerAlive() throws Exception {
    MqttAsyncClient client = new MqttAsyncClient(broker.url(), "collector-error", new MemoryPersistence());
    Counter outcomes = Counter.builder().name("acks").labelNames("outcome").build();
    java.util.concurrent.BlockingQueue<Error> fatal = new java.util.concurrent.LinkedBlockingQueue<>();
    java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean();
    // The clock is the injected fault: once broken, it throws as an allocation out of memory would.
    java.util.function.LongSupplier clock = () -> {
      if (broken.get() && Thread.currentThread().getName().equals("collector-ack")) {
        throw new OutOfMemoryError("injected");
      }
      return System.currentTimeMillis();
    };
    try (AckSender sender = new AckSender(client, outcomes, 10, 60_000, clock, fatal::add)) {
      assertThat(sender.alive()).isTrue();
      broken.set(true);
      sender.send("test/error/device", ack(1), "batch-1");
      Error e = fatal.poll(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(e).isInstanceOf(OutOfMemoryError.class).hasMessage("injected");
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (sender.alive() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(sender.alive()).isFalse();
    } finally {
      client.close();
    }
  }
}
