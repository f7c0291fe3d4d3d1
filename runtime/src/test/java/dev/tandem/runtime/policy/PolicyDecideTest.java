package dev.tandem.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.runtime.signal.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every rule, mode and precedence of {@link Policy#decide}, one row each. */
public class PolicyDecideTest {

  static final Signals CONFIDENT = Signals.fromProbabilities(new float[] {0.95f, 0.05f});
  public static final Signals UNSURE = Signals.fromProbabilities(new float[] {0.6f, 0.4f});

  /** Cascade on max_prob 0.8, deadline 200 ms, every rule on but none triggered by the base context. */
  public static Policy.Builder basePolicy() {
    return Policy.builder()
        .version(4)
        .mode(Mode.CASCADE)
        .signal(SignalKind.MAX_PROB)
        .threshold(0.8)
        .deadlineMs(200)
        .meteredMaxUploadBytes(1000)
        .battery(20, true)
        .costBudget(1.0, 0.01)
        .roundTrip(0.2, 60_000, 64, 5, 10_000);
  }

  /** Wifi, unmetered, full battery, 500 bytes, offloader up, 10 ms spent, budget ample, fast round trips. */
  public static DecisionContext.Builder baseContext(Signals signals) {
    return DecisionContext.builder()
        .policyVersion(4)
        .signals(signals)
        .device(DeviceState.builder().networkType(NetworkType.WIFI).batteryPercent(90).charging(false).build())
        .payloadBytes(500)
        .offloader(OffloaderState.AVAILABLE)
        .elapsedMs(10)
        .budgetAvailableUsd(0.01)
        .expectedOffloadUsd(0.0001)
        .roundTrip(RoundTripSnapshot.of(10, 40, 60, 100))
        .draw(0.5);
  }

  static DeviceState.Builder dev() {
    return DeviceState.builder().networkType(NetworkType.WIFI).batteryPercent(90).charging(false);
  }

  static final class Row {
    final String name;
    final UnaryOperator<Policy.Builder> policy;
    final Signals signals;
    final UnaryOperator<DecisionContext.Builder> ctx;
    final Route route;
    final Reason reason;
    final double propensity;

    Row(String name, UnaryOperator<Policy.Builder> policy, Signals signals, UnaryOperator<DecisionContext.Builder> ctx,
        Route route, Reason reason, double propensity) {
      this.name = name;
      this.policy = policy;
      this.signals = signals;
      this.ctx = ctx;
      this.route = route;
      this.reason = reason;
      this.propensity = propensity;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> rows() {
    UnaryOperator<Policy.Builder> same = p -> p;
    UnaryOperator<DecisionContext.Builder> none = c -> c;
    List<Row> r = new ArrayList<>();
    // modes and the threshold
    r.add(new Row("cascade, confident -> edge", same, CONFIDENT, none, Route.EDGE, Reason.CONFIDENT, 0));
    r.add(new Row("cascade, unsure -> cloud", same, UNSURE, none, Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("cascade, signal equal to threshold is confident", p -> p.threshold(0.6), UNSURE, none,
        Route.EDGE, Reason.CONFIDENT, 0));
    r.add(new Row("cascade on entropy: low entropy is confident", p -> p.signal(SignalKind.ENTROPY).threshold(0.3),
        CONFIDENT, none, Route.EDGE, Reason.CONFIDENT, 0));
    r.add(new Row("cascade on entropy: high entropy offloads", p -> p.signal(SignalKind.ENTROPY).threshold(0.3),
        UNSURE, none, Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("cascade on margin", p -> p.signal(SignalKind.MARGIN).threshold(0.5), UNSURE, none,
        Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("edge_only", p -> p.mode(Mode.EDGE_ONLY), UNSURE, none, Route.EDGE, Reason.EDGE_ONLY, 0));
    r.add(new Row("cloud_only without signals", p -> p.mode(Mode.CLOUD_ONLY), null, none, Route.CLOUD,
        Reason.CLOUD_ONLY, 1));
    // rules that forbid offloading
    r.add(new Row("no offloader", same, UNSURE, c -> c.offloader(OffloaderState.NONE), Route.EDGE_FALLBACK,
        Reason.NO_OFFLOADER, 0));
    r.add(new Row("network none", same, UNSURE, c -> c.device(dev().networkType(NetworkType.NONE).build()),
        Route.EDGE_FALLBACK, Reason.OFFLINE, 0));
    r.add(new Row("offloader disconnected", same, UNSURE, c -> c.offloader(OffloaderState.UNAVAILABLE),
        Route.EDGE_FALLBACK, Reason.OFFLINE, 0));
    r.add(new Row("cloud_only offline", p -> p.mode(Mode.CLOUD_ONLY), null, c -> c.offloader(OffloaderState.UNAVAILABLE),
        Route.EDGE_FALLBACK, Reason.OFFLINE, 0));
    r.add(new Row("metered, payload above max", same, UNSURE,
        c -> c.device(dev().metered(true).build()).payloadBytes(1001), Route.EDGE, Reason.METERED, 0));
    r.add(new Row("metered, payload at max", same, UNSURE,
        c -> c.device(dev().metered(true).build()).payloadBytes(1000), Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("unmetered, payload above max", same, UNSURE, c -> c.payloadBytes(1_000_000), Route.CLOUD,
        Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("metered, no limit set", p -> p.meteredMaxUploadBytes(-1), UNSURE,
        c -> c.device(dev().metered(true).build()).payloadBytes(1_000_000), Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("battery low", same, UNSURE, c -> c.device(dev().batteryPercent(19).build()), Route.EDGE,
        Reason.BATTERY_LOW, 0));
    r.add(new Row("battery at minimum", same, UNSURE, c -> c.device(dev().batteryPercent(20).build()), Route.CLOUD,
        Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("battery low but charging", same, UNSURE, c -> c.device(dev().batteryPercent(5).charging(true).build()),
        Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("battery low, charging does not count", p -> p.battery(20, false), UNSURE,
        c -> c.device(dev().batteryPercent(5).charging(true).build()), Route.EDGE, Reason.BATTERY_LOW, 0));
    r.add(new Row("battery rule off", p -> p.battery(0, true), UNSURE, c -> c.device(dev().batteryPercent(0).build()),
        Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("deadline spent on the edge", same, UNSURE, c -> c.elapsedMs(200), Route.EDGE, Reason.DEADLINE, 0));
    r.add(new Row("cost budget short", same, UNSURE, c -> c.budgetAvailableUsd(0.00005), Route.EDGE,
        Reason.COST_BUDGET, 0));
    r.add(new Row("cost budget exactly enough", same, UNSURE, c -> c.budgetAvailableUsd(0.0001), Route.CLOUD,
        Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("no cost budget in policy", p -> p.costBudget(0, 0), UNSURE, c -> c.budgetAvailableUsd(-1),
        Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("deadline risk: p95 at remaining budget", same, UNSURE,
        c -> c.roundTrip(RoundTripSnapshot.of(10, 150, 190, 100)), Route.EDGE, Reason.DEADLINE_RISK, 0));
    r.add(new Row("deadline risk: probe due", same, UNSURE,
        c -> c.roundTrip(RoundTripSnapshot.of(10, 150, 190, 10_000)), Route.SHADOW, Reason.PROBE, 1));
    r.add(new Row("deadline risk: never attempted is a probe", same, UNSURE,
        c -> c.roundTrip(RoundTripSnapshot.of(10, 150, 190, -1)), Route.SHADOW, Reason.PROBE, 1));
    r.add(new Row("deadline risk: too few samples", same, UNSURE,
        c -> c.roundTrip(RoundTripSnapshot.of(4, 150, 400, 100)), Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("deadline risk: p95 under remaining", same, UNSURE,
        c -> c.roundTrip(RoundTripSnapshot.of(10, 150, 189, 100)), Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("deadline risk rule off", p -> p.deadlineRisk(false), UNSURE,
        c -> c.roundTrip(RoundTripSnapshot.of(10, 150, 400, 100)), Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    // precedence: each pair has both rules triggered, the first wins
    UnaryOperator<DecisionContext.Builder> allRules = c -> c.offloader(OffloaderState.NONE)
        .device(dev().networkType(NetworkType.NONE).metered(true).batteryPercent(1).build())
        .payloadBytes(5000).elapsedMs(300).budgetAvailableUsd(0).roundTrip(RoundTripSnapshot.of(10, 500, 500, 1));
    r.add(new Row("precedence: no_offloader first", same, UNSURE, allRules, Route.EDGE_FALLBACK, Reason.NO_OFFLOADER, 0));
    r.add(new Row("precedence: offline before metered", same, UNSURE,
        c -> allRules.apply(c).offloader(OffloaderState.AVAILABLE), Route.EDGE_FALLBACK, Reason.OFFLINE, 0));
    r.add(new Row("precedence: metered before battery", same, UNSURE,
        c -> allRules.apply(c).offloader(OffloaderState.AVAILABLE)
            .device(dev().metered(true).batteryPercent(1).build()), Route.EDGE, Reason.METERED, 0));
    r.add(new Row("precedence: battery before deadline", same, UNSURE,
        c -> allRules.apply(c).offloader(OffloaderState.AVAILABLE).device(dev().batteryPercent(1).build()),
        Route.EDGE, Reason.BATTERY_LOW, 0));
    r.add(new Row("precedence: deadline before cost budget", same, UNSURE,
        c -> allRules.apply(c).offloader(OffloaderState.AVAILABLE).device(dev().build()), Route.EDGE,
        Reason.DEADLINE, 0));
    r.add(new Row("precedence: cost budget before deadline risk", same, UNSURE,
        c -> allRules.apply(c).offloader(OffloaderState.AVAILABLE).device(dev().build()).elapsedMs(10),
        Route.EDGE, Reason.COST_BUDGET, 0));
    r.add(new Row("precedence: deadline risk last", same, UNSURE,
        c -> allRules.apply(c).offloader(OffloaderState.AVAILABLE).device(dev().build()).elapsedMs(10)
            .budgetAvailableUsd(1), Route.EDGE, Reason.DEADLINE_RISK, 0));
    // exploration
    UnaryOperator<Policy.Builder> live = p -> p.exploration(0.1, ExplorationKind.LIVE);
    UnaryOperator<Policy.Builder> shadow = p -> p.exploration(0.1, ExplorationKind.SHADOW);
    r.add(new Row("explore live, draw under rate", live, CONFIDENT, c -> c.draw(0.05), Route.CLOUD, Reason.EXPLORE, 0.1));
    r.add(new Row("explore live, draw at rate", live, CONFIDENT, c -> c.draw(0.1), Route.EDGE, Reason.CONFIDENT, 0.1));
    r.add(new Row("explore shadow, draw under rate", shadow, CONFIDENT, c -> c.draw(0.0), Route.SHADOW, Reason.EXPLORE, 0.1));
    r.add(new Row("explore in edge_only mode", p -> shadow.apply(p).mode(Mode.EDGE_ONLY), UNSURE, c -> c.draw(0.01),
        Route.SHADOW, Reason.EXPLORE, 0.1));
    r.add(new Row("explore forbidden when metered", live, CONFIDENT,
        c -> c.draw(0.01).device(dev().metered(true).build()).payloadBytes(5000), Route.EDGE, Reason.CONFIDENT, 0));
    r.add(new Row("explore forbidden without offloader", live, CONFIDENT, c -> c.draw(0.01).offloader(OffloaderState.NONE),
        Route.EDGE, Reason.CONFIDENT, 0));
    r.add(new Row("explore on a blocked network probes", live, CONFIDENT,
        c -> c.draw(0.99).roundTrip(RoundTripSnapshot.of(10, 500, 500, 20_000)), Route.SHADOW, Reason.PROBE, 1));
    r.add(new Row("low confidence never explores", live, UNSURE, c -> c.draw(0.0), Route.CLOUD, Reason.LOW_CONFIDENCE, 1));
    // segments
    UnaryOperator<Policy.Builder> segs = p -> p
        .addSegment(Segment.of(NetworkType.CELL_3G, null, 0.5))
        .addSegment(Segment.of(null, "low", 0.55))
        .addSegment(Segment.of(NetworkType.CELL_3G, "low", 0.65))
        .addSegment(Segment.of(NetworkType.CELL_4G, null, 0.59))
        .addSegment(Segment.of(null, "mid", 0.61));
    r.add(new Row("segment by network lowers threshold", segs, UNSURE,
        c -> c.device(dev().networkType(NetworkType.CELL_3G).build()), Route.EDGE, Reason.CONFIDENT, 0));
    r.add(new Row("segment by device class", segs, UNSURE, c -> c.device(dev().deviceClass("low").build()),
        Route.EDGE, Reason.CONFIDENT, 0));
    r.add(new Row("segment naming both wins over either", segs, UNSURE,
        c -> c.device(dev().networkType(NetworkType.CELL_3G).deviceClass("low").build()), Route.CLOUD,
        Reason.LOW_CONFIDENCE, 1));
    r.add(new Row("equally specific: first listed wins (network 4g before class mid)", segs, UNSURE,
        c -> c.device(dev().networkType(NetworkType.CELL_4G).deviceClass("mid").build()), Route.EDGE,
        Reason.CONFIDENT, 0));
    r.add(new Row("no segment matches: default", segs, UNSURE,
        c -> c.device(dev().networkType(NetworkType.ETHERNET).deviceClass("high").build()), Route.CLOUD,
        Reason.LOW_CONFIDENCE, 1));
    List<Arguments> out = new ArrayList<>();
    for (Row row : r) {
      out.add(Arguments.of(row));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decide_rule(Row row) {
    Policy p = row.policy.apply(basePolicy()).build();
    DecisionContext ctx = row.ctx.apply(baseContext(row.signals)).build();

    RouteDecision d = p.decide(ctx);

    assertThat(d.route()).as("route").isEqualTo(row.route);
    assertThat(d.reason()).as("reason").isEqualTo(row.reason);
    assertThat(d.propensity()).as("propensity").isEqualTo(row.propensity);
    assertThat(d.explored()).as("explored").isEqualTo(row.reason == Reason.EXPLORE);
    // Pure: the same context gives the same decision, through a JSON round trip of the policy too.
    assertThat(Policy.fromJson(p.toJson()).decide(ctx)).isEqualTo(d);
  }

  @Test
  void decide_contextForAnotherPolicyVersion_isRefused() {
    Policy p = basePolicy().build();
    DecisionContext ctx = baseContext(UNSURE).policyVersion(3).build();

    assertThatThrownBy(() -> p.decide(ctx)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("policy version 3").hasMessageContaining("version 4");
  }

  @Test
  void decide_contextForAnotherEdgeModel_isRefused() {
    String hash = "ab".repeat(32);
    Policy p = basePolicy().edgeModelHash(hash).build();
    DecisionContext ctx = baseContext(UNSURE).edgeModelHash("cd".repeat(32)).build();

    assertThatThrownBy(() -> p.decide(ctx)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("edge model");
    assertThat(p.decide(baseContext(UNSURE).edgeModelHash(hash).build()).route()).isEqualTo(Route.CLOUD);
  }

  @Test
  void decide_cascadeWithoutSignals_isRefused() {
    assertThatThrownBy(() -> basePolicy().build().decide(baseContext(null).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signals");
  }

  @Test
  void canary_fractionSelectsStableShareOfDevices() {
    Policy p = basePolicy().canaryFraction(0.25).build();
    int in = 0;
    for (int i = 0; i < 4000; i++) {
      if (p.includesDevice("device-" + i)) {
        in++;
      }
    }
    // Binomial(4000, 0.25): sd ~27; 5 sd either side.
    assertThat(in).isBetween(1000 - 137, 1000 + 137);
    assertThat(p.includesDevice("device-7")).isEqualTo(p.includesDevice("device-7"));
    assertThat(basePolicy().build().includesDevice("anything")).isTrue();
    // A wider canary keeps every device of a narrower one (the bucket is the device's, not the policy's).
    Policy wider = basePolicy().canaryFraction(0.5).build();
    for (int i = 0; i < 500; i++) {
      if (p.includesDevice("device-" + i)) {
        assertThat(wider.includesDevice("device-" + i)).isTrue();
      }
    }
  }
}
