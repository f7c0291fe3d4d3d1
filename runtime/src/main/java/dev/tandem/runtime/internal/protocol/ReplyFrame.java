package dev.tandem.runtime.internal.protocol;

import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.record.RelayReport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * A relay's reply on the wire: a status with its message, the output tensors (for {@code ok}),
 * and what the relay reports about the run: relay id, model version, queue and inference time and
 * the batch size. Immutable; built with {@link #builder(ReplyStatus)}.
 *
 * <p>Numbers the relay did not report are -1, strings are empty. A version-1 frame carries no
 * model version, queue ms, inference ms or batch size.
 */
public final class ReplyFrame {
  private final ReplyStatus status;
  private final String message;
  private final List<Tensor> outputs;
  private final RelayReport report;

  private ReplyFrame(Builder b) {
    this.status = b.status;
    this.message = b.message;
    this.outputs = RequestFrame.copyUnique("output", b.outputs);
    this.report = RelayReport.of(b.relayId, b.modelVersion, b.queueMs, b.inferenceMs, b.batchSize);
  }

  /**
   * A builder for a reply with this status.
   *
   * @throws IllegalArgumentException if the status is one a device concludes on its own (such
   *     as {@code timeout}), not one a relay sends
   */
  public static Builder builder(ReplyStatus status) {
    return new Builder(status);
  }

  /** A builder starting from this reply. */
  public Builder newBuilder() {
    return new Builder(status)
        .message(message)
        .outputs(outputs)
        .report(report);
  }

  /** What the relay reports about the run, as one value. */
  public RelayReport report() {
    return report;
  }

  public ReplyStatus status() {
    return status;
  }

  /** What happened, for a person; empty for {@code ok}. */
  public String message() {
    return message;
  }

  /** The model's outputs, in frame order; usually empty unless the status is {@code ok}. */
  public List<Tensor> outputs() {
    return outputs;
  }

  public String relayId() {
    return report.relayId();
  }

  public String modelVersion() {
    return report.modelVersion();
  }

  /** Time the request waited in the relay's queue, ms; -1 if not reported. */
  public double queueMs() {
    return report.queueMs();
  }

  /** Time of the model run for the request's batch, ms; -1 if not reported. */
  public double inferenceMs() {
    return report.inferenceMs();
  }

  /** Requests in the batch this one ran in; -1 if not reported. */
  public int batchSize() {
    return report.batchSize();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReplyFrame)) {
      return false;
    }
    ReplyFrame r = (ReplyFrame) o;
    return status == r.status && message.equals(r.message) && outputs.equals(r.outputs)
        && report.equals(r.report);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, message, outputs, report);
  }

  @Override
  public String toString() {
    return "ReplyFrame{" + status.wireName() + (message.isEmpty() ? "" : ": " + message)
        + ", outputs=" + outputs + ", relay=" + report.relayId() + "}";
  }

  /** Builder for {@link ReplyFrame}. */
  public static final class Builder {
    private final ReplyStatus status;
    private String message = "";
    private List<Tensor> outputs = new ArrayList<>();
    private String relayId = "";
    private String modelVersion = "";
    private double queueMs = -1;
    private double inferenceMs = -1;
    private int batchSize = -1;

    private Builder(ReplyStatus status) {
      Objects.requireNonNull(status, "status");
      this.status = status;
    }

    public Builder message(String message) {
      this.message = message == null ? "" : message;
      return this;
    }

    public Builder outputs(List<Tensor> outputs) {
      this.outputs = new ArrayList<>(Objects.requireNonNull(outputs, "outputs"));
      return this;
    }

    public Builder relayId(String relayId) {
      this.relayId = relayId == null ? "" : relayId;
      return this;
    }

    public Builder modelVersion(String modelVersion) {
      this.modelVersion = modelVersion == null ? "" : modelVersion;
      return this;
    }

    /** All the report's fields at once (each checked as by its own setter). */
    public Builder report(RelayReport r) {
      return relayId(r.relayId()).modelVersion(r.modelVersion()).queueMs(r.queueMs()).inferenceMs(r.inferenceMs())
          .batchSize(r.batchSize());
    }

    /** @throws IllegalArgumentException unless finite and >= 0, or -1 for "not reported" */
    public Builder queueMs(double v) {
      this.queueMs = checkMs("queueMs", v);
      return this;
    }

    /** @throws IllegalArgumentException unless finite and >= 0, or -1 for "not reported" */
    public Builder inferenceMs(double v) {
      this.inferenceMs = checkMs("inferenceMs", v);
      return this;
    }

    /** @throws IllegalArgumentException unless >= 1, or -1 for "not reported" */
    public Builder batchSize(int v) {
      if (v < 1 && v != -1) {
        throw new IllegalArgumentException("batchSize must be >= 1 or -1 (not reported), was " + v);
      }
      this.batchSize = v;
      return this;
    }

    /** @throws IllegalArgumentException if two outputs share a name */
    public ReplyFrame build() {
      return new ReplyFrame(this);
    }

    private static double checkMs(String option, double v) {
      if (Double.isNaN(v) || Double.isInfinite(v) || (v < 0 && v != -1)) {
        throw new IllegalArgumentException(option + " must be finite and >= 0, or -1 (not reported), was " + v);
      }
      return v + 0.0; // -0.0 becomes 0.0, so equal replies encode alike
    }
  }
}
