package dev.tandem.runtime.internal.offload;

import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.record.RelayReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * How one offload ended: the status with its message and, for {@link OffloadStatus#OK}, the
 * cloud model's outputs, plus the timings and sizes a decision record needs. Immutable.
 * Fields the relay did not report are -1 (numbers) or empty (strings).
 */
public final class OffloadResult {
  private final OffloadStatus status;
  private final String message;
  private final List<Tensor> outputs;
  private final double roundTripMs;
  private final RelayReport relay;
  private final long bytesUp;
  private final long bytesDown;
  private final CompletableFuture<OffloadResult> lateReply;

  private OffloadResult(Builder b) {
    this.status = b.status;
    this.message = b.message;
    this.outputs = Collections.unmodifiableList(new ArrayList<>(b.outputs));
    this.roundTripMs = b.roundTripMs;
    this.relay = b.relay;
    this.bytesUp = b.bytesUp;
    this.bytesDown = b.bytesDown;
    this.lateReply = b.lateReply;
  }

  public static Builder builder(OffloadStatus status) {
    return new Builder(status);
  }

  /** A result the device concluded without a reply (timeout, offline, cap, publish failure). */
  public static OffloadResult local(OffloadStatus status, String message) {
    return builder(status).message(message).build();
  }

  public Builder toBuilder() {
    Builder b = new Builder(status);
    b.message = message;
    b.outputs.addAll(outputs);
    b.roundTripMs = roundTripMs;
    b.relay = relay;
    b.bytesUp = bytesUp;
    b.bytesDown = bytesDown;
    b.lateReply = lateReply;
    return b;
  }

  /**
   * For a {@link OffloadStatus#TIMEOUT}: completes with the reply if it still comes within the
   * offloader's grace period (a late reply is never the decision's answer; it is recorded as an
   * amendment). Empty for every other status, and when the offloader keeps no grace period.
   */
  public Optional<CompletableFuture<OffloadResult>> lateReply() {
    return Optional.ofNullable(lateReply);
  }

  public OffloadStatus status() {
    return status;
  }

  public boolean isOk() {
    return status == OffloadStatus.OK;
  }

  /** A message a person can act on; empty for {@code ok}. */
  public String message() {
    return message;
  }

  /** The cloud model's outputs; empty unless {@link #isOk()}. */
  public List<Tensor> outputs() {
    return outputs;
  }

  /** Device-measured round trip in ms, or -1 when no reply arrived. */
  public double roundTripMs() {
    return roundTripMs;
  }

  /** What the relay reported about the run ({@link RelayReport#NONE} without a reply). */
  public RelayReport relay() {
    return relay;
  }

  public String relayId() {
    return relay.relayId();
  }

  public String modelVersion() {
    return relay.modelVersion();
  }

  public double queueMs() {
    return relay.queueMs();
  }

  public double inferenceMs() {
    return relay.inferenceMs();
  }

  public int batchSize() {
    return relay.batchSize();
  }

  /** Bytes of the request as published, or 0 when nothing was sent. */
  public long bytesUp() {
    return bytesUp;
  }

  /** Bytes of the reply as received, or 0 when none arrived. */
  public long bytesDown() {
    return bytesDown;
  }

  @Override
  public String toString() {
    return "OffloadResult{" + status.wireName() + (message.isEmpty() ? "" : ": " + message) + "}";
  }

  /** Builder for {@link OffloadResult}. */
  public static final class Builder {
    private final OffloadStatus status;
    private String message = "";
    private final List<Tensor> outputs = new ArrayList<>();
    private double roundTripMs = -1;
    private RelayReport relay = RelayReport.NONE;
    private long bytesUp;
    private long bytesDown;
    private CompletableFuture<OffloadResult> lateReply;

    private Builder(OffloadStatus status) {
      this.status = Objects.requireNonNull(status, "status");
    }

    public Builder message(String message) {
      this.message = message == null ? "" : message;
      return this;
    }

    public Builder outputs(List<Tensor> outputs) {
      this.outputs.clear();
      this.outputs.addAll(outputs);
      return this;
    }

    public Builder roundTripMs(double v) {
      this.roundTripMs = v;
      return this;
    }

    /** What the relay reported, as the reply carried it. */
    public Builder relay(RelayReport v) {
      this.relay = java.util.Objects.requireNonNull(v, "relay");
      return this;
    }

    public Builder relayId(String v) {
      this.relay = relay.withRelayId(v);
      return this;
    }

    public Builder modelVersion(String v) {
      this.relay = relay.withModelVersion(v);
      return this;
    }

    public Builder queueMs(double v) {
      this.relay = relay.withQueueMs(v);
      return this;
    }

    public Builder inferenceMs(double v) {
      this.relay = relay.withInferenceMs(v);
      return this;
    }

    public Builder batchSize(int v) {
      this.relay = relay.withBatchSize(v);
      return this;
    }

    public Builder bytesUp(long v) {
      this.bytesUp = v;
      return this;
    }

    public Builder bytesDown(long v) {
      this.bytesDown = v;
      return this;
    }

    /** Where a reply that comes after the deadline is delivered (a timeout only). */
    public Builder lateReply(CompletableFuture<OffloadResult> v) {
      this.lateReply = v;
      return this;
    }

    public OffloadResult build() {
      return new OffloadResult(this);
    }
  }
}
