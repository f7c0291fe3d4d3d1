package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.broker.PublishBlackholeProxy;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.internal.offload.MqttOffloader;
import dev.tandem.runtime.internal.offload.OffloadResult;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay's delivery probe against a broker that stops delivering on an open connection. */
class RelayDeliveryProbeTest {
  @TempDir Path dir;

  private RelayConfig config(String url, long intervalMs, long timeoutMs) throws Exception {
    Path model = dir.resolve("tiny.onnx");
    Files.write(model, TinyModels.classifier());
    return RelayConfig.builder().relayId("relay-probe").brokerUrl(url).metrics("127.0.0.1", -1)
        .probe(intervalMs, timeoutMs)
        .addModel(ModelConfig.builder().name("tiny").file(model).version("1")
            .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1).build())
        .build();
  }

  private static void await(BooleanSupplier condition, long timeoutMs, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void brokerStopsDeliveringOnAnOpenConnection_relayDetectsTheStallReconnectsAndServesAgain() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.start();
        PublishBlackholeProxy proxy = new PublishBlackholeProxy(broker.url());
        Relay relay = new Relay(config(proxy.url(), 250, 3_000)).start();
        MqttOffloader device = RelayOffloaderTest.device(broker.url(), "dev-probe")) {
      OffloadResult first = device.offload(RelayOffloaderTest.request("dev-probe:1", 5_000)).get(10, TimeUnit.SECONDS);
      assertThat(first.status()).as(first.message()).isEqualTo(OffloadStatus.OK);
      Thread.sleep(3_500); // more than a probe timeout of a healthy connection
      assertThat(relay.metrics().deliveryStallCount()).as("no stall on a healthy connection").isZero();

      proxy.blackholeOpenConnections(); // pings still answered: only the probe can tell
      await(() -> relay.metrics().deliveryStallCount() == 1, 15_000, "the stall to be detected");
      await(relay::isReady, 15_000, "the relay to be ready again");
      assertThat(proxy.accepted()).as("a fresh connection").isEqualTo(2);

      OffloadResult after = device.offload(RelayOffloaderTest.request("dev-probe:2", 5_000)).get(10, TimeUnit.SECONDS);
      assertThat(after.status()).as(after.message()).isEqualTo(OffloadStatus.OK);
      Thread.sleep(3_500);
      assertThat(relay.metrics().deliveryStallCount()).as("the fresh connection is healthy").isEqualTo(1);
    }
  }

  @Test
  void probeTimeoutShorterThanTwoIntervals_isRefusedNamingTheOption() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> config("tcp://127.0.0.1:1", 1_000, 1_500))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("probe.timeoutMs");
  }
}
