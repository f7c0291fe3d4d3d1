package dev.tandem.relay.collect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.broker.PublishBlackholeProxy;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectorTest {
  @TempDir Path dir;

  static byte[] gzip(List<String> lines) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      for (String l : lines) {
        gz.write((l + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    return bos.toByteArray();
  }

  static MqttMessage batchMessage(IncomingBatch b) throws IOException {
    MqttMessage m = new MqttMessage(gzip(b.lines()));
    m.setQos(1);
    MqttProperties p = new MqttProperties();
    List<UserProperty> ups = new ArrayList<>();
    ups.add(new UserProperty("batch_id", b.batchId()));
    ups.add(new UserProperty("seq_from", Long.toString(b.seqFrom())));
    ups.add(new UserProperty("seq_to", Long.toString(b.seqTo())));
    ups.add(new UserProperty("evicted", Long.toString(b.evictedTotal())));
    p.setUserProperties(ups);
    m.setProperties(p);
    return m;
  }

  static MqttClient device(String url, String id, BlockingQueue<String> acks) throws MqttException {
    MqttClient c = new MqttClient(url, id, new MemoryPersistence());
    c.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse r) {}

      @Override
      public void mqttErrorOccurred(MqttException e) {}

      @Override
      public void messageArrived(String topic, MqttMessage m) {
        for (UserProperty u : m.getProperties().getUserProperties()) {
          if (u.getKey().equals("batch_id")) {
            acks.add(u.getValue());
          }
        }
      }

      @Override
      public void deliveryComplete(IMqttToken t) {}

      @Override
      public void connectComplete(boolean r, String u) {}

      @Override
      public void authPacketArrived(int c, MqttProperties p) {}
    });
    c.connect(new MqttConnectionOptions());
    c.subscribe(new MqttSubscription[] {new MqttSubscription("tandem/v1/logs-ack/" + id, 1)});
    return c;
  }

  @Test
  void collector_storesBatchDurably_thenAcks_andCountsGapsInMetrics() throws Exception {
    Path storeDir = dir.resolve("store");
    try (TestBroker broker = TestBrokers.start()) {
      LogStore store = LogStore.open(storeDir, Clock.systemUTC(), 1);
      PrometheusRegistry registry = new PrometheusRegistry();
      BlockingQueue<String> acks = new LinkedBlockingQueue<>();
      try (Collector c = new Collector(new Collector.Options().brokerUrl(broker.url())
              .clientId("collector-a"), store, registry)) {
        MqttClient dev = device(broker.url(), "dev-1", acks);
        Thread.sleep(300); // the collector subscribes on its connect callback
        dev.publish("tandem/v1/logs/dev-1", batchMessage(LogStoreTest.batch("dev-1", "b1", 1, 20, 0)));
        assertThat(acks.poll(10, TimeUnit.SECONDS)).isEqualTo("b1");
        // by the time the ack is out, the record file is in place
        assertThat(store.contains("dev-1", 20)).isTrue();
        assertThat(LogStoreTest.files(storeDir, "records")).hasSize(1);

        // a batch with evictions before it, and a malformed one (never acked)
        dev.publish("tandem/v1/logs/dev-1", batchMessage(LogStoreTest.batch("dev-1", "b2", 26, 30, 5)));
        dev.publish("tandem/v1/logs/dev-1", new MqttMessage("not gzip".getBytes(StandardCharsets.UTF_8)));
        assertThat(acks.poll(10, TimeUnit.SECONDS)).isEqualTo("b2");
        assertThat(acks.poll(500, TimeUnit.MILLISECONDS)).isNull();
        DeviceGaps g = store.gaps().get("dev-1");
        assertThat(g.evicted()).isEqualTo(5);
        assertThat(g.lost()).isZero();
        String text = scrape(registry);
        assertThat(text).contains("tandem_collector_sequence_evicted{device=\"dev-1\"} 5.0");
        assertThat(text).contains("tandem_collector_sequence_lost{device=\"dev-1\"} 0.0");
        assertThat(text).contains("tandem_collector_batches_total{outcome=\"invalid\"} 1.0");
        dev.disconnect();
        dev.close();
      }
    }
  }

  @Test
  void brokerStopsDeliveringToTheCollector_stallDetected_reconnects_andBatchesAreStoredAgain() throws Exception {
    Path storeDir = dir.resolve("store-stall");
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        PublishBlackholeProxy proxy = new PublishBlackholeProxy(broker.url())) {
      LogStore store = LogStore.open(storeDir, Clock.systemUTC(), 1);
      PrometheusRegistry registry = new PrometheusRegistry();
      BlockingQueue<String> acks = new LinkedBlockingQueue<>();
      try (Collector c = new Collector(new Collector.Options().brokerUrl(proxy.url()).clientId("collector-stall")
              .probe(250, 3_000), store, registry)) {
        MqttClient dev = device(broker.url(), "dev-s", acks);
        Thread.sleep(300); // the collector subscribes on its connect callback
        dev.publish("tandem/v1/logs/dev-s", batchMessage(LogStoreTest.batch("dev-s", "b1", 1, 10, 0)));
        assertThat(acks.poll(10, TimeUnit.SECONDS)).isEqualTo("b1");

        proxy.blackholeOpenConnections(); // pings still answered: only the probe can tell
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!scrape(registry).contains("tandem_collector_delivery_stalls_total 1.0")) {
          assertThat(System.nanoTime()).as("the stall to be detected").isLessThan(deadline);
          Thread.sleep(50);
        }
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (proxy.accepted() < 2) {
          assertThat(System.nanoTime()).as("a fresh connection").isLessThan(deadline);
          Thread.sleep(50);
        }
        Thread.sleep(500); // the new connection subscribes on its connect callback
        dev.publish("tandem/v1/logs/dev-s", batchMessage(LogStoreTest.batch("dev-s", "b2", 11, 20, 0)));
        assertThat(acks.poll(10, TimeUnit.SECONDS)).isEqualTo("b2");
        assertThat(store.contains("dev-s", 20)).isTrue();
        dev.disconnect();
        dev.close();
      }
    }
  }

  @Test
  void errorInTheBatchHandler_collectorReportsItselfFailedAndNotReady_insteadOfLivingOnHalfDead() throws Exception {
    Path storeDir = dir.resolve("store-error");
    try (TestBroker broker = TestBrokers.start()) {
      LogStore store = org.mockito.Mockito.spy(LogStore.open(storeDir, Clock.systemUTC(), 1));
      org.mockito.Mockito.doThrow(new OutOfMemoryError("injected")).when(store)
          .store(org.mockito.ArgumentMatchers.any());
      BlockingQueue<String> acks = new LinkedBlockingQueue<>();
      try (Collector c = new Collector(new Collector.Options().brokerUrl(broker.url())
              .clientId("collector-error"), store, new PrometheusRegistry())) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.isReady()) {
          assertThat(System.nanoTime()).as("subscribed").isLessThan(deadline);
          Thread.sleep(50);
        }
        assertThat(c.failure()).isEmpty();
        MqttClient dev = device(broker.url(), "dev-e", acks);
        dev.publish("tandem/v1/logs/dev-e", batchMessage(LogStoreTest.batch("dev-e", "b1", 1, 5, 0)));
        while (!c.failure().isPresent()) {
          assertThat(System.nanoTime()).as("the failure reported").isLessThan(deadline);
          Thread.sleep(20);
        }
        assertThat(c.failure().get()).contains("batch handler", "OutOfMemoryError", "injected");
        assertThat(c.isReady()).isFalse();
        assertThat(acks.poll(500, TimeUnit.MILLISECONDS)).isNull(); // nothing was stored
        dev.disconnect();
        dev.close();
      }
    }
  }

  static String scrape(PrometheusRegistry registry) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter(false)
        .write(out, registry.scrape());
    return out.toString("UTF-8");
  }
}
