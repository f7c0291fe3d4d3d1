package dev.tandem.runtime.record;

import dev.tandem.runtime.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Optional;

/**
 * A policy the device applied or rejected, so that a reader of the fleet's logs knows which
 * policy was in force on each device from which sequence number on. Takes its sequence number
 * from the same per-device sequence as decisions.
 *
 * <p>{@code policy_hash} is the SHA-256 of the policy's canonical JSON ({@link Policy#toJson()});
 * an applied event also carries that JSON ({@link #policy()}), which a collector may move into
 * its store's {@code policies/} directory, keeping the hash in the record (the content is then
 * stored once per store). Immutable.
 */
public final class PolicyEventRecord implements Record {
  /** The record kind's JSON name. */
  public static final String KIND = "policy_event";

  /** Applied or rejected. */
  public enum Event {
    APPLIED("applied"),
    REJECTED("rejected");

    private final String jsonName;

    Event(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }

    /** @throws IllegalArgumentException naming the unknown event */
    public static Event fromJsonName(String name) {
      for (Event e : values()) {
        if (e.jsonName.equals(name)) {
          return e;
        }
      }
      throw new IllegalArgumentException("unknown policy event '" + name + "': expected applied or rejected");
    }
  }

  private final String device;
  private final long seq;
  private final long timeMs;
  private final String fleet;
  private final String model;
  private final Event event;
  private final String reason;
  private final String message;
  private final long version;
  private final long inForceVersion;
  private final String edgeModelHash;
  private final String policyHash;
  private final String policy;

  private PolicyEventRecord(Builder b) {
    this.device = b.device;
    this.seq = b.seq;
    this.timeMs = b.timeMs;
    this.fleet = b.fleet;
    this.model = b.model;
    this.event = b.event;
    this.reason = b.reason;
    this.message = b.message;
    this.version = b.version;
    this.inForceVersion = b.inForceVersion;
    this.edgeModelHash = b.edgeModelHash;
    this.policyHash = b.policyHash;
    this.policy = b.policy;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** SHA-256 (hex) of {@code policy.toJson()}: the policy's content hash. */
  public static String contentHash(Policy policy) {
    return contentHash(policy.toJson());
  }

  /** SHA-256 (hex) of the UTF-8 bytes of a canonical policy JSON. */
  public static String contentHash(String canonicalPolicyJson) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(canonicalPolicyJson.getBytes(StandardCharsets.UTF_8));
      StringBuilder sb = new StringBuilder(64);
      for (byte x : d) {
        sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  @Override
  public String kind() {
    return KIND;
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

  public String fleet() {
    return fleet;
  }

  public String model() {
    return model;
  }

  public Event event() {
    return event;
  }

  /**
   * Why: for an applied event {@code start} (in force when the device started) or
   * {@code update}; for a rejection {@code invalid}, {@code older_version},
   * {@code other_edge_model} or {@code not_in_canary}.
   */
  public String reason() {
    return reason;
  }

  /** Human-readable detail (the validation message of an invalid policy, say); may be empty. */
  public String message() {
    return message;
  }

  /** The version of the policy applied or rejected; -1 when the document could not be read. */
  public long version() {
    return version;
  }

  /** The version in force after this event. */
  public long inForceVersion() {
    return inForceVersion;
  }

  /** The device's edge model (SHA-256 hex). */
  public String edgeModelHash() {
    return edgeModelHash;
  }

  /** The content hash of the policy applied or rejected; empty when it could not be read. */
  public String policyHash() {
    return policyHash;
  }

  /** The policy's canonical JSON, when the record carries it (applied events on the device). */
  public Optional<String> policy() {
    return Optional.ofNullable(policy);
  }

  /** This record without the policy content (the hash stays). */
  public PolicyEventRecord withoutContent() {
    Builder b = toBuilder();
    b.policy = null;
    return b.build();
  }

  private Builder toBuilder() {
    Builder b = new Builder();
    b.device = device;
    b.seq = seq;
    b.timeMs = timeMs;
    b.fleet = fleet;
    b.model = model;
    b.event = event;
    b.reason = reason;
    b.message = message;
    b.version = version;
    b.inForceVersion = inForceVersion;
    b.edgeModelHash = edgeModelHash;
    b.policyHash = policyHash;
    b.policy = policy;
    return b;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PolicyEventRecord)) {
      return false;
    }
    PolicyEventRecord r = (PolicyEventRecord) o;
    return seq == r.seq && timeMs == r.timeMs && version == r.version && inForceVersion == r.inForceVersion
        && device.equals(r.device) && fleet.equals(r.fleet) && model.equals(r.model) && event == r.event
        && reason.equals(r.reason) && message.equals(r.message) && edgeModelHash.equals(r.edgeModelHash)
        && policyHash.equals(r.policyHash) && Objects.equals(policy, r.policy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(device, seq, event, version, policyHash);
  }

  @Override
  public String toString() {
    return "PolicyEventRecord{" + id() + " " + event.jsonName() + " " + reason + " v" + version + "}";
  }

  /** Builds a {@link PolicyEventRecord}; device, seq, time, event and reason are required. */
  public static final class Builder {
    private String device;
    private long seq;
    private long timeMs = -1;
    private String fleet = "";
    private String model = "";
    private Event event;
    private String reason;
    private String message = "";
    private long version = -1;
    private long inForceVersion = -1;
    private String edgeModelHash = "";
    private String policyHash = "";
    private String policy;

    private Builder() {}

    public Builder device(String v) {
      device = v;
      return this;
    }

    public Builder seq(long v) {
      seq = v;
      return this;
    }

    public Builder timeMs(long v) {
      timeMs = v;
      return this;
    }

    public Builder fleet(String v) {
      fleet = Objects.requireNonNull(v, "fleet");
      return this;
    }

    public Builder model(String v) {
      model = Objects.requireNonNull(v, "model");
      return this;
    }

    public Builder event(Event v) {
      event = v;
      return this;
    }

    public Builder reason(String v) {
      reason = v;
      return this;
    }

    public Builder message(String v) {
      message = Objects.requireNonNull(v, "message");
      return this;
    }

    public Builder version(long v) {
      version = v;
      return this;
    }

    public Builder inForceVersion(long v) {
      inForceVersion = v;
      return this;
    }

    public Builder edgeModelHash(String v) {
      edgeModelHash = Objects.requireNonNull(v, "edgeModelHash");
      return this;
    }

    public Builder policyHash(String v) {
      policyHash = Objects.requireNonNull(v, "policyHash");
      return this;
    }

    /** The policy's canonical JSON (also sets the hash). */
    public Builder policy(String canonicalJson) {
      policy = canonicalJson;
      if (canonicalJson != null) {
        policyHash = contentHash(canonicalJson);
      }
      return this;
    }

    /** The applied or rejected policy: its version, hash and content (a rejection keeps the hash only). */
    public Builder policy(Policy p) {
      version = p.version();
      String json = p.toJson();
      policyHash = contentHash(json);
      policy = json;
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the missing or bad field
     */
    public PolicyEventRecord build() {
      if (device == null || device.isEmpty()) {
        throw new IllegalArgumentException("device is required");
      }
      if (seq < 1) {
        throw new IllegalArgumentException("seq must be >= 1, was " + seq);
      }
      if (timeMs < 0) {
        throw new IllegalArgumentException("timeMs must be >= 0, was " + timeMs);
      }
      if (event == null) {
        throw new IllegalArgumentException("event is required");
      }
      if (reason == null || reason.isEmpty()) {
        throw new IllegalArgumentException("reason is required");
      }
      if (version < -1) {
        throw new IllegalArgumentException("version must be >= -1, was " + version);
      }
      if (event == Event.REJECTED) {
        policy = null;
      }
      if (policy != null && !policyHash.equals(contentHash(policy))) {
        throw new IllegalArgumentException("policy_hash does not match the policy content");
      }
      if (!policyHash.isEmpty() && !policyHash.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException("policy_hash must be 64 lower-case hex digits, was '" + policyHash + "'");
      }
      return new PolicyEventRecord(this);
    }
  }
}
