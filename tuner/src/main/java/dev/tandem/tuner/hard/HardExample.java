package dev.tandem.tuner.hard;

import dev.tandem.tuner.observe.DecisionRow;
import java.util.ArrayList;
import java.util.List;

/**
 * A decision worth retraining on: the cloud was asked (offloaded, shadow or explored) and the edge
 * and the cloud disagreed, or the edge was unsure.
 *
 * @param reasons {@code disagree} (both answers known and different) and/or {@code unsure} (edge
 *     max_prob below the threshold)
 */
public record HardExample(DecisionRow row, List<String> reasons) {
  /** The hard examples among the rows, in their order. */
  public static List<HardExample> select(List<DecisionRow> rows, double unsureBelow) {
    List<HardExample> out = new ArrayList<>();
    for (DecisionRow r : rows) {
      if (!(r.offloaded() || r.shadow() || r.explored()) || !r.hasEdge()) {
        continue;
      }
      List<String> why = new ArrayList<>(2);
      if (r.hasCloudAnswer() && r.cloudPrediction() != r.edgePrediction()) {
        why.add("disagree");
      }
      if (r.maxProb() < unsureBelow) {
        why.add("unsure");
      }
      if (!why.isEmpty()) {
        out.add(new HardExample(r, List.copyOf(why)));
      }
    }
    return out;
  }
}
