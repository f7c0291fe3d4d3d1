package dev.tandem.runtime.internal.offload;

import dev.tandem.runtime.offload.OffloadStatus;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
import org.junit.jupiter.api.Test;

/**
 * Pins the Paho v5 1.2.5 behaviours the offloader works around, so an upgrade that changes one
 * shows up here. (Nagle's algorithm: see {@code MqttOffloaderTest.sockets_fromOffloader_haveTcpNoDelay}.)
 */
class PahoBehaviourTest {

  @Test
  void paho_cleanStartReconnect_doesNotRestoreSubscriptions() throws Exception {
    try (TestBroker broker = TestBrokers.start()) {
      BlockingQueue<String> received = new LinkedBlockingQueue<>();
      CountDownLatch reconnected = new CountDownLatch(1);
      MqttAsyncClient client = new MqttAsyncClient(broker.url(), "pin-resubscribe", new MemoryPersistence());
      client.setCallback(new Callback() {
        @Override
        public void messageArrived(String topic, MqttMessage message) {
          received.add(new String(message.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
          if (reconnect) {
            reconnected.countDown();
          }
        }
      });
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      options.setAutomaticReconnect(true);
      options.setAutomaticReconnectDelay(1, 1);
      client.connect(options).waitForCompletion(5000);
      client.subscribe(new MqttSubscription("pin/topic", 0)).waitForCompletion(5000);
      publish(broker.url(), "before");
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("before");

      broker.stop();
      broker.start();
      assertThat(reconnected.await(15, TimeUnit.SECONDS)).as("Paho reconnects on its own").isTrue();
      publish(broker.url(), "after");
      assertThat(received.poll(500, TimeUnit.MILLISECONDS)).as("subscription lost on reconnect").isNull();

      // Subscribing again, from a thread of our own, restores delivery: what the offloader does.
      client.subscribe(new MqttSubscription("pin/topic", 0)).waitForCompletion(5000);
      publish(broker.url(), "again");
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo("again");
      client.disconnect().waitForCompletion(5000);
      client.close();
    }
  }

  @Test
  void paho_qos0BurstOverReceiveMaximum_fallsBackWithPublishFailed() throws Exception {
    // Paho 1.2.5 counts QoS 0 publishes against the broker's Receive Maximum until they are
    // written; the broker announces a Receive Maximum of 1 (Mosquitto: max_inflight_messages). With
    // the broker frozen, the first large publish stays unwritten and the next ones are refused with
    // "Too many publishes in progress" (32202).
    try (TestBroker broker = TestBrokers.builder().receiveMaximum(1).start();
        MqttOffloader o = MqttOffloaderTest.started(MqttOffloaderTest.offloader(broker.url(), "dev-inflight")
            .maxConcurrentOffloads(1000)
            .lateReplyGraceMs(0))) {
      broker.pause();
      Tensor big = Tensor.ofBytes("x", ElementType.UINT8, new byte[256 * 1024]);
      List<CompletableFuture<OffloadResult>> futures = new ArrayList<>();
      OffloadResult refused = null;
      for (int i = 0; i < 200 && refused == null; i++) {
        CompletableFuture<OffloadResult> f = o.offload(OffloadRequest.builder()
            .decisionId("dev-inflight:" + i).model("spam").addInput(big).budgetMs(3000).build());
        futures.add(f);
        OffloadResult now = f.getNow(null);
        if (now != null && now.status() == OffloadStatus.PUBLISH_FAILED) {
          refused = now;
        }
      }
      assertThat(refused).as("a publish refused while the broker is frozen").isNotNull();
      assertThat(refused.message()).contains("Too many publishes in progress").contains("32202");
      broker.resume();
      for (CompletableFuture<OffloadResult> f : futures) {
        // never an exception to the app: every one completes with a status
        assertThat(f.get(10, TimeUnit.SECONDS).status())
            .isIn(OffloadStatus.PUBLISH_FAILED, OffloadStatus.TIMEOUT, OffloadStatus.OFFLINE);
      }
      MqttOffloaderTest.waitFor(() -> o.correlationTableSize() == 0 && o.inFlightCount() == 0);
    }
  }

  private static void publish(String url, String payload) throws MqttException {
    MqttAsyncClient p = new MqttAsyncClient(url, "pin-publisher-" + System.nanoTime(), new MemoryPersistence());
    p.connect(new MqttConnectionOptions()).waitForCompletion(5000);
    p.publish("pin/topic", payload.getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(5000);
    p.disconnect().waitForCompletion(5000);
    p.close();
  }

  /** A callback that ignores what a test does not override. */
  private abstract static class Callback implements MqttCallback {
    @Override
    public void disconnected(MqttDisconnectResponse response) {}

    @Override
    public void mqttErrorOccurred(MqttException exception) {}

    @Override
    public void messageArrived(String topic, MqttMessage message) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
