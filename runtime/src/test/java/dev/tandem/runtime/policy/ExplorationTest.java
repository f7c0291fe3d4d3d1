package dev.tandem.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.signal.Signals;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Over 10,000 decisions in each rule context, the logged propensity must match how often the
 * cloud was actually asked, within 3 sigma, and be 0 wherever a rule forbids offloading.
 */
class ExplorationTest {
  static final int N = 10_000;

  static Stream<Arguments> contexts() {
    UnaryOperator<Policy.Builder> live10 = p -> p.exploration(0.1, ExplorationKind.LIVE);
    UnaryOperator<Policy.Builder> shadow30 = p -> p.exploration(0.3, ExplorationKind.SHADOW);
    UnaryOperator<Policy.Builder> edgeOnly5 = p -> p.mode(Mode.EDGE_ONLY).exploration(0.05, ExplorationKind.SHADOW);
    UnaryOperator<DecisionContext.Builder> plain = c -> c;
    DeviceState.Builder dev = DeviceState.builder().networkType(NetworkType.WIFI).batteryPercent(90).charging(false);
    return Stream.of(
        Arguments.of("live 0.1, confident", live10, plain, false),
        Arguments.of("shadow 0.3, confident", shadow30, plain, false),
        Arguments.of("edge_only, shadow 0.05", edgeOnly5, plain, false),
        Arguments.of("live 0.1, mixed confidence", live10, plain, true),
        Arguments.of("forbidden: metered", live10,
            (UnaryOperator<DecisionContext.Builder>) c -> c.device(dev.metered(true).build()).payloadBytes(5000), false),
        Arguments.of("forbidden: battery", shadow30,
            (UnaryOperator<DecisionContext.Builder>) c -> c.device(DeviceState.builder().batteryPercent(3).charging(false)
                .build()), false),
        Arguments.of("forbidden: offline", shadow30,
            (UnaryOperator<DecisionContext.Builder>) c -> c.offloader(OffloaderState.UNAVAILABLE), true),
        Arguments.of("forbidden: no offloader", live10,
            (UnaryOperator<DecisionContext.Builder>) c -> c.offloader(OffloaderState.NONE), true),
        Arguments.of("forbidden: cost budget", live10,
            (UnaryOperator<DecisionContext.Builder>) c -> c.budgetAvailableUsd(0), true),
        Arguments.of("forbidden: deadline risk, no probe due", shadow30,
            (UnaryOperator<DecisionContext.Builder>) c -> c.roundTrip(RoundTripSnapshot.of(20, 400, 500, 10)), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("contexts")
  void propensity_matchesEmpiricalOffloadFrequency(String name, UnaryOperator<Policy.Builder> policy,
      UnaryOperator<DecisionContext.Builder> ctx, boolean mixedConfidence) {
    Policy p = policy.apply(PolicyDecideTest.basePolicy()).build();
    Random rnd = new Random(name.hashCode());
    double sumP = 0;
    double var = 0;
    int asked = 0;
    boolean forbidden = name.startsWith("forbidden");
    for (int i = 0; i < N; i++) {
      Signals s = mixedConfidence && rnd.nextBoolean() ? PolicyDecideTest.UNSURE : PolicyDecideTest.CONFIDENT;
      DecisionContext c = ctx.apply(PolicyDecideTest.baseContext(s)).draw(rnd.nextDouble()).build();
      RouteDecision d = p.decide(c);
      sumP += d.propensity();
      var += d.propensity() * (1 - d.propensity());
      if (d.route().asksCloud()) {
        asked++;
      }
      if (forbidden) {
        assertThat(d.propensity()).as("propensity where a rule forbids offloading").isZero();
      }
    }
    double sigma = Math.sqrt(var);
    assertThat(Math.abs(asked - sumP)).as("|asked - sum of propensities| for " + name + " (asked " + asked
        + ", expected " + sumP + ")").isLessThanOrEqualTo(Math.max(3 * sigma, 1e-9));
    if (forbidden) {
      assertThat(asked).isZero();
    } else {
      assertThat(asked).isPositive();
    }
  }
}
