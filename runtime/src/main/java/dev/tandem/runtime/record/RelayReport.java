package dev.tandem.runtime.record;

import java.util.Objects;

/**
 * What a relay reports about the run that answered a request: its id, the model version, the
 * time the request queued and the model ran, and the batch it ran in. Numbers not reported are
 * -1, strings empty ({@link #NONE} for a request no relay answered). The same value travels from
 * the reply on the wire to the offload's result and the decision record's cloud part. Immutable.
 */
public final class RelayReport {
  /** Nothing reported. */
  public static final RelayReport NONE = new RelayReport("", "", -1, -1, -1);

  private final String relayId;
  private final String modelVersion;
  private final double queueMs;
  private final double inferenceMs;
  private final int batchSize;

  private RelayReport(String relayId, String modelVersion, double queueMs, double inferenceMs, int batchSize) {
    this.relayId = relayId;
    this.modelVersion = modelVersion;
    this.queueMs = queueMs;
    this.inferenceMs = inferenceMs;
    this.batchSize = batchSize;
  }

  /** A report; null strings become empty. */
  public static RelayReport of(String relayId, String modelVersion, double queueMs, double inferenceMs,
      int batchSize) {
    return new RelayReport(relayId == null ? "" : relayId, modelVersion == null ? "" : modelVersion, queueMs,
        inferenceMs, batchSize);
  }

  public String relayId() {
    return relayId;
  }

  public String modelVersion() {
    return modelVersion;
  }

  /** Ms the request waited at the relay, or -1. */
  public double queueMs() {
    return queueMs;
  }

  /** Ms the cloud model ran, or -1. */
  public double inferenceMs() {
    return inferenceMs;
  }

  /** Requests in the batch it ran in, or -1. */
  public int batchSize() {
    return batchSize;
  }

  /** This report with another relay id. */
  public RelayReport withRelayId(String id) {
    return of(id, modelVersion, queueMs, inferenceMs, batchSize);
  }

  /** This report with another model version. */
  public RelayReport withModelVersion(String version) {
    return of(relayId, version, queueMs, inferenceMs, batchSize);
  }

  /** This report with another queue time. */
  public RelayReport withQueueMs(double ms) {
    return of(relayId, modelVersion, ms, inferenceMs, batchSize);
  }

  /** This report with another inference time. */
  public RelayReport withInferenceMs(double ms) {
    return of(relayId, modelVersion, queueMs, ms, batchSize);
  }

  /** This report with another batch size. */
  public RelayReport withBatchSize(int size) {
    return of(relayId, modelVersion, queueMs, inferenceMs, size);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof RelayReport)) {
      return false;
    }
    RelayReport r = (RelayReport) o;
    return relayId.equals(r.relayId) && modelVersion.equals(r.modelVersion)
        && Double.compare(queueMs, r.queueMs) == 0 && Double.compare(inferenceMs, r.inferenceMs) == 0
        && batchSize == r.batchSize;
  }

  @Override
  public int hashCode() {
    return Objects.hash(relayId, modelVersion, queueMs, inferenceMs, batchSize);
  }

  @Override
  public String toString() {
    return "RelayReport{" + relayId + ", model " + modelVersion + ", queue " + queueMs + " ms, inference "
        + inferenceMs + " ms, batch " + batchSize + "}";
  }
}
