package dev.tandem.tuner.store;

import dev.tandem.runtime.record.PolicyEventRecord;
import java.util.Collections;
import java.util.List;

/**
 * One device's records in the selected range: its decisions in sequence order with their
 * amendments joined, and its policy events (also in sequence order; the events of any date
 * before the range's end are included, so the policy in force at the range's start is known).
 * Deduplicated by sequence number. Immutable.
 */
public final class DeviceLog {
  private final String device;
  private final List<LoggedDecision> decisions;
  private final List<PolicyEventRecord> policyEvents;
  private final int orphanAmendments;

  DeviceLog(String device, List<LoggedDecision> decisions, List<PolicyEventRecord> policyEvents,
      int orphanAmendments) {
    this.device = device;
    this.decisions = Collections.unmodifiableList(decisions);
    this.policyEvents = Collections.unmodifiableList(policyEvents);
    this.orphanAmendments = orphanAmendments;
  }

  /** A log built in memory (tests, generators). */
  public static DeviceLog of(String device, List<LoggedDecision> decisions, List<PolicyEventRecord> policyEvents) {
    return new DeviceLog(device, decisions, policyEvents, 0);
  }

  public String device() {
    return device;
  }

  /** Decisions received in the range, in sequence order. */
  public List<LoggedDecision> decisions() {
    return decisions;
  }

  /** Policy events up to the range's end, in sequence order. */
  public List<PolicyEventRecord> policyEvents() {
    return policyEvents;
  }

  /** Amendments whose decision is not in the selection (outside the date range, or lost). */
  public int orphanAmendments() {
    return orphanAmendments;
  }
}
