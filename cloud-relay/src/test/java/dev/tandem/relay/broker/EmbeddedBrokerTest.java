package dev.tandem.relay.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;

class EmbeddedBrokerTest {

  @Test
  void embeddedBroker_sharedSubscription_deliversThroughClientCallback() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      assertThat(broker.url()).startsWith("tcp://127.0.0.1:");
      BlockingQueue<String> got = new ArrayBlockingQueue<>(4);
      MqttAsyncClient sub = new MqttAsyncClient(broker.url(), "sub", new MemoryPersistence());
      sub.setCallback(new MqttCallback() {
        @Override public void disconnected(MqttDisconnectResponse r) {}
        @Override public void mqttErrorOccurred(MqttException e) {}
        @Override public void messageArrived(String topic, MqttMessage m) {
          got.add(topic + "=" + new String(m.getPayload(), StandardCharsets.UTF_8));
        }
        @Override public void deliveryComplete(IMqttToken t) {}
        @Override public void connectComplete(boolean reconnect, String uri) {}
        @Override public void authPacketArrived(int reason, MqttProperties p) {}
      });
      sub.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
      sub.subscribe("$share/g/a/+", 0).waitForCompletion(10_000);
      MqttAsyncClient pub = new MqttAsyncClient(broker.url(), "pub", new MemoryPersistence());
      pub.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
      pub.publish("a/b", "hi".getBytes(StandardCharsets.UTF_8), 0, false);
      assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("a/b=hi");
      pub.disconnect().waitForCompletion(5_000);
      sub.disconnect().waitForCompletion(5_000);
      pub.close();
      sub.close();
    }
  }

  @Test
  void config_inMemoryLoopbackNoStatistics() {
    String xml = EmbeddedBroker.config("127.0.0.1", 1883);
    assertThat(xml).contains("<mode>in-memory</mode>", "<bind-address>127.0.0.1</bind-address>",
        "<anonymous-usage-statistics>\n    <enabled>false</enabled>");
  }
}
