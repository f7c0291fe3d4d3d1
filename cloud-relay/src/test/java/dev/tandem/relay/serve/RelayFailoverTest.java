package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.testing.TestDevice;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.Topics;
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
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two relays on one shared subscription split the load; one crashing loses no decision. */
class RelayFailoverTest {
  static final Topics TOPICS = Topics.withPrefix("test/failover");
  // Generous: a loaded CI machine must not turn slow answers into fallbacks.
  static final long BUDGET_MS = 10_000;

  @TempDir Path dir;

  RelayConfig config(String id, String url) throws Exception {
    Path model = dir.resolve("tiny.onnx");
    if (!Files.exists(model)) {
      Files.write(model, TinyModels.classifier());
    }
    return RelayConfig.builder().relayId(id).topicPrefix(TOPICS.prefix()).brokerUrl(url).metrics("127.0.0.1", -1)
        .addModel(ModelConfig.builder().name("tiny").file(model).version("1")
            .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1).build())
        .build();
  }

  @Test
  void twoRelays_oneCrashesMidStream_everyRequestAnsweredOrFallsBackByItsDeadline() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        Relay a = new Relay(config("relay-a", broker.url())).start();
        Relay b = new Relay(config("relay-b", broker.url())).start();
        TestDevice d = new TestDevice(broker.url(), TOPICS, "dev-1")) {
      List<CompletableFuture<ReplyFrame>> sent = new ArrayList<>();
      List<Long> sentAt = new ArrayList<>();
      List<Tensor> x = Collections.singletonList(Tensor.ofFloats("features", new float[] {1, 2, 3, 4}, 1, 4));
      for (int i = 0; i < 300; i++) {
        if (i == 150) {
          b.crash();
          Thread.sleep(1_000); // let the broker notice; what relay-b held is lost either way
        }
        sentAt.add(System.nanoTime());
        sent.add(d.request("tiny", x, BUDGET_MS, 1));
        Thread.sleep(2);
      }
      Map<String, Integer> byRelay = new HashMap<>();
      Map<String, Integer> afterCrashByRelay = new HashMap<>();
      int fellBack = 0;
      for (int i = 0; i < sent.size(); i++) {
        long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentAt.get(i));
        try {
          // The device's deadline: what has not come by then is answered from the edge.
          ReplyFrame r = sent.get(i).get(Math.max(0, BUDGET_MS - waited), TimeUnit.MILLISECONDS);
          assertThat(r.status()).isEqualTo(ReplyStatus.OK);
          byRelay.merge(r.relayId(), 1, Integer::sum);
          if (i >= 200) {
            afterCrashByRelay.merge(r.relayId(), 1, Integer::sum);
          }
        } catch (TimeoutException e) {
          fellBack++;
        }
      }
      assertThat(byRelay).containsKeys("relay-a", "relay-b");
      // Only requests in flight at relay-b when it crashed may miss; the device answers them
      // from the edge at their deadline, so no decision is lost.
      // Only what relay-b held when it crashed can miss (the device answers those from the edge).
      assertThat(fellBack).isLessThanOrEqualTo(150);
      // Once the broker saw relay-b go, every request is answered, by relay-a.
      assertThat(afterCrashByRelay).containsOnlyKeys("relay-a");
      assertThat(afterCrashByRelay.get("relay-a")).isEqualTo(100);
    }
  }
}
