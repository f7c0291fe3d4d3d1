package dev.tandem.runtime.internal.offload;

import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.model.Tensor;
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
  private final String relayId;
  private final String modelVersion;
  private final double queueMs;
  private final double inferenceMs;
  private final int batchSize;
  private final long bytesUp;
  private final long bytesDown;
  private final CompletableFuture<OffloadResult> lateReply;

  private OffloadResult(Builder b) {
    this.status = b.status;
    this.message = b.message;
    this.outputs = Collections.unmodifiableList(new ArrayList<>(b.outputs));
    this.roundTripMs = b.roundTripMs;
    this.relayId = b.relayId;
    this.modelVersion = b.modelVersion;
    this.queueMs = b.queueMs;
    this.inferenceMs = b.inferenceMs;
    this.batchSize = b.batchSize;
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
    b.relayId = relayId;
    b.modelVersion = modelVersion;
    b.queueMs = queueMs;
    b.inferenceMs = inferenceMs;
    b.batchSize = batchSize;
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

  public String relayId() {
    return relayId;
  }

  public String modelVersion() {
    return modelVersion;
  }

  public double queueMs() {
    return queueMs;
  }

  public double inferenceMs() {
    return inferenceMs;
  }

  public int batchSize() {
    return batchSize;
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
    private String relayId = "";
    private String modelVersion = "";
    private double queueMs = -1;
    private double inferenceMs = -1;
    private int batchSize = -1;
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

    public Builder relayId(String v) {
      this.relayId = v == null ? "" : v;
      return this;
    }

    public Builder modelVersion(String v) {
      this.modelVersion = v == null ? "" : v;
      return this;
    }

    public Builder queueMs(double v) {
      this.queueMs = v;
      return this;
    }

    public Builder inferenceMs(double v) {
      this.inferenceMs = v;
      return this;
    }

    public Builder batchSize(int v) {
      this.batchSize = v;
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
