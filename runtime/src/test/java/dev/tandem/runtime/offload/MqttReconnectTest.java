package dev.tandem.runtime.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

class MqttReconnectTest {
  static MqttConnectionOptions options() {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setConnectionTimeout(2);
    return o;
  }

  @Test
  void connect_brokerComesUpLater_connects() throws Exception {
    try (TestBroker broker = TestBrokers.builder().build()) {
      MqttAsyncClient client = new MqttAsyncClient(broker.url(), "reconnect-late", new MemoryPersistence());
      try {
        CompletableFuture<Boolean> connected = CompletableFuture.supplyAsync(
            () -> MqttReconnect.connect(client, options(), () -> false, 500));
        // Not up yet: the loop keeps trying.
        assertThat(connected).isNotDone();
        broker.start();
        assertThat(connected.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(client.isConnected()).isTrue();
        client.disconnect().waitForCompletion(5_000);
      } finally {
        client.close(true);
      }
    }
  }

  @Test
  void connect_stopRequested_returnsFalseWithoutBroker() throws Exception {
    try (TestBroker broker = TestBrokers.builder().build()) {
      MqttAsyncClient client = new MqttAsyncClient(broker.url(), "reconnect-stop", new MemoryPersistence());
      try {
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Boolean> connected = CompletableFuture.supplyAsync(
            () -> MqttReconnect.connect(client, options(), stop::get, 500));
        stop.set(true);
        assertThat(connected.get(30, TimeUnit.SECONDS)).isFalse();
        assertThat(client.isConnected()).isFalse();
      } finally {
        client.close(true);
      }
    }
  }
}
