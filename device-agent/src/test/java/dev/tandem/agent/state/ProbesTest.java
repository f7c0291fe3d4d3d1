package dev.tandem.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProbesTest {
  @TempDir Path dir;

  static void write(Path p, String s) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, (s + "\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void battery_readsCapacityAndStatusFromSysfsLayout() throws IOException {
    write(dir.resolve("BAT0/type"), "Battery");
    write(dir.resolve("BAT0/capacity"), "37");
    write(dir.resolve("BAT0/status"), "Discharging");
    write(dir.resolve("AC/type"), "Mains");
    write(dir.resolve("AC/online"), "0");
    BatteryProbe.Reading r = new BatteryProbe(dir).read().get();
    assertThat(r.percent).isEqualTo(37);
    assertThat(r.charging).isFalse();
    write(dir.resolve("AC/online"), "1");
    assertThat(new BatteryProbe(dir).read().get().charging).isTrue();
  }

  @Test
  void battery_absent_readsEmpty() throws IOException {
    write(dir.resolve("AC/type"), "Mains");
    assertThat(new BatteryProbe(dir).read()).isEmpty();
    assertThat(new BatteryProbe(dir.resolve("nope")).read()).isEmpty();
  }

  @Test
  void network_prefersEthernetThenWifiThenCellular() throws IOException {
    write(dir.resolve("lo/operstate"), "unknown");
    assertThat(new NetworkProbe(dir).read().networkType).isEqualTo("none");
    write(dir.resolve("wwan0/operstate"), "up");
    NetworkProbe.Reading cell = new NetworkProbe(dir).read();
    assertThat(cell.networkType).isEqualTo("4g");
    assertThat(cell.metered).isTrue();
    write(dir.resolve("wlan0/operstate"), "up");
    Files.createDirectories(dir.resolve("wlan0/wireless"));
    assertThat(new NetworkProbe(dir).read().networkType).isEqualTo("wifi");
    write(dir.resolve("eth0/operstate"), "down");
    assertThat(new NetworkProbe(dir).read().networkType).isEqualTo("wifi");
    write(dir.resolve("eth0/operstate"), "up");
    assertThat(new NetworkProbe(dir).read().networkType).isEqualTo("ethernet");
  }
}
