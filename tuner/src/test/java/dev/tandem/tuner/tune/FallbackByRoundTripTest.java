package dev.tandem.tuner.tune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.tuner.synth.SyntheticFleet;
import java.util.Locale;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Fallbacks predicted by network type and round-trip state (docs/tuning.md, "Fallback rate").
 * In these fleets a request times out with 30 % on a slow network (recent p95 at 70 % of the time
 * left) and 2 % on a fast one (20 %), whatever the network type, and the network is slow for 80 %
 * of inputs below confidence 0.7 and 10 % of the others. The logging policy (threshold 0.8,
 * shadow exploration) sends live requests for the less confident inputs, mostly on slow networks;
 * the stricter candidate 0.9 adds requests for inputs in [0.8, 0.9), mostly on fast ones. Each
 * replicate: 80 devices x 150 decisions, 1,000 bootstrap resamples.
 */
class FallbackByRoundTripTest {
  static final int REPLICATES = 200;
  static final double STRICTER = 0.9;

  static SyntheticFleet fleet(int r) {
    return SyntheticFleet.builder().devices(80).decisionsPerDevice(150).seed(5000 + r).threshold(0.8)
        .exploration(0.1, ExplorationKind.SHADOW).labels(0.3, SyntheticFleet.Labelling.RANDOM)
        .fallbackByRoundTrip(true).build();
  }

  static CandidateEstimate estimate(SyntheticFleet f, long seed, boolean byState) {
    FleetTable t = Replicates.table(f);
    Estimator e = new Estimator(t, f.policy(), 10, 1000, seed);
    if (!byState) {
      e.minLivePerState = Integer.MAX_VALUE;
    }
    return e.estimate(new double[] {0.8, STRICTER}, 0, Estimator.Filter.ALL).get(1);
  }

  @Test
  void fallbackRate_tracksTheRoundTripState_whereNetworkTypeAloneIsBiased() {
    double[] err = new double[REPLICATES];
    double[] errNetworkOnly = new double[REPLICATES];
    boolean[] covered = new boolean[REPLICATES];
    double[] accErr = new double[REPLICATES];
    IntStream.range(0, REPLICATES).parallel().forEach(r -> {
      SyntheticFleet f = fleet(r);
      SyntheticFleet.Truth truth = f.truth(STRICTER);
      CandidateEstimate c = estimate(f, r, true);
      err[r] = c.fallback.point - truth.fallback;
      covered[r] = c.fallback.covers(truth.fallback);
      accErr[r] = c.accuracy.point - truth.accuracy;
      errNetworkOnly[r] = estimate(f, r, false).fallback.point - truth.fallback;
    });
    int n = 0;
    for (boolean b : covered) {
      n += b ? 1 : 0;
    }
    double coverage = (double) n / REPLICATES;
    double[] bias = Replicates.meanAndSe(err);
    double[] biasNet = Replicates.meanAndSe(errNetworkOnly);
    double[] biasAcc = Replicates.meanAndSe(accErr);
    SyntheticFleet.Truth truth = fleet(0).truth(STRICTER);
    System.out.printf(Locale.ROOT, "fallback rate of threshold %.1f: population %.4f; by network type and round-trip"
        + " state: coverage %.1f %% of %d, mean bias %.5f (MC s.e. %.5f); by network type only: mean bias %.5f"
        + " (MC s.e. %.5f); accuracy mean bias %.5f (MC s.e. %.5f)%n", STRICTER, truth.fallback, 100 * coverage,
        REPLICATES, bias[0], bias[1], biasNet[0], biasNet[1], biasAcc[0], biasAcc[1]);
    assertThat(Math.abs(bias[0])).as("bias within 2 MC s.e.").isLessThanOrEqualTo(2 * bias[1]);
    assertThat(Math.abs(bias[0])).as("bias under 0.3 points").isLessThan(0.003);
    assertThat(coverage).as("coverage").isGreaterThanOrEqualTo(0.90);
    assertThat(biasNet[0]).as("network type only overestimates: the new requests are mostly on fast networks")
        .isGreaterThan(10 * biasNet[1]).isGreaterThan(0.01);
    assertThat(Math.abs(biasAcc[0])).as("accuracy bias within 2 MC s.e.").isLessThanOrEqualTo(2 * biasAcc[1]);
  }

  @Test
  void aRoundTripStateWithFewLiveRequests_usesItsNetworkTypesRate() {
    // 6 devices x 40 decisions: no (network type, state) cell reaches 50 live requests
    SyntheticFleet small = SyntheticFleet.builder().devices(6).decisionsPerDevice(40).seed(3).threshold(0.8)
        .exploration(0.1, ExplorationKind.SHADOW).fallbackByRoundTrip(true).build();
    assertThat(estimate(small, 1, true).fallback.point).isEqualTo(estimate(small, 1, false).fallback.point);
    // 80 devices x 150: the cells are full, and the two predictions differ
    SyntheticFleet f = fleet(0);
    assertThat(estimate(f, 1, true).fallback.point).isLessThan(estimate(f, 1, false).fallback.point);
  }

  @Test
  void roundTripState_bucketsTheRecentP95AgainstTheTimeLeft() {
    SyntheticFleet f = fleet(0);
    FleetTable t = Replicates.table(f);
    int[] count = new int[FleetTable.RT_NAMES.length];
    for (int i = 0; i < t.rows; i++) {
      count[t.rtState[i]]++;
    }
    assertThat(count[FleetTable.RT_NO_SAMPLES]).isZero();
    assertThat(count[1]).as("fast: p95 at 20 %% of the time left").isPositive();
    assertThat(count[2]).as("slow: p95 at 70 %% of the time left").isPositive();
    assertThat(count[3]).isZero();
    FleetTable plain = Replicates.table(SyntheticFleet.builder().devices(3).decisionsPerDevice(20).build());
    for (int i = 0; i < plain.rows; i++) {
      assertThat(plain.rtState[i]).as("no samples recorded").isEqualTo(FleetTable.RT_NO_SAMPLES);
    }
  }
}
