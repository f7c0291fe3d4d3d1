package dev.tandem.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.agent.config.AgentConfig;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbedDeviceStateTest {
  @TempDir Path dir;

  static AgentConfig.DeviceStateConfig config(Path dir, String deviceState) {
    return AgentConfig.parse("{\"device_id\":\"d\",\"fleet\":\"f\",\"model\":{\"name\":\"m\",\"path\":\"m.onnx\"},"
        + "\"policy\":{\"file\":\"p.json\",\"subscribe\":false},\"upload\":{\"enabled\":false},"
        + "\"spool\":{\"dir\":\"s\"},\"device_state\":" + deviceState + "}", dir).deviceState();
  }

  @Test
  void state_probesBatteryAndNetwork_andTheOverrideFileWins() throws Exception {
    ProbesTest.write(dir.resolve("power/BAT0/type"), "Battery");
    ProbesTest.write(dir.resolve("power/BAT0/capacity"), "42");
    ProbesTest.write(dir.resolve("power/BAT0/status"), "Discharging");
    ProbesTest.write(dir.resolve("net/wwan0/operstate"), "up");
    ProbedDeviceState p = new ProbedDeviceState(config(dir,
        "{\"power_supply_dir\":\"power\",\"net_dir\":\"net\",\"override_file\":\"override.json\"}"), "pi4", 0);
    DeviceState s = p.current();
    assertThat(s.networkType()).isEqualTo(NetworkType.CELL_4G);
    assertThat(s.metered()).isTrue();
    assertThat(s.batteryPercent()).isEqualTo(42);
    assertThat(s.charging()).isFalse();
    assertThat(s.deviceClass()).isEqualTo("pi4");

    Files.write(dir.resolve("override.json"), "{\"network_type\":\"none\",\"battery_percent\":5}"
        .getBytes(StandardCharsets.UTF_8));
    DeviceState off = p.current();
    assertThat(off.networkType()).isEqualTo(NetworkType.NONE);
    assertThat(off.batteryPercent()).isEqualTo(5);
    Files.delete(dir.resolve("override.json"));
    assertThat(p.current().networkType()).isEqualTo(NetworkType.CELL_4G);
  }

  @Test
  void state_configuredNetworkType_isUsedAsIs() {
    ProbedDeviceState p = new ProbedDeviceState(config(dir,
        "{\"network_type\":\"ethernet\",\"power_supply_dir\":\"nothing\"}"), "default", 1000);
    assertThat(p.current().networkType()).isEqualTo(NetworkType.ETHERNET);
    assertThat(p.current().batteryPercent()).isEqualTo(100);
    assertThat(p.current().charging()).isTrue();
  }
}
