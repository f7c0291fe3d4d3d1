package dev.tandem.tuner.store;

import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import java.util.Objects;
import java.util.Optional;

/**
 * A decision record with its amendments joined: the label the app reported (if any) and the
 * cloud reply that came after the deadline (if any). Immutable.
 */
public final class LoggedDecision {
  private final DecisionRecord record;
  private final int label;
  private final CloudResult lateReply;

  LoggedDecision(DecisionRecord record, int label, CloudResult lateReply) {
    this.record = Objects.requireNonNull(record, "record");
    this.label = label;
    this.lateReply = lateReply;
  }

  /** A decision without amendments (for tests and tools that build logs in memory). */
  public static LoggedDecision of(DecisionRecord record, int label, CloudResult lateReply) {
    return new LoggedDecision(record, label, lateReply);
  }

  public DecisionRecord record() {
    return record;
  }

  /** The true class the app reported, or -1 when none was. */
  public int label() {
    return label;
  }

  public boolean labelled() {
    return label >= 0;
  }

  /** The cloud reply that arrived after the deadline, if one did. */
  public Optional<CloudResult> lateReply() {
    return Optional.ofNullable(lateReply);
  }

  @Override
  public String toString() {
    return "LoggedDecision{" + record.id() + (label >= 0 ? " label " + label : "")
        + (lateReply != null ? " late reply" : "") + "}";
  }
}
