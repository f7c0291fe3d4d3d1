package dev.tandem.tuner.tune;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Fixed-sequence certification on hand-made candidate estimates. */
class SelectionTest {
  private static Estimate est(double point, double sd) {
    return new Estimate(point, point - 1.96 * sd, point + 1.96 * sd, sd, true);
  }

  /** A candidate whose offload and cost grow with its threshold. */
  private static CandidateEstimate candidate(double threshold, Estimate accuracy) {
    return candidate(threshold, false, accuracy);
  }

  private static CandidateEstimate candidate(double threshold, boolean current, Estimate accuracy) {
    return new CandidateEstimate(threshold, current, accuracy, false, est(threshold / 2, 0.001), est(0, 0),
        est(threshold, 0.001), est(20, 1), est(100, 5), Map.of(), 0, Double.NaN, Double.NaN, List.of());
  }

  private static Objectives minAccuracy(double v) {
    return new Objectives(v, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
  }

  @Test
  void singleObjective_usesTheUndividedOneSidedZ() {
    Selection s = Selection.choose(List.of(candidate(0.5, est(0.99, 0.001))), minAccuracy(0.9));
    assertThat(s.z).isCloseTo(1.645, org.assertj.core.data.Offset.offset(0.001));
    assertThat(s.explanation).contains("fixed-sequence walks");
  }

  @Test
  void sequence_fromMostOffload_stopsAtTheFirstCandidateThatMisses() {
    List<CandidateEstimate> c = new ArrayList<>();
    c.add(candidate(0.2, est(0.96, 0.001))); // would pass, but comes after a miss
    c.add(candidate(0.4, est(0.90, 0.001))); // misses: the walk stops here
    c.add(candidate(0.6, est(0.95, 0.001)));
    c.add(candidate(0.8, est(0.97, 0.001)));
    Selection s = Selection.choose(c, minAccuracy(0.94));
    assertThat(s.met()).isTrue();
    assertThat(s.chosen.threshold).isEqualTo(0.6); // the cheapest certified
  }

  @Test
  void unsupportedCandidates_arePassedOver_notCertified() {
    List<CandidateEstimate> c = new ArrayList<>();
    c.add(candidate(0.5, est(0.95, 0.001)));
    c.add(candidate(0.9, Estimate.UNSUPPORTED));
    Selection s = Selection.choose(c, minAccuracy(0.94));
    assertThat(s.chosen.threshold).isEqualTo(0.5);
  }

  @Test
  void aBoundJustShortOfTheObjective_isNotCertified() {
    // 0.95 - 1.645 * 0.01 = 0.9336 < 0.94
    Selection s = Selection.choose(List.of(candidate(0.5, est(0.95, 0.01))), minAccuracy(0.94));
    assertThat(s.met()).isFalse();
    assertThat(s.unmet).containsExactly("--min-accuracy 0.940000");
    assertThat(s.nearest.threshold).isEqualTo(0.5);
  }

  @Test
  void twoObjectives_splitTheErrorAndEachWalksItsOwnOrder() {
    List<CandidateEstimate> c = new ArrayList<>();
    c.add(candidate(0.2, est(0.93, 0.001)));
    c.add(candidate(0.4, est(0.95, 0.001)));
    c.add(candidate(0.6, est(0.96, 0.001)));
    c.add(candidate(0.8, est(0.97, 0.001)));
    // accuracy certifies 0.8, 0.6, 0.4 (most offload first); cost <= 0.65 certifies 0.2, 0.4, 0.6 (least first)
    Selection s = Selection.choose(c, new Objectives(0.94, 0.65, Double.NaN, Double.NaN, Double.NaN));
    assertThat(s.z).isCloseTo(1.960, org.assertj.core.data.Offset.offset(0.001));
    assertThat(s.chosen.threshold).isEqualTo(0.4);
    assertThat(s.explanation).contains("0.05 split over 2 walks");
  }

  @Test
  void withThePolicyInForce_aSecondWalkStartsThere_soANoisyFarEndDoesNotStopIt() {
    List<CandidateEstimate> c = new ArrayList<>();
    c.add(candidate(0.2, est(0.93, 0.001)));
    c.add(candidate(0.4, est(0.96, 0.001)));
    c.add(candidate(0.6, true, est(0.97, 0.001)));
    c.add(candidate(0.8, est(0.98, 0.001)));
    c.add(candidate(0.9, est(0.95, 0.02))); // most offload, estimated from few explored decisions
    Selection s = Selection.choose(c, minAccuracy(0.94));
    assertThat(s.z).isCloseTo(1.960, org.assertj.core.data.Offset.offset(0.001)); // two walks share 0.05
    assertThat(s.chosen.threshold).isEqualTo(0.4);
    assertThat(Selection.certified(c, minAccuracy(0.94).bounds().get(0), s.z)).extracting(e -> e.threshold)
        .containsExactlyInAnyOrder(0.4, 0.6); // 0.8 lies beyond the far end's miss on the other walk
  }

  @Test
  void anUpperBound_walksFromTheLeastOffloadUp() {
    List<CandidateEstimate> c = new ArrayList<>();
    c.add(candidate(0.2, est(0.93, 0.001)));
    c.add(candidate(0.4, true, est(0.95, 0.001)));
    c.add(candidate(0.6, est(0.97, 0.001)));
    // cost is the threshold here: 0.2 and 0.4 are certified under 0.5, one walk at full 0.05
    Selection s = Selection.choose(c, new Objectives(Double.NaN, 0.5, Double.NaN, Double.NaN, Double.NaN));
    assertThat(s.z).isCloseTo(1.645, org.assertj.core.data.Offset.offset(0.001));
    assertThat(s.chosen.threshold).isEqualTo(0.2);
  }
}
