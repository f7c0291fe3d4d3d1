package dev.tandem.runtime.record;

import dev.tandem.runtime.internal.offload.OffloadResult;
import dev.tandem.runtime.offload.OffloadStatus;
import java.util.Objects;

/**
 * The cloud's part of a decision: how the offload ended, the cloud model's top-1 (-1 when it did
 * not answer), the round trip the device measured, the budget the request carried, and what the
 * relay reported (relay id, model version, queue and inference ms, batch size; -1 or empty when
 * not reported). Immutable.
 */
public final class CloudResult {
  private final OffloadStatus status;
  private final String message;
  private final int prediction;
  private final double roundTripMs;
  private final long budgetMs;
  private final RelayReport relay;

  private CloudResult(OffloadStatus status, String message, int prediction, double roundTripMs, long budgetMs,
      RelayReport relay) {
    this.status = status;
    this.message = message;
    this.prediction = prediction;
    this.roundTripMs = roundTripMs;
    this.budgetMs = budgetMs;
    this.relay = relay;
  }

  public static CloudResult of(OffloadStatus status, String message, int prediction, double roundTripMs,
      long budgetMs, RelayReport relay) {
    return new CloudResult(Objects.requireNonNull(status, "status"), message == null ? "" : message, prediction,
        roundTripMs, budgetMs, Objects.requireNonNull(relay, "relay"));
  }

  /** As {@link #of(OffloadStatus, String, int, double, long, RelayReport)} with the report's fields one by one. */
  public static CloudResult of(OffloadStatus status, String message, int prediction, double roundTripMs,
      long budgetMs, String relayId, String modelVersion, double queueMs, double inferenceMs, int batchSize) {
    return of(status, message, prediction, roundTripMs, budgetMs,
        RelayReport.of(relayId, modelVersion, queueMs, inferenceMs, batchSize));
  }

  /** From an offloader's result, with the top-1 the caller read from its outputs (-1 if none). */
  public static CloudResult from(OffloadResult r, int prediction, long budgetMs) {
    return of(r.status(), r.message(), prediction, r.roundTripMs(), budgetMs, r.relay());
  }

  /** What the relay reported about the run. */
  public RelayReport relay() {
    return relay;
  }

  public OffloadStatus status() {
    return status;
  }

  public String message() {
    return message;
  }

  public int prediction() {
    return prediction;
  }

  public double roundTripMs() {
    return roundTripMs;
  }

  /** The budget in ms the request carried (the time left to the decision's deadline). */
  public long budgetMs() {
    return budgetMs;
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
}
