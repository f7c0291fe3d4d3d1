package dev.tandem.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MixTest {
  @Test
  void assign_givesEachProfileItsShare() {
    List<String> a = Mix.parse("--network-mix", "wifi=0.5,4g=0.3,3g=0.2").assign(200, new Random(1));
    assertThat(a).hasSize(200);
    assertThat(Collections.frequency(a, "wifi")).isEqualTo(100);
    assertThat(Collections.frequency(a, "4g")).isEqualTo(60);
    assertThat(Collections.frequency(a, "3g")).isEqualTo(40);
  }

  @Test
  void assign_largestRemainderFillsTheFleet() {
    List<String> a = Mix.parse("--device-mix", "a,b,c").assign(5, new Random(1));
    assertThat(a).hasSize(5);
    assertThat(Collections.frequency(a, "a") + Collections.frequency(a, "b") + Collections.frequency(a, "c"))
        .isEqualTo(5);
    assertThat(Collections.frequency(a, "c")).isEqualTo(1);
  }

  @Test
  void assign_sameSeed_sameFleet() {
    Mix m = Mix.parse("--network-mix", "wifi=1,3g=1");
    assertThat(m.assign(50, new Random(7))).isEqualTo(m.assign(50, new Random(7)));
  }

  @Test
  void parse_badWeight_namesTheOption() {
    assertThatThrownBy(() -> Mix.parse("--network-mix", "wifi=x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--network-mix");
    assertThatThrownBy(() -> Mix.parse("--network-mix", "wifi=0"))
        .hasMessageContaining("positive weight");
  }

  @Test
  void profiles_unknownName_listsTheKnownOnes() {
    assertThatThrownBy(() -> NetworkProfile.builtIn("5g")).hasMessageContaining("wifi, 4g, 3g, 4g-flaky");
    assertThatThrownBy(() -> DeviceProfile.builtIn("x")).hasMessageContaining("flagship");
    assertThatThrownBy(() -> new DeviceProfile("turbo", 2.0, 1, "")).hasMessageContaining("speed must be in (0, 1]");
  }
}
