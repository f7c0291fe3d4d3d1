package dev.tandem.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class AgentConfigTest {
  static final Path BASE = Paths.get("/etc/tandem");

  static final String FULL = "{"
      + "\"device_id\": \"board-7\", \"fleet\": \"shop-floor\", \"device_class\": \"pi4\","
      + "\"model\": {\"name\": \"minilm\", \"path\": \"models/edge.onnx\", \"providers\": [\"XNNPACK\", \"CPU\"]},"
      + "\"preprocessing\": {\"kind\": \"text\", \"tokenizer\": \"models/tokenizer.json\", \"max_length\": 128},"
      + "\"policy\": {\"file\": \"policy.json\"},"
      + "\"broker\": {\"url\": \"ssl://broker:8883\", \"ca_file\": \"ca.pem\", \"cert_file\": \"c.pem\", \"key_file\": \"k.pem\"},"
      + "\"offload\": {\"enabled\": true, \"cloud_model\": \"bge-small\"},"
      + "\"prices\": {\"device_power_watts\": 3.5},"
      + "\"spool\": {\"dir\": \"/var/lib/tandem/spool\", \"disk_budget_bytes\": 1048576, \"fsync\": \"interval\"},"
      + "\"upload\": {\"ack_timeout_ms\": 5000},"
      + "\"input\": {\"http_port\": 8787},"
      + "\"output\": {\"file\": \"/var/log/tandem/out.jsonl\"},"
      + "\"device_state\": {\"network_type\": \"4g\", \"metered\": true}"
      + "}";

  @Test
  void parse_fullConfig_resolvesPathsAndDefaults() {
    AgentConfig c = AgentConfig.parse(FULL, BASE);
    assertThat(c.deviceId()).isEqualTo("board-7");
    assertThat(c.model().path()).isEqualTo(Paths.get("/etc/tandem/models/edge.onnx"));
    assertThat(c.model().providers()).containsExactly("XNNPACK", "CPU");
    assertThat(c.model().intraOpThreads()).isEqualTo(1);
    assertThat(c.preprocessing()).isEqualTo(AgentConfig.Preprocessing.TEXT);
    assertThat(c.text().get().maxLength()).isEqualTo(128);
    assertThat(c.policy().subscribe()).isTrue();
    assertThat(c.broker().get().topicPrefix()).isEqualTo("tandem/v1");
    assertThat(c.offload().cloudModel()).isEqualTo("bge-small");
    assertThat(c.spool().fsync()).isEqualTo(AgentConfig.Spool.Fsync.INTERVAL);
    assertThat(c.upload().ackTimeoutMs()).isEqualTo(5000);
    assertThat(c.upload().maxBatchRecords()).isEqualTo(500);
    assertThat(c.input().httpPort()).isEqualTo(8787);
    assertThat(c.input().stdin()).isFalse();
    assertThat(c.outputFile()).contains(Paths.get("/var/log/tandem/out.jsonl"));
    assertThat(c.deviceState().networkType()).contains("4g");
    assertThat(c.pricesJson()).contains("device_power_watts");
  }

  @Test
  void parse_minimalConfig_readsStdinAndWritesStdout() {
    AgentConfig c = AgentConfig.parse("{\"device_id\":\"d\",\"fleet\":\"f\","
        + "\"model\":{\"name\":\"m\",\"path\":\"m.onnx\"},\"policy\":{\"file\":\"p.json\",\"subscribe\":false},"
        + "\"upload\":{\"enabled\":false},\"spool\":{\"dir\":\"spool\"}}", BASE);
    assertThat(c.input().stdin()).isTrue();
    assertThat(c.outputFile()).isEmpty();
    assertThat(c.broker()).isEmpty();
    assertThat(c.preprocessing()).isEqualTo(AgentConfig.Preprocessing.TENSOR);
    assertThat(c.spool().dir()).isEqualTo(Paths.get("/etc/tandem/spool"));
  }

  @Test
  void parse_badFields_failWithTheFieldNamed() {
    assertThatThrownBy(() -> AgentConfig.parse(FULL.replace("\"fsync\": \"interval\"", "\"fsync\": \"sometimes\""), BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("spool.fsync")
        .hasMessageContaining("sometimes");
    assertThatThrownBy(() -> AgentConfig.parse(FULL.replace("\"disk_budget_bytes\": 1048576", "\"disk_budget_bytes\": 5"), BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("spool.disk_budget_bytes");
    assertThatThrownBy(() -> AgentConfig.parse(FULL.replace("\"max_length\": 128", "\"max_lenght\": 128"), BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("preprocessing.max_lenght")
        .hasMessageContaining("is not a known field");
    assertThatThrownBy(() -> AgentConfig.parse(FULL.replace("board-7", "board/7"), BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("device_id");
    assertThatThrownBy(() -> AgentConfig.parse(FULL.replace("ssl://broker:8883", "http://x"), BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("broker.url");
    assertThatThrownBy(() -> AgentConfig.parse("{\"device_id\":\"d\",\"fleet\":\"f\","
        + "\"model\":{\"name\":\"m\",\"path\":\"m.onnx\"},\"spool\":{\"dir\":\"s\"}}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("policy.subscribe");
    assertThatThrownBy(() -> AgentConfig.parse("[]", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("JSON object");
  }
}
