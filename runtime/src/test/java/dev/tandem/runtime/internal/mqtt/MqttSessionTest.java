package dev.tandem.runtime.internal.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

/** The session against a real Mosquitto: each test pins one of Paho's known failures. */
class MqttSessionTest {
  private static MqttSession.Builder session(String url, String clientId) {
    return MqttSession.builder(url, clientId).operationTimeoutMs(2_000).reconnectDelayMs(50, 500);
  }

  private static void publish(String url, String topic, String payload) throws MqttException {
    MqttAsyncClient p = new MqttAsyncClient(url, "session-test-pub-" + System.nanoTime(), new MemoryPersistence());
    p.connect(new MqttConnectionOptions()).waitForCompletion(5_000);
    p.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(5_000);
    p.disconnect().waitForCompletion(5_000);
    p.close();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void start_brokerComesUpLater_connects() throws Exception {
    try (TestBroker broker = TestBrokers.builder().build();
        MqttSession s = session(broker.url(), "session-late").build().start()) {
      // Not up yet: the session keeps trying (Paho's own reconnect never starts without a first connect).
      assertThat(s.awaitReady(300, TimeUnit.MILLISECONDS)).isFalse();
      broker.start();
      assertThat(s.awaitReady(30, TimeUnit.SECONDS)).isTrue();
      assertThat(s.connectCount()).isEqualTo(1);
    }
  }

  @Test
  void close_whileBrokerDown_stopsTrying() throws Exception {
    try (TestBroker broker = TestBrokers.builder().build()) {
      MqttSession s = session(broker.url(), "session-stop").build().start();
      s.close();
      broker.start();
      assertThat(s.awaitReady(1, TimeUnit.SECONDS)).isFalse();
      assertThat(s.connectCount()).isZero();
      assertThatThrownBy(s::start).isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void connect_brokerDown_failsAtOnceWithTheCause() throws Exception {
    try (TestBroker broker = TestBrokers.builder().build();
        MqttSession s = session(broker.url(), "session-down").build()) {
      assertThatThrownBy(s::connect).isInstanceOf(MqttException.class);
      assertThat(s.isReady()).isFalse();
    }
  }

  @Test
  void brokerRestart_freshClientReconnects_andSubscriptionsAreRestored() throws Exception {
    // Paho does not restore subscriptions after a clean-start reconnect (PahoBehaviourTest), and
    // can stay "connecting" forever after a lost connection: the session uses a fresh client.
    try (TestBroker broker = TestBrokers.builder().start()) {
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      List<String> lost = new CopyOnWriteArrayList<>();
      try (MqttSession s = session(broker.url(), "session-restart")
          .listener(new MqttSession.Listener() {
            @Override
            public void disconnected(String why) {
              lost.add(why);
            }
          }).build()) {
        s.subscribe("restart/+", 1, (t, m) -> got.add(t + "=" + new String(m.getPayload(), StandardCharsets.UTF_8)));
        s.connect();
        publish(broker.url(), "restart/a", "1");
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("restart/a=1");

        broker.stop();
        await(() -> !s.isReady(), "the loss to be seen");
        broker.start();
        assertThat(s.awaitReady(30, TimeUnit.SECONDS)).isTrue();
        assertThat(s.connectCount()).isEqualTo(2);
        assertThat(lost).hasSize(1);
        publish(broker.url(), "restart/b", "2");
        assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("restart/b=2");
      }
    }
  }

  @Test
  void sharedSubscription_messagesAreRoutedByTopic() throws Exception {
    // Paho never calls a per-subscription listener for $share subscriptions.
    try (TestBroker broker = TestBrokers.builder().start();
        MqttSession s = session(broker.url(), "session-share").build()) {
      BlockingQueue<String> shared = new LinkedBlockingQueue<>();
      BlockingQueue<String> plain = new LinkedBlockingQueue<>();
      s.subscribe("$share/group/share/+/in", 1, (t, m) -> shared.add(t));
      s.subscribe("plain/#", 1, (t, m) -> plain.add(t));
      s.connect();
      publish(broker.url(), "share/dev-1/in", "x");
      publish(broker.url(), "plain/dev-1/out", "y");
      assertThat(shared.poll(10, TimeUnit.SECONDS)).isEqualTo("share/dev-1/in");
      assertThat(plain.poll(10, TimeUnit.SECONDS)).isEqualTo("plain/dev-1/out");
      assertThat(shared.poll(200, TimeUnit.MILLISECONDS)).isNull();
      assertThat(plain.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }
  }

  @Test
  void subscribe_whileConnected_isMadeAtOnce() throws Exception {
    try (TestBroker broker = TestBrokers.builder().start();
        MqttSession s = session(broker.url(), "session-late-sub").build().connect()) {
      BlockingQueue<String> got = new LinkedBlockingQueue<>();
      s.subscribe("late/topic", 1, (t, m) -> got.add(t));
      await(() -> {
        try {
          publish(broker.url(), "late/topic", "x");
          return got.poll(200, TimeUnit.MILLISECONDS) != null;
        } catch (MqttException | InterruptedException e) {
          return false;
        }
      }, "the late subscription to deliver");
    }
  }

  @Test
  void sockets_haveTcpNoDelay_evenFromAPlainFactory() throws Exception {
    List<Socket> sockets = new CopyOnWriteArrayList<>();
    SocketFactory recording = new SocketFactory() {
      private Socket keep(Socket s) {
        sockets.add(s);
        return s;
      }

      @Override
      public Socket createSocket() {
        return keep(new Socket());
      }

      @Override
      public Socket createSocket(String host, int port) throws IOException {
        return keep(new Socket(host, port));
      }

      @Override
      public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
        return keep(new Socket(host, port, local, localPort));
      }

      @Override
      public Socket createSocket(InetAddress host, int port) throws IOException {
        return keep(new Socket(host, port));
      }

      @Override
      public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
        return keep(new Socket(host, port, local, localPort));
      }
    };
    try (TestBroker broker = TestBrokers.builder().start();
        MqttSession s = session(broker.url(), "session-nodelay").socketFactory(recording).build().connect()) {
      assertThat(sockets).isNotEmpty();
      for (Socket socket : sockets) {
        assertThat(socket.getTcpNoDelay()).isTrue();
      }
    }
  }

  @Test
  void topicFilter_matchesLikeTheBroker() {
    assertThat(MqttSession.TopicFilter.matches("$share/g/a/+/c", "a/b/c")).isTrue();
    assertThat(MqttSession.TopicFilter.matches("a/#", "a")).isTrue();
    assertThat(MqttSession.TopicFilter.matches("a/#", "a/b/c")).isTrue();
    assertThat(MqttSession.TopicFilter.matches("a/+", "a/b/c")).isFalse();
    assertThat(MqttSession.TopicFilter.matches("a/b", "a/b")).isTrue();
    assertThat(MqttSession.TopicFilter.matches("a/b", "a/c")).isFalse();
  }

  @Test
  void builder_badOptions_failNamingTheOption() {
    assertThatThrownBy(() -> MqttSession.builder("http://h:1", "c").build()).hasMessageContaining("tcp://");
    assertThatThrownBy(() -> MqttSession.builder("tcp://h:1", "").build()).hasMessageContaining("clientId");
    assertThatThrownBy(() -> MqttSession.builder("tcp://h:1", "c").deliveryProbe("p", 100, 150))
        .hasMessageContaining("twice");
  }
}
