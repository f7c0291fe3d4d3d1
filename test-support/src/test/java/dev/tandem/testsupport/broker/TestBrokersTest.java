package dev.tandem.testsupport.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestBrokersTest {
  @ParameterizedTest
  @EnumSource(BrokerKind.class)
  void broker_stopAndStart_servesAgainOnTheSamePort(BrokerKind kind) throws Exception {
    try (TestBroker broker = kind.start()) {
      int port = broker.port();
      assertThat(broker.kind()).isEqualTo(kind);
      assertThat(broker.url()).isEqualTo("tcp://127.0.0.1:" + port);
      connectAndDisconnect(broker.url(), 30_000);
      broker.stop();
      assertThat(broker.isRunning()).isFalse();
      assertThat(TestBrokers.accepts(port)).isFalse();
      broker.start();
      assertThat(broker.port()).isEqualTo(port);
      connectAndDisconnect(broker.url(), 30_000);
    }
  }

  @ParameterizedTest
  @EnumSource(BrokerKind.class)
  void broker_paused_holdsTheConnectionButAnswersNothingUntilResumed(BrokerKind kind) throws Exception {
    try (TestBroker broker = kind.start()) {
      broker.pause();
      MqttAsyncClient client = new MqttAsyncClient(broker.url(), "paused-" + kind, new MemoryPersistence());
      IMqttToken connecting = client.connect(new MqttConnectionOptions());
      Thread.sleep(1000);
      assertThat(connecting.isComplete()).as("no CONNACK from a frozen broker").isFalse();
      broker.resume();
      connecting.waitForCompletion(30_000);
      assertThat(client.isConnected()).isTrue();
      client.disconnect().waitForCompletion(10_000);
      client.close();
    }
  }

  @ParameterizedTest
  @EnumSource(BrokerKind.class)
  void receiveMaximum_isAnnouncedInTheConnAck(BrokerKind kind) throws Exception {
    try (TestBroker broker = TestBrokers.builder(kind).receiveMaximum(3).start()) {
      MqttAsyncClient client = new MqttAsyncClient(broker.url(), "receive-max-" + kind, new MemoryPersistence());
      IMqttToken token = client.connect(new MqttConnectionOptions());
      token.waitForCompletion(30_000);
      assertThat(token.getResponseProperties().getReceiveMaximum()).isEqualTo(3);
      client.disconnect().waitForCompletion(10_000);
      client.close();
    }
  }

  @Test
  void mosquittoConfiguration_setsTcpNoDelay() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.launch()) {
      assertThat(new String(Files.readAllBytes(broker.configFile()), StandardCharsets.UTF_8)).contains("set_tcp_nodelay true");
    }
  }

  @Test
  void defaultBroker_isChosenByProperty() {
    String before = System.getProperty(TestBrokers.DEFAULT_PROPERTY);
    try {
      System.clearProperty(TestBrokers.DEFAULT_PROPERTY);
      assertThat(TestBrokers.defaultKind()).isEqualTo(BrokerKind.HIVEMQ);
      System.setProperty(TestBrokers.DEFAULT_PROPERTY, "Mosquitto");
      assertThat(TestBrokers.defaultKind()).isEqualTo(BrokerKind.MOSQUITTO);
      System.setProperty(TestBrokers.DEFAULT_PROPERTY, "emqx");
      assertThatThrownBy(TestBrokers::defaultKind).hasMessageContaining("expected hivemq or mosquitto");
    } finally {
      if (before == null) {
        System.clearProperty(TestBrokers.DEFAULT_PROPERTY);
      } else {
        System.setProperty(TestBrokers.DEFAULT_PROPERTY, before);
      }
    }
  }

  private static void connectAndDisconnect(String url, long timeoutMs) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(url, "probe-" + System.nanoTime(), new MemoryPersistence());
    client.connect(new MqttConnectionOptions()).waitForCompletion(timeoutMs);
    client.disconnect().waitForCompletion(timeoutMs);
    client.close();
  }
}
