package dev.tandem.runtime.policy;

import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.signal.Signals;
import java.util.Objects;
import java.util.Optional;

/**
 * Every input {@link Policy#decide} reads, and nothing else: the identity of the policy and edge
 * model, the edge answer's signals (absent when the edge model has not run, as in
 * {@code cloud_only}), the device state, the bytes an offload would upload, whether an offloader
 * is there, the time already spent, the cost budget and round-trip estimator state at this
 * moment, and the random draw. Immutable; recorded whole in every decision record.
 */
public final class DecisionContext {
  private final long policyVersion;
  private final String edgeModelHash;
  private final Signals signals;
  private final DeviceState device;
  private final long payloadBytes;
  private final OffloaderState offloader;
  private final double elapsedMs;
  private final double budgetAvailableUsd;
  private final double expectedOffloadUsd;
  private final RoundTripSnapshot roundTrip;
  private final double draw;

  private DecisionContext(Builder b) {
    this.policyVersion = b.policyVersion;
    this.edgeModelHash = b.edgeModelHash;
    this.signals = b.signals;
    this.device = b.device;
    this.payloadBytes = b.payloadBytes;
    this.offloader = b.offloader;
    this.elapsedMs = b.elapsedMs;
    this.budgetAvailableUsd = b.budgetAvailableUsd;
    this.expectedOffloadUsd = b.expectedOffloadUsd;
    this.roundTrip = b.roundTrip;
    this.draw = b.draw;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.policyVersion = policyVersion;
    b.edgeModelHash = edgeModelHash;
    b.signals = signals;
    b.device = device;
    b.payloadBytes = payloadBytes;
    b.offloader = offloader;
    b.elapsedMs = elapsedMs;
    b.budgetAvailableUsd = budgetAvailableUsd;
    b.expectedOffloadUsd = expectedOffloadUsd;
    b.roundTrip = roundTrip;
    b.draw = draw;
    return b;
  }

  /** Version of the policy that decides; {@link Policy#decide} refuses a context for another. */
  public long policyVersion() {
    return policyVersion;
  }

  /** SHA-256 (hex) of the edge model; empty when unknown. */
  public String edgeModelHash() {
    return edgeModelHash;
  }

  /** The edge answer's signals; empty when the edge model has not run before the decision. */
  public Optional<Signals> signals() {
    return Optional.ofNullable(signals);
  }

  public DeviceState device() {
    return device;
  }

  /** Bytes the cloud input would upload. */
  public long payloadBytes() {
    return payloadBytes;
  }

  public OffloaderState offloader() {
    return offloader;
  }

  /** Milliseconds spent on this decision before {@code decide} (the edge run). */
  public double elapsedMs() {
    return elapsedMs;
  }

  /** USD left in the cost budget; -1 when the runtime tracks no budget. */
  public double budgetAvailableUsd() {
    return budgetAvailableUsd;
  }

  /** USD an offload of this input is expected to cost (network and cloud). */
  public double expectedOffloadUsd() {
    return expectedOffloadUsd;
  }

  /** The round-trip estimator's state for this decision's network type. */
  public RoundTripSnapshot roundTrip() {
    return roundTrip;
  }

  /** The uniform random draw in [0, 1) that exploration compares with its rate. */
  public double draw() {
    return draw;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DecisionContext)) {
      return false;
    }
    DecisionContext c = (DecisionContext) o;
    return policyVersion == c.policyVersion && edgeModelHash.equals(c.edgeModelHash)
        && Objects.equals(signals, c.signals) && device.equals(c.device) && payloadBytes == c.payloadBytes
        && offloader == c.offloader && elapsedMs == c.elapsedMs && budgetAvailableUsd == c.budgetAvailableUsd
        && expectedOffloadUsd == c.expectedOffloadUsd && roundTrip.equals(c.roundTrip) && draw == c.draw;
  }

  @Override
  public int hashCode() {
    return Objects.hash(policyVersion, edgeModelHash, signals, device, payloadBytes, offloader, elapsedMs,
        budgetAvailableUsd, expectedOffloadUsd, roundTrip, draw);
  }

  @Override
  public String toString() {
    return "DecisionContext{policy=" + policyVersion + ", signals=" + signals + ", " + device + ", payload="
        + payloadBytes + ", offloader=" + offloader.jsonName() + ", elapsed=" + elapsedMs + ", budget="
        + budgetAvailableUsd + ", expected=" + expectedOffloadUsd + ", " + roundTrip + ", draw=" + draw + "}";
  }

  /** Builder for {@link DecisionContext}. */
  public static final class Builder {
    private long policyVersion = -1;
    private String edgeModelHash = "";
    private Signals signals;
    private DeviceState device = DeviceState.builder().build();
    private long payloadBytes;
    private OffloaderState offloader = OffloaderState.AVAILABLE;
    private double elapsedMs;
    private double budgetAvailableUsd = -1;
    private double expectedOffloadUsd;
    private RoundTripSnapshot roundTrip = RoundTripSnapshot.EMPTY;
    private double draw;

    private Builder() {}

    public Builder policyVersion(long v) {
      this.policyVersion = v;
      return this;
    }

    public Builder edgeModelHash(String v) {
      this.edgeModelHash = Objects.requireNonNull(v, "edgeModelHash");
      return this;
    }

    /** The edge answer's signals, or {@code null} when the edge model has not run. */
    public Builder signals(Signals v) {
      this.signals = v;
      return this;
    }

    public Builder device(DeviceState v) {
      this.device = Objects.requireNonNull(v, "device");
      return this;
    }

    public Builder payloadBytes(long v) {
      this.payloadBytes = v;
      return this;
    }

    public Builder offloader(OffloaderState v) {
      this.offloader = Objects.requireNonNull(v, "offloader");
      return this;
    }

    public Builder elapsedMs(double v) {
      this.elapsedMs = v;
      return this;
    }

    public Builder budgetAvailableUsd(double v) {
      this.budgetAvailableUsd = v;
      return this;
    }

    public Builder expectedOffloadUsd(double v) {
      this.expectedOffloadUsd = v;
      return this;
    }

    public Builder roundTrip(RoundTripSnapshot v) {
      this.roundTrip = Objects.requireNonNull(v, "roundTrip");
      return this;
    }

    public Builder draw(double v) {
      this.draw = v;
      return this;
    }

    /** @throws IllegalStateException naming the missing or invalid input */
    public DecisionContext build() {
      if (policyVersion < 0) {
        throw new IllegalStateException("policyVersion must be set and >= 0, was " + policyVersion);
      }
      if (payloadBytes < 0) {
        throw new IllegalStateException("payloadBytes must be >= 0, was " + payloadBytes);
      }
      if (!(draw >= 0 && draw < 1)) {
        throw new IllegalStateException("draw must be within [0, 1), was " + draw);
      }
      if (!(elapsedMs >= 0) || Double.isInfinite(elapsedMs)) {
        throw new IllegalStateException("elapsedMs must be finite and >= 0, was " + elapsedMs);
      }
      if (!(expectedOffloadUsd >= 0) || Double.isInfinite(expectedOffloadUsd)) {
        throw new IllegalStateException("expectedOffloadUsd must be finite and >= 0, was " + expectedOffloadUsd);
      }
      if (Double.isNaN(budgetAvailableUsd) || Double.isInfinite(budgetAvailableUsd)) {
        throw new IllegalStateException("budgetAvailableUsd must be finite, was " + budgetAvailableUsd);
      }
      return new DecisionContext(this);
    }
  }
}
