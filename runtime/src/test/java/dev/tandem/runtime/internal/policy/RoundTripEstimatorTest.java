package dev.tandem.runtime.internal.policy;

import dev.tandem.runtime.policy.CostBudget;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.PolicyDecideTest;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.RoundTripSnapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoundTripEstimatorTest {

  @Test
  void snapshot_reportsEwmaAndNearestRankP95OfWindow() {
    Policy p = PolicyDecideTest.basePolicy().roundTrip(0.5, 10_000, 20, 1, 1000).build();
    RoundTripEstimator e = new RoundTripEstimator(p);
    for (int i = 1; i <= 20; i++) {
      e.attempt(NetworkType.WIFI, i * 100L);
      e.outcome(NetworkType.WIFI, i * 100L, OffloadStatus.OK, i, 100);
    }
    RoundTripSnapshot s = e.snapshot(NetworkType.WIFI, 2500);
    assertThat(s.samples()).isEqualTo(20);
    assertThat(s.p95Ms()).isEqualTo(19.0);
    assertThat(s.sinceLastAttemptMs()).isEqualTo(500);
    assertThat(s.ewmaMs()).isBetween(18.0, 20.0);
    assertThat(e.snapshot(NetworkType.CELL_4G, 2500)).isEqualTo(RoundTripSnapshot.EMPTY);
  }

  @Test
  void outcome_timeoutCountsAsBudget_deviceSideStatusesAreIgnored() {
    Policy p = PolicyDecideTest.basePolicy().roundTrip(1.0, 10_000, 20, 1, 1000).build();
    RoundTripEstimator e = new RoundTripEstimator(p);
    e.outcome(NetworkType.WIFI, 0, OffloadStatus.TIMEOUT, -1, 180);
    e.outcome(NetworkType.WIFI, 1, OffloadStatus.OFFLINE, -1, 180);
    e.outcome(NetworkType.WIFI, 2, OffloadStatus.OFFLOAD_CAP, -1, 180);
    RoundTripSnapshot s = e.snapshot(NetworkType.WIFI, 3);
    assertThat(s.samples()).isEqualTo(1);
    assertThat(s.p95Ms()).isEqualTo(180.0);
    e.outcome(NetworkType.WIFI, 3, OffloadStatus.BUSY, 12, 180); // a relay reply is a real round trip
    assertThat(e.snapshot(NetworkType.WIFI, 4).samples()).isEqualTo(2);
  }

  @Test
  void snapshot_samplesOlderThanWindowDecay() {
    Policy p = PolicyDecideTest.basePolicy().roundTrip(0.2, 1000, 20, 1, 1000).build();
    RoundTripEstimator e = new RoundTripEstimator(p);
    e.outcome(NetworkType.WIFI, 0, OffloadStatus.OK, 500, 200);
    e.outcome(NetworkType.WIFI, 600, OffloadStatus.OK, 50, 200);
    assertThat(e.snapshot(NetworkType.WIFI, 900).samples()).isEqualTo(2);
    assertThat(e.snapshot(NetworkType.WIFI, 1300).samples()).isEqualTo(1);
    assertThat(e.snapshot(NetworkType.WIFI, 1300).p95Ms()).isEqualTo(50.0);
    assertThat(e.snapshot(NetworkType.WIFI, 1700).samples()).isZero();
  }

  /**
   * The network is slow (400 ms round trips against a 200 ms deadline) for 30 s, then fast
   * (50 ms). The deadline-risk rule must stop offloading, keep probing about once per probe
   * interval, and let offloads resume once the probes see fast round trips.
   */
  @Test
  void deadlineRisk_stopsOffloadingThenProbesResumeItWhenRoundTripsRecover() {
    Policy p = PolicyDecideTest.basePolicy().costBudget(0, 0).roundTrip(0.2, 5_000, 32, 5, 1_000).build();
    RoundTripEstimator est = new RoundTripEstimator(p);
    DeviceState wifi = DeviceState.builder().networkType(NetworkType.WIFI).build();
    List<RouteDecision> slow = new ArrayList<>();
    List<RouteDecision> fast = new ArrayList<>();
    long firstBlocked = -1;
    long resumedAt = -1;
    for (long t = 0; t < 60_000; t += 100) {
      double rtt = t < 30_000 ? 400 : 50;
      DecisionContext ctx = PolicyDecideTest.baseContext(PolicyDecideTest.UNSURE).device(wifi).elapsedMs(10)
          .roundTrip(est.snapshot(NetworkType.WIFI, t)).build();
      RouteDecision d = p.decide(ctx);
      if (d.route().asksCloud()) {
        long budget = (long) (p.deadlineMs() - ctx.elapsedMs());
        est.attempt(NetworkType.WIFI, t);
        if (rtt > budget) {
          est.outcome(NetworkType.WIFI, t, OffloadStatus.TIMEOUT, -1, budget);
        } else {
          est.outcome(NetworkType.WIFI, t, OffloadStatus.OK, rtt, budget);
        }
      }
      if (d.reason() == Reason.DEADLINE_RISK && firstBlocked < 0) {
        firstBlocked = t;
      }
      if (t >= 30_000 && d.route() == Route.CLOUD && resumedAt < 0) {
        resumedAt = t;
      }
      (t < 30_000 ? slow : fast).add(d);
    }
    // Blocked after min_samples timeouts.
    assertThat(firstBlocked).isEqualTo(500);
    long probesWhileSlow = slow.stream().filter(d -> d.reason() == Reason.PROBE).count();
    long cloudWhileSlow = slow.stream().filter(d -> d.route() == Route.CLOUD).count();
    // ~29.5 s blocked at one probe per 1 s interval.
    assertThat(probesWhileSlow).isBetween(25L, 31L);
    assertThat(cloudWhileSlow).isEqualTo(5);
    // Fast probe samples push the slow ones out of the 5 s window; then offloading resumes.
    assertThat(resumedAt).isBetween(30_000L, 30_000L + 5_000 + 1_000);
    List<RouteDecision> tail = fast.subList(fast.size() - 100, fast.size());
    assertThat(tail).allSatisfy(d -> assertThat(d.route()).isEqualTo(Route.CLOUD));
  }

  @Test
  void costBudget_refillsAtRateUpToBurst() {
    Policy p = PolicyDecideTest.basePolicy().costBudget(3.6, 0.01).build(); // 0.001 USD per second
    CostBudget b = new CostBudget(p);
    assertThat(b.available(0)).isEqualTo(0.01);
    b.spend(0, 0.008);
    assertThat(b.available(0)).isCloseTo(0.002, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(b.available(3000)).isCloseTo(0.005, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(b.available(100_000)).isEqualTo(0.01);
    assertThat(b.available(50_000)).as("time running backwards refills nothing").isEqualTo(0.01);
  }
}
