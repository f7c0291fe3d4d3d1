package dev.tandem.workload.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The cheapest cascade threshold reaching an accuracy, chosen with the test labels. */
class CascadeCurveTest {
  // Five messages, least confident first: the edge errs on the two least confident, the cloud is right on all.
  private static final boolean[] EDGE = {false, false, true, true, true};
  private static final boolean[] CLOUD = {true, true, true, true, true};
  private static final double[] CONFIDENCE = {0.55, 0.60, 0.80, 0.90, 0.99};

  @Test
  void cheapest_offloadsTheFewestLeastConfidentMessagesThatReachTheAccuracy() {
    CascadeCurve.SeedResult r = new CascadeCurve.SeedResult(1, EDGE, CLOUD, CONFIDENCE);
    assertThat(r.cheapest(0.6)).containsExactly(0.0, 0.55, 0.6); // the edge alone: 3 of 5
    assertThat(r.cheapest(0.8)).containsExactly(0.2, (0.55 + 0.60) / 2, 0.8);
    assertThat(r.cheapest(1.0)).containsExactly(0.4, (0.60 + 0.80) / 2, 1.0);
  }

  @Test
  void cheapest_isNull_whenNoThresholdReachesIt_andTheTableSaysSo() {
    boolean[] cloudWrong = {false, false, true, true, true};
    CascadeCurve.SeedResult r = new CascadeCurve.SeedResult(2, EDGE, cloudWrong, CONFIDENCE);
    assertThat(r.cheapest(0.9)).isNull();
    assertThat(CascadeCurve.cheapestTable(List.of(r), 0.9)).contains("| 2 | none reaches it |");
  }
}
