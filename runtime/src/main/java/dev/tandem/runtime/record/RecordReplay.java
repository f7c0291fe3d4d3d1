package dev.tandem.runtime.record;

import dev.tandem.runtime.policy.CostBudget;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.RoundTripEstimator;
import dev.tandem.runtime.policy.RouteDecision;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Replays records against a policy: a single decision from its recorded context, and the rules
 * with memory (round-trip estimator, cost budget) from one device's records in time order.
 */
public final class RecordReplay {
  private RecordReplay() {}

  /** {@code policy.decide(record.context())}. */
  public static RouteDecision decide(Policy policy, DecisionRecord record) {
    return policy.decide(record.context());
  }

  /** Whether the policy, given the record's context, makes exactly the recorded decision. */
  public static boolean replays(Policy policy, DecisionRecord record) {
    return decide(policy, record).equals(record.decided());
  }

  /** One device's decisions in time order (ties by sequence). */
  public static List<DecisionRecord> inTimeOrder(List<DecisionRecord> records) {
    List<DecisionRecord> sorted = new ArrayList<>(records);
    sorted.sort(Comparator.comparingLong(DecisionRecord::timeMs).thenComparingLong(DecisionRecord::seq));
    return sorted;
  }

  /** The round-trip estimator one device's records leave behind. */
  public static RoundTripEstimator roundTrips(Policy policy, List<DecisionRecord> deviceRecords) {
    List<RoundTripEstimator.ReplayStep> steps = new ArrayList<>();
    for (DecisionRecord r : inTimeOrder(deviceRecords)) {
      boolean sent = r.decided().route().asksCloud();
      CloudResult c = r.cloud().orElse(null);
      steps.add(new RoundTripEstimator.ReplayStep(r.timeMs(), r.context().device().networkType(), sent,
          c == null ? null : c.status(), c == null ? -1 : c.roundTripMs(), c == null ? 0 : c.budgetMs()));
    }
    return RoundTripEstimator.replay(policy, steps);
  }

  /** The cost budget one device's records leave behind. */
  public static CostBudget costBudget(Policy policy, List<DecisionRecord> deviceRecords) {
    List<DecisionRecord> sorted = inTimeOrder(deviceRecords);
    long[] times = new long[sorted.size()];
    double[] spent = new double[sorted.size()];
    for (int i = 0; i < times.length; i++) {
      DecisionRecord r = sorted.get(i);
      times[i] = r.timeMs();
      spent[i] = r.decided().route().asksCloud() ? r.context().expectedOffloadUsd() : 0;
    }
    return CostBudget.replay(policy, times, spent);
  }
}
