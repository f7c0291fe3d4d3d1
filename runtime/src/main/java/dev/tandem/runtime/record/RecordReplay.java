package dev.tandem.runtime.record;

import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.internal.policy.RoundTripEstimator;
import dev.tandem.runtime.policy.CostBudget;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.RoundTripSnapshot;
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

  /**
   * What the round-trip estimator that one device's records leave behind reports for
   * {@code network} at {@code nowMs}: the {@link dev.tandem.runtime.policy.DecisionContext#roundTrip()} a decision made
   * then would carry.
   */
  public static RoundTripSnapshot roundTripAfter(Policy policy, List<DecisionRecord> deviceRecords,
      NetworkType network, long nowMs) {
    return roundTrips(policy, deviceRecords).snapshot(network, nowMs);
  }

  private static RoundTripEstimator roundTrips(Policy policy, List<DecisionRecord> deviceRecords) {
    // In time order: an attempt for each decision that sent a request, then its outcome, if any.
    RoundTripEstimator e = new RoundTripEstimator(policy);
    for (DecisionRecord r : inTimeOrder(deviceRecords)) {
      if (r.decided().route().asksCloud()) {
        NetworkType network = r.context().device().networkType();
        e.attempt(network, r.timeMs());
        if (r.cloud().isPresent()) {
          CloudResult c = r.cloud().get();
          e.outcome(network, r.timeMs(), c.status(), c.roundTripMs(), c.budgetMs());
        }
      }
    }
    return e;
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
