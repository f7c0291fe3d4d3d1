package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.model.ExecutionProvider;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class RelayConfigTest {
  static final Path BASE = Paths.get("/srv/relay");

  @Test
  void parse_fullConfig_readsEveryOption() {
    RelayConfig c = RelayConfig.parse("{"
        + "\"relayId\": \"r1\", \"topicPrefix\": \"acme/v1\","
        + "\"broker\": {\"url\": \"ssl://b:8883\", \"clientId\": \"c1\", \"username\": \"u\", \"password\": \"p\","
        + "  \"tls\": {\"caFile\": \"ca.crt\", \"certFile\": \"r.crt\", \"keyFile\": \"r.key\"}},"
        + "\"models\": [{\"name\": \"m\", \"file\": \"m.onnx\", \"version\": \"7\", \"providers\": [\"tensorrt\", \"CUDA\", \"cpu\"],"
        + "  \"intraOpThreads\": 2, \"batchable\": true, \"maxBatch\": 16, \"maxDelayMicros\": 1500, \"queueCapacity\": 64,"
        + "  \"maxDynamicDim\": 128, \"maxInputBytes\": 4096, \"padValues\": {\"input_ids\": 0, \"attention_mask\": 0}}],"
        + "\"quota\": {\"requestsPerSecond\": 5, \"burst\": 10},"
        + "\"limits\": {\"maxFrameBytes\": 65536},"
        + "\"metrics\": {\"host\": \"0.0.0.0\", \"port\": 9100},"
        + "\"shutdownGraceMs\": 3000}", BASE);
    assertThat(c.relayId()).isEqualTo("r1");
    assertThat(c.topicPrefix()).isEqualTo("acme/v1");
    assertThat(c.brokerUrl()).isEqualTo("ssl://b:8883");
    assertThat(c.clientId()).isEqualTo("c1");
    assertThat(c.username()).contains("u");
    assertThat(c.tlsCaFile()).contains(BASE.resolve("ca.crt"));
    assertThat(c.quotaPerSecond()).isEqualTo(5.0);
    assertThat(c.quotaBurst()).isEqualTo(10);
    assertThat(c.maxFrameBytes()).isEqualTo(65536);
    assertThat(c.metricsPort()).isEqualTo(9100);
    assertThat(c.shutdownGraceMs()).isEqualTo(3000);
    ModelConfig m = c.models().get(0);
    assertThat(m.file()).isEqualTo(BASE.resolve("m.onnx"));
    assertThat(m.providers()).containsExactly(ExecutionProvider.TENSORRT, ExecutionProvider.CUDA, ExecutionProvider.CPU);
    assertThat(m.batchable()).isTrue();
    assertThat(m.maxBatch()).isEqualTo(16);
    assertThat(m.maxDelayMicros()).isEqualTo(1500);
    assertThat(m.queueCapacity()).isEqualTo(64);
    assertThat(m.padValue("input_ids")).isZero();
  }

  @Test
  void parse_minimal_usesDefaults() {
    RelayConfig c = RelayConfig.parse("{\"broker\": {\"url\": \"tcp://h:1883\"},"
        + "\"models\": [{\"name\": \"m\", \"file\": \"m.onnx\", \"version\": \"1\"}]}", BASE);
    assertThat(c.topicPrefix()).isEqualTo("tandem/v1");
    assertThat(c.clientId()).isEqualTo("tandem-relay-" + c.relayId());
    assertThat(c.quotaPerSecond()).isZero();
    ModelConfig m = c.models().get(0);
    assertThat(m.providers()).containsExactly(ExecutionProvider.CUDA, ExecutionProvider.CPU);
    assertThat(m.batchable()).isFalse();
    assertThat(m.maxBatch()).isEqualTo(1);
  }

  @Test
  void parse_unknownOption_namesIt() {
    assertThatThrownBy(() -> RelayConfig.parse("{\"broker\": {\"url\": \"tcp://h:1\"}, \"models\": ["
        + "{\"name\": \"m\", \"file\": \"m.onnx\", \"version\": \"1\", \"maxbatch\": 4}]}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("models[0].maxbatch is not a known field");
  }

  @Test
  void parse_invalidValues_nameTheOption() {
    assertThatThrownBy(() -> RelayConfig.parse("{\"models\": [{\"name\": \"m\", \"file\": \"f\", \"version\": \"1\"}]}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("broker.url is required");
    assertThatThrownBy(() -> RelayConfig.parse("{\"broker\": {\"url\": \"tcp://h:1\"}, \"models\": ["
        + "{\"name\": \"m\", \"file\": \"f\", \"version\": \"1\", \"maxBatch\": 0}]}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("models[0].maxBatch must be between 1");
    assertThatThrownBy(() -> RelayConfig.parse("{\"broker\": {\"url\": \"tcp://h:1\"}, \"models\": ["
        + "{\"name\": \"m\", \"file\": \"f\", \"version\": \"1\", \"providers\": [\"gpu\"]}]}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("models[0].providers[0] is not a provider: 'gpu'");
    assertThatThrownBy(() -> RelayConfig.parse("{\"broker\": {\"url\": \"tcp://h:1\"}, \"models\": ["
        + "{\"name\": \"m\", \"file\": \"f\", \"version\": \"1\"}, {\"name\": \"m\", \"file\": \"g\", \"version\": \"1\"}]}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("model 'm' is listed twice");
    assertThatThrownBy(() -> RelayConfig.parse("{\"broker\": {\"url\": \"tcp://h:1\"}, \"models\": ["
        + "{\"name\": \"a/b\", \"file\": \"f\", \"version\": \"1\"}]}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("models[0]: name 'a/b'");
    assertThatThrownBy(() -> RelayConfig.parse("{\"broker\": {\"url\": \"tcp://h:1\"}, \"models\": []}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("models must list at least one model");
    assertThatThrownBy(() -> RelayConfig.parse("{not json", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("not valid JSON");
  }
}
