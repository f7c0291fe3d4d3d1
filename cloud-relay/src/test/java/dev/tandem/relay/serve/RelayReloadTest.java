package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.testing.TestDevice;
import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayReloadTest {
  static final Topics TOPICS = Topics.withPrefix("test/reload");

  @TempDir Path dir;

  @Test
  void reload_newVersion_servedWithoutRestart_andFailedLoadKeepsOldVersion() throws Exception {
    Path v1 = dir.resolve("m-v1.onnx");
    Path v2 = dir.resolve("m-v2.onnx");
    Files.write(v1, TinyModels.classifier());
    Files.write(v2, TinyModels.identity(ElementType.FLOAT32, -1, 4));
    ModelConfig m1 = ModelConfig.builder().name("m").file(v1).version("1")
        .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1).build();
    try (EmbeddedBroker broker = EmbeddedBroker.start()) {
      RelayConfig cfg = RelayConfig.builder().relayId("relay-reload").topicPrefix(TOPICS.prefix())
          .brokerUrl(broker.url()).metrics("127.0.0.1", -1).addModel(m1).build();
      try (Relay relay = new Relay(cfg).start(); TestDevice d = new TestDevice(broker.url(), TOPICS, "dev-r")) {
        List<Tensor> x = Collections.singletonList(Tensor.ofFloats("features", new float[] {1, 2, 3, 4}, 1, 4));
        ReplyFrame r1 = d.request("m", x, 5_000, 1).get(10, TimeUnit.SECONDS);
        assertThat(r1.modelVersion()).isEqualTo("1");
        assertThat(r1.outputs()).hasSize(2);

        // Version 2 is another graph (an identity over input "x"): requests are checked against it.
        List<String> failures = relay.reload(cfg.toBuilder().models(Collections.singletonList(
            m1.toBuilder().file(v2).version("2").build())).build());
        assertThat(failures).isEmpty();
        List<Tensor> y = Collections.singletonList(Tensor.ofFloats("x", new float[] {1, 2, 3, 4}, 1, 4));
        ReplyFrame r2 = d.request("m", y, 5_000, 1).get(10, TimeUnit.SECONDS);
        assertThat(r2.status()).isEqualTo(ReplyStatus.OK);
        assertThat(r2.modelVersion()).isEqualTo("2");
        assertThat(r2.outputs().get(0).toFloatArray()).containsExactly(1, 2, 3, 4);

        // A version whose file does not load leaves version 2 serving.
        List<String> failed = relay.reload(cfg.toBuilder().models(Collections.singletonList(
            m1.toBuilder().file(dir.resolve("missing.onnx")).version("3").build())).build());
        assertThat(failed).singleElement().asString().contains("m", "missing.onnx");
        ReplyFrame r3 = d.request("m", y, 5_000, 1).get(10, TimeUnit.SECONDS);
        assertThat(r3.modelVersion()).isEqualTo("2");
        assertThat(relay.modelVersions()).containsEntry("m", "2");
      }
    }
  }
}
