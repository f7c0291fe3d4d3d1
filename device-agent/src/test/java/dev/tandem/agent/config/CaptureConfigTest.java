package dev.tandem.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CaptureConfigTest {
  static final Path BASE = Paths.get("/etc/tandem");
  static final String MINIMAL = "{\"device_id\":\"d\",\"fleet\":\"f\","
      + "\"model\":{\"name\":\"m\",\"path\":\"m.onnx\"},\"policy\":{\"file\":\"p.json\",\"subscribe\":false},"
      + "\"upload\":{\"enabled\":false},\"spool\":{\"dir\":\"spool\"}";

  @Test
  void captureIsOffUnlessTheDeviceConfigEnablesIt() {
    assertThat(AgentConfig.parse(MINIMAL + "}", BASE).capture().enabled()).isFalse();
  }

  @Test
  void anEnabledCaptureKeepsItsSelectionRetentionAndDirectory() {
    AgentConfig c = AgentConfig.parse(MINIMAL + ",\"capture\":{\"enabled\":true,\"offloaded\":true,"
        + "\"below_confidence\":0.6,\"retention_days\":3}}", BASE);
    assertThat(c.capture().enabled()).isTrue();
    assertThat(c.capture().retention()).isEqualTo(Duration.ofDays(3));
    assertThat(c.capture().directory()).isEqualTo(Paths.get("/etc/tandem/spool/captures"));
    assertThat(c.capture().toString()).contains("offloaded=true").contains("belowConfidence=0.6");
  }

  @Test
  void badCaptureSettingsNameTheField() {
    assertThatThrownBy(() -> AgentConfig.parse(MINIMAL + ",\"capture\":{\"enabled\":true}}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("capture").hasMessageContaining("selects no");
    assertThatThrownBy(() -> AgentConfig.parse(MINIMAL + ",\"capture\":{\"enabled\":true,\"offloaded\":true,"
        + "\"retention_days\":0}}", BASE)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("capture.retention_days");
    assertThatThrownBy(() -> AgentConfig.parse(MINIMAL + ",\"capture\":{\"enabled\":true,\"inputs\":true}}", BASE))
        .isInstanceOf(ConfigException.class).hasMessageContaining("capture.inputs");
  }
}
