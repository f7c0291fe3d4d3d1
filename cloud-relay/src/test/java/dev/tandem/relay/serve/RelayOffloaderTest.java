package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.offload.MqttOffloader;
import dev.tandem.runtime.internal.offload.OffloadRequest;
import dev.tandem.runtime.internal.offload.OffloadResult;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.testsupport.broker.MosquittoBroker;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end with the runtime's own offloader as the device: device -> relay -> device. */
class RelayOffloaderTest {
  @TempDir Path dir;

  RelayConfig config(String id, String url) throws Exception {
    Path model = dir.resolve("tiny.onnx");
    if (!Files.exists(model)) {
      Files.write(model, TinyModels.classifier());
    }
    return RelayConfig.builder().relayId(id).brokerUrl(url).metrics("127.0.0.1", -1)
        .addModel(ModelConfig.builder().name("tiny").file(model).version("1")
            .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1)
            .batchable(true).maxBatch(8).maxDelayMicros(500).build())
        .build();
  }

  static MqttOffloader device(String url, String id) throws Exception {
    MqttOffloader o = MqttOffloader.builder().serverUri(url).deviceId(id).maxConcurrentOffloads(1024).build().start();
    assertThat(o.awaitAvailable(20, TimeUnit.SECONDS)).as("offloader connected").isTrue();
    return o;
  }

  static OffloadRequest request(String decisionId, long budgetMs) {
    return OffloadRequest.builder().decisionId(decisionId).model("tiny")
        .addInput(Tensor.ofFloats("features", new float[] {1, 2, 3, 4}, 1, 4))
        .budgetMs(budgetMs).uplinkEstimateMs(1).build();
  }

  static void assertRoundTrip(String url) throws Exception {
    try (MqttOffloader d = device(url, "dev-e2e")) {
      OffloadResult r = d.offload(request("dev-e2e:1", 5_000)).get(10, TimeUnit.SECONDS);
      assertThat(r.status()).as(r.message()).isEqualTo(OffloadStatus.OK);
      assertThat(r.relayId()).isEqualTo("relay-e2e");
      assertThat(r.modelVersion()).isEqualTo("1");
      assertThat(r.outputs().get(1).toFloatArray()).containsExactly(5f, 6.5f, 6f);
      assertThat(r.roundTripMs()).isPositive();
      assertThat(r.batchSize()).isGreaterThanOrEqualTo(1);
      OffloadResult unknown = d.offload(OffloadRequest.builder().decisionId("dev-e2e:2").model("nope")
          .addInput(Tensor.ofFloats("features", new float[4], 1, 4)).budgetMs(5_000).build()).get(10, TimeUnit.SECONDS);
      assertThat(unknown.status()).isEqualTo(OffloadStatus.UNKNOWN_MODEL);
    }
  }

  @Test
  void offloader_throughRelayOnEmbeddedBroker_getsCloudAnswer() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start(); Relay relay = new Relay(config("relay-e2e", broker.url())).start()) {
      assertRoundTrip(broker.url());
    }
  }

  @Test
  void offloader_throughRelayOnMosquitto_getsCloudAnswer() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.launch(); Relay relay = new Relay(config("relay-e2e", broker.url())).start()) {
      assertRoundTrip(broker.url());
    }
  }

  @Test
  void twoRelays_oneCrashes_everyDecisionAnsweredByTheOtherOrByItsDeadline() throws Exception {
    long budget = 3_000;
    try (TestBroker broker = TestBrokers.start();
        Relay a = new Relay(config("relay-a", broker.url())).start();
        Relay b = new Relay(config("relay-b", broker.url())).start();
        MqttOffloader d = device(broker.url(), "dev-f")) {
      List<CompletableFuture<OffloadResult>> sent = new ArrayList<>();
      List<Long> sentAt = new ArrayList<>();
      List<Long> doneAt = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        if (i == 150) {
          b.crash();
          Thread.sleep(1_000); // let the broker notice; what relay-b held is lost either way
        }
        int k = i;
        sentAt.add(System.nanoTime());
        doneAt.add(0L);
        CompletableFuture<OffloadResult> f = d.offload(request("dev-f:" + i, budget));
        f.thenRun(() -> doneAt.set(k, System.nanoTime()));
        sent.add(f);
        Thread.sleep(2);
      }
      Map<String, Integer> byRelay = new HashMap<>();
      Map<String, Integer> lateByRelay = new HashMap<>();
      int fellBack = 0;
      for (int i = 0; i < sent.size(); i++) {
        OffloadResult r = sent.get(i).get(budget + 5_000, TimeUnit.MILLISECONDS);
        if (r.status() == OffloadStatus.TIMEOUT) {
          fellBack++; // the edge answers this decision, at its deadline
          continue;
        }
        assertThat(r.status()).as(r.message()).isEqualTo(OffloadStatus.OK);
        byRelay.merge(r.relayId(), 1, Integer::sum);
        if (i >= 200) {
          lateByRelay.merge(r.relayId(), 1, Integer::sum);
        }
      }
      for (int i = 0; i < sent.size(); i++) {
        long tookMs = TimeUnit.NANOSECONDS.toMillis(doneAt.get(i) - sentAt.get(i));
        // The offloader's deadline bound: no decision waits past its budget (plus timer slack).
        assertThat(tookMs).as("request %d", i).isLessThanOrEqualTo(budget + 1_000);
      }
      assertThat(byRelay).containsKeys("relay-a", "relay-b");
      assertThat(fellBack).isLessThanOrEqualTo(150);
      assertThat(lateByRelay).containsOnlyKeys("relay-a");
      assertThat(lateByRelay.get("relay-a")).isEqualTo(100);
    }
  }
}
