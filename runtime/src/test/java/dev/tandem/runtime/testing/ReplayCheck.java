package dev.tandem.runtime.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.spool.ReadResult;
import dev.tandem.runtime.spool.Spool;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The replay identity: for every decision record in a spool, the policy of its version, given
 * the record's context, decides exactly the recorded route, reason, propensity and exploration.
 * Every test that makes a Tandem write records ends with this check on its spool.
 */
public final class ReplayCheck {
  private ReplayCheck() {}

  /** Checks every decision in {@code spoolDir}; returns how many were checked. */
  public static int assertEveryDecisionReplays(Path spoolDir, Policy... policies) {
    Map<Long, Policy> byVersion = new HashMap<>();
    for (Policy p : policies) {
      byVersion.put(p.version(), p);
    }
    ReadResult all = Spool.readAll(spoolDir);
    assertThat(all.corruptLines()).isEmpty();
    int n = 0;
    for (Record r : all.records()) {
      if (r instanceof DecisionRecord) {
        DecisionRecord d = (DecisionRecord) r;
        Policy p = byVersion.get(d.policyVersion());
        assertThat(p).as("policy version " + d.policyVersion() + " of " + d.id()).isNotNull();
        RouteDecision replayed = p.decide(d.context());
        assertThat(replayed).as("replay of " + d.id()).isEqualTo(d.decided());
        n++;
      }
    }
    return n;
  }
}
