package dev.tandem.runtime.record;

import java.util.Objects;
import java.util.Optional;

/**
 * A later fact about a decision, keyed by its id: the cloud reply that arrived after the
 * deadline ({@link Type#LATE_REPLY}), or the true label the app reported ({@link Type#LABEL}).
 * Amendments take their own sequence numbers from the same per-device sequence as decisions.
 * Immutable.
 */
public final class AmendmentRecord implements Record {
  /** What an amendment adds. */
  public enum Type {
    LATE_REPLY("late_reply"),
    LABEL("label");

    private final String jsonName;

    Type(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }

    /** @throws IllegalArgumentException naming the unknown type */
    public static Type fromJsonName(String name) {
      for (Type t : values()) {
        if (t.jsonName.equals(name)) {
          return t;
        }
      }
      throw new IllegalArgumentException("unknown amendment type '" + name + "': expected late_reply or label");
    }
  }

  private final String device;
  private final long seq;
  private final long timeMs;
  private final String decisionId;
  private final Type type;
  private final CloudResult cloud;
  private final long bytesDown;
  private final int label;

  private AmendmentRecord(String device, long seq, long timeMs, String decisionId, Type type, CloudResult cloud,
      long bytesDown, int label) {
    this.device = device;
    this.seq = seq;
    this.timeMs = timeMs;
    this.decisionId = decisionId;
    this.type = type;
    this.cloud = cloud;
    this.bytesDown = bytesDown;
    this.label = label;
  }

  /** A late cloud reply for {@code decisionId}. */
  public static AmendmentRecord lateReply(String device, long seq, long timeMs, String decisionId, CloudResult cloud,
      long bytesDown) {
    check(device, seq, timeMs, decisionId);
    return new AmendmentRecord(device, seq, timeMs, decisionId, Type.LATE_REPLY, Objects.requireNonNull(cloud, "cloud"),
        bytesDown, -1);
  }

  /** The true class of the input of {@code decisionId}, as the app reported it. */
  public static AmendmentRecord label(String device, long seq, long timeMs, String decisionId, int label) {
    check(device, seq, timeMs, decisionId);
    if (label < 0) {
      throw new IllegalArgumentException("label must be a class index >= 0, was " + label);
    }
    return new AmendmentRecord(device, seq, timeMs, decisionId, Type.LABEL, null, 0, label);
  }

  private static void check(String device, long seq, long timeMs, String decisionId) {
    if (device == null || device.isEmpty()) {
      throw new IllegalArgumentException("device is required");
    }
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, was " + seq);
    }
    if (timeMs < 0) {
      throw new IllegalArgumentException("timeMs must be >= 0, was " + timeMs);
    }
    if (decisionId == null || decisionId.isEmpty()) {
      throw new IllegalArgumentException("decisionId is required");
    }
  }

  @Override
  public String kind() {
    return "amendment";
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public long seq() {
    return seq;
  }

  @Override
  public long timeMs() {
    return timeMs;
  }

  /** The id of the decision this amends. */
  public String decisionId() {
    return decisionId;
  }

  public Type type() {
    return type;
  }

  /** The late reply; present for {@link Type#LATE_REPLY}. */
  public Optional<CloudResult> cloud() {
    return Optional.ofNullable(cloud);
  }

  public long bytesDown() {
    return bytesDown;
  }

  /** The true class; -1 unless {@link Type#LABEL}. */
  public int label() {
    return label;
  }

  @Override
  public String toString() {
    return "AmendmentRecord{" + id() + " " + type.jsonName() + " of " + decisionId + "}";
  }
}
