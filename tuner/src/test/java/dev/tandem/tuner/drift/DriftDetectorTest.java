package dev.tandem.tuner.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.tuner.observe.DecisionRow;
import dev.tandem.tuner.observe.SimulatedFleet;
import java.time.LocalDate;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The detector over seeded simulated fleets: 100 devices, 50 decisions each a day, shadow
 * exploration 20 %, labels on half; baseline days 1-7, window day 8.
 */
class DriftDetectorTest {
  static final int DAYS = 8;

  static SimulatedFleet fleet(long seed) {
    return new SimulatedFleet().seed(seed).devices(100).days(DAYS).perDeviceDay(50).rowsOnly()
        .policyOfDay(d -> SimulatedFleet.defaultPolicy(1, 0.8, 0.2));
  }

  static DriftResult run(SimulatedFleet f) {
    List<DecisionRow> rows = f.generate().rows();
    LocalDate last = f.start().plusDays(DAYS - 1);
    List<DecisionRow> baseline = rows.stream().filter(r -> r.date().isBefore(last)).toList();
    List<DecisionRow> window = rows.stream().filter(r -> r.date().equals(last)).toList();
    return DriftDetector.detect(baseline, window, DriftOptions.defaults());
  }

  static Predicate<Finding> alarmOn(Metric m, String dimension, String value) {
    return f -> f.alarm() && f.metric() == m && f.segment().dimension().equals(dimension)
        && f.segment().value().equals(value);
  }

  @Test
  void cleanFleetsRaiseAnAlarmInAtMostSixOf200Runs() {
    int alarming = 0;
    int tests = 0;
    for (int seed = 1; seed <= 200; seed++) {
      DriftResult r = run(fleet(1000 + seed));
      tests = r.findings().size();
      if (!r.alarms().isEmpty()) {
        alarming++;
        System.out.println("clean run " + seed + ": " + r.alarms().get(0).message());
      }
    }
    System.out.println("clean fleets: " + alarming + " of 200 runs raised an alarm (" + tests + " tests a run)");
    assertThat(tests).isGreaterThan(50);
    assertThat(alarming).isLessThanOrEqualTo(6);
  }

  @Test
  void anAgreementDropOnOneDayInOneSegmentIsFlaggedThere() {
    int flagged = 0;
    for (int seed = 1; seed <= 100; seed++) {
      // The edge's accuracy on wifi drops 20 points on the window's day, its confidence unchanged.
      DriftResult r = run(fleet(2000 + seed).fault(new SimulatedFleet.Fault(DAYS - 1, "wifi", null, 0.20, 0)));
      var hit = r.findings().stream().filter(alarmOn(Metric.AGREEMENT_EXPLORED, "network", "wifi")).findFirst();
      if (hit.isPresent()) {
        flagged++;
        if (flagged == 1) {
          System.out.println("example: " + hit.get().message());
        }
      }
    }
    System.out.println("agreement drop of 20 points on wifi: flagged in " + flagged + " of 100 runs");
    assertThat(flagged).isGreaterThanOrEqualTo(95);
  }

  @Test
  void aConfidenceShiftIsDetectedAndLowersTheEstimatedAccuracy() {
    int shift = 0;
    int estimate = 0;
    for (int seed = 1; seed <= 10; seed++) {
      DriftResult r = run(fleet(3000 + seed).fault(new SimulatedFleet.Fault(DAYS - 1, null, "low", 0, 0.08)));
      shift += r.findings().stream().anyMatch(alarmOn(Metric.MAX_PROB_SHIFT, "device_class", "low")) ? 1 : 0;
      estimate += r.findings().stream().anyMatch(alarmOn(Metric.ESTIMATED_ACCURACY, "device_class", "low")) ? 1 : 0;
    }
    System.out.println("confidence shift of 0.08 on low-end devices: max_prob alarm in " + shift
        + " of 10, estimated-accuracy alarm in " + estimate + " of 10");
    assertThat(shift).isGreaterThanOrEqualTo(9);
    assertThat(estimate).isGreaterThanOrEqualTo(9);
  }

  @Test
  void aPublishInsideTheBaselineRaisesNoAlarm() {
    for (int seed = 1; seed <= 5; seed++) {
      // v1 offloads below 0.7 for four days, then v2 below 0.85: offload and cost go up on purpose.
      SimulatedFleet f = fleet(4000 + seed).policyOfDay(d -> d < 4 ? SimulatedFleet.defaultPolicy(1, 0.7, 0.2)
          : SimulatedFleet.defaultPolicy(2, 0.85, 0.2));
      DriftResult r = run(f);
      assertThat(r.alarms()).as("seed " + seed).isEmpty();
      assertThat(r.findings()).anyMatch(x -> x.metric() == Metric.OFFLOAD_RATE && x.policyVersion() == 2);
      assertThat(r.findings()).noneMatch(x -> x.policyVersion() == 1);
    }
  }

  @Test
  void mixingPolicyVersionsWouldHaveAlarmed() {
    SimulatedFleet f = fleet(4001).policyOfDay(d -> d < 4 ? SimulatedFleet.defaultPolicy(1, 0.7, 0.2)
        : SimulatedFleet.defaultPolicy(2, 0.85, 0.2));
    List<DecisionRow> rows = f.generate().rows().stream().map(DriftDetectorTest::asVersion0).toList();
    LocalDate last = f.start().plusDays(DAYS - 1);
    DriftResult r = DriftDetector.detect(rows.stream().filter(x -> x.date().isBefore(last)).toList(),
        rows.stream().filter(x -> x.date().equals(last)).toList(), DriftOptions.defaults());
    assertThat(r.alarms()).anyMatch(x -> x.metric() == Metric.OFFLOAD_RATE);
  }

  @Test
  void aPublishInsideTheWindowIsComparedOnlyOnceItsVersionHasABaseline() {
    SimulatedFleet f = fleet(5001).policyOfDay(d -> d < DAYS - 1 ? SimulatedFleet.defaultPolicy(1, 0.8, 0.2)
        : SimulatedFleet.defaultPolicy(2, 0.9, 0.2));
    DriftResult r = run(f);
    assertThat(r.alarms()).isEmpty();
    assertThat(r.findings()).noneMatch(x -> x.metric().policyDependent());
    assertThat(r.findings()).anyMatch(x -> x.metric() == Metric.MAX_PROB_SHIFT);
    assertThat(r.notes()).anyMatch(n -> n.contains("policy v2 has 0 baseline decisions"));
  }

  static DecisionRow asVersion0(DecisionRow r) {
    return new DecisionRow(r.device(), r.seq(), r.date(), r.timeMs(), 0, r.edgeModelHash(), r.network(),
        r.deviceClass(), r.route(), r.decidedRoute(), r.reason(), r.explored(), r.propensity(), r.maxProb(),
        r.margin(), r.entropy(), r.edgePrediction(), r.cloudPrediction(), r.cloudStatus(), r.label(), r.edgeUsd(),
        r.offloadUsd(), r.latencyMs(), r.edgeLatencyMs(), r.cloudRoundTripMs());
  }
}
