package dev.tandem.tuner.tune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.tuner.synth.SyntheticFleet;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The recommendation against the generator's truth: over 100 fleets, the threshold picked for
 * {@code --min-accuracy 0.915} from a 20-threshold grid truly has accuracy 0.915 or more (the
 * population value, not a finite sample) in at least 90 % of the replicates that pick one.
 */
class ObjectiveReplicatesTest {
  @Test
  void recommendedPolicy_meetsItsObjectiveInTruth() {
    int reps = 100;
    double target = 0.915;
    int picked = 0;
    int met = 0;
    for (int r = 0; r < reps; r++) {
      SyntheticFleet f = SyntheticFleet.builder().devices(60).decisionsPerDevice(150).seed(5000 + r).threshold(0.8)
          .exploration(0.1, r % 2 == 0 ? ExplorationKind.SHADOW : ExplorationKind.LIVE)
          .labels(0.3, SyntheticFleet.Labelling.RANDOM).build();
      FleetTable t = Replicates.table(f);
      double[] grid = TuneRun.grid(t, Estimator.Filter.ALL, 20, 0.8);
      List<CandidateEstimate> c = new Estimator(t, f.policy(), 10, 1000, r).estimate(grid, -1, Estimator.Filter.ALL);
      Selection s = Selection.choose(c, new Objectives(target, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
      if (s.met()) {
        picked++;
        if (f.truth(s.chosen.threshold).accuracy >= target) {
          met++;
        }
      }
    }
    System.out.printf(Locale.ROOT, "min accuracy %.3f: picked in %d of %d replicates, truly met in %d of those%n",
        target, picked, reps, met);
    assertThat(picked).isGreaterThanOrEqualTo(reps / 2);
    assertThat((double) met / picked).isGreaterThanOrEqualTo(0.9);
  }
}
