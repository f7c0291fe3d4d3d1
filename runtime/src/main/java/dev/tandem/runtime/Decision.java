package dev.tandem.runtime;

import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.signal.Signals;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The answer to one {@link Tandem#infer} call and how it was reached: the route and reason, the
 * output tensors (the cloud model's on route {@code cloud}, else the edge model's), the top-1
 * class, the edge signals, the timings and the cost. Immutable.
 *
 * <p>On route {@code shadow} the cloud's reply is still outstanding when this value is returned:
 * {@link #cost()} then counts the request as sent and served; the decision record, written when
 * the reply comes, holds what actually happened.
 */
public final class Decision {
  private final String id;
  private final Route route;
  private final Reason reason;
  private final List<Tensor> output;
  private final int prediction;
  private final Signals signals;
  private final double edgeMs;
  private final double cloudRoundTripMs;
  private final double latencyMs;
  private final Cost cost;
  private final double propensity;
  private final boolean explored;
  private final OffloadStatus cloudStatus;

  Decision(String id, Route route, Reason reason, List<Tensor> output, int prediction, Signals signals, double edgeMs,
      double cloudRoundTripMs, double latencyMs, Cost cost, double propensity, boolean explored,
      OffloadStatus cloudStatus) {
    this.id = id;
    this.route = route;
    this.reason = reason;
    this.output = Collections.unmodifiableList(new ArrayList<>(output));
    this.prediction = prediction;
    this.signals = signals;
    this.edgeMs = edgeMs;
    this.cloudRoundTripMs = cloudRoundTripMs;
    this.latencyMs = latencyMs;
    this.cost = cost;
    this.propensity = propensity;
    this.explored = explored;
    this.cloudStatus = cloudStatus;
  }

  /** The decision's id ({@code deviceId:seq}), for {@link Tandem#feedback}. */
  public String id() {
    return id;
  }

  public Route route() {
    return route;
  }

  public Reason reason() {
    return reason;
  }

  /** The answer's output tensors. */
  public List<Tensor> output() {
    return output;
  }

  /** The answer's top-1 class. */
  public int prediction() {
    return prediction;
  }

  /** The edge answer's signals; empty when the edge model did not run. */
  public Optional<Signals> signals() {
    return Optional.ofNullable(signals);
  }

  /** Edge model run and scoring time in ms; 0 when it did not run. */
  public double edgeMs() {
    return edgeMs;
  }

  /** The cloud round trip in ms; -1 when no reply came (or, on {@code shadow}, has not come yet). */
  public double cloudRoundTripMs() {
    return cloudRoundTripMs;
  }

  /** From the call to the answer, in ms. */
  public double latencyMs() {
    return latencyMs;
  }

  public Cost cost() {
    return cost;
  }

  /** Probability that a decision in this context asks the cloud. */
  public double propensity() {
    return propensity;
  }

  /** Whether the cloud was asked because of exploration. */
  public boolean explored() {
    return explored;
  }

  /** How the offload ended; empty when none was made (or, on {@code shadow}, has not ended yet). */
  public Optional<OffloadStatus> cloudStatus() {
    return Optional.ofNullable(cloudStatus);
  }

  @Override
  public String toString() {
    return "Decision{" + id + " " + route.jsonName() + "/" + reason.jsonName() + " -> " + prediction + ", "
        + String.format(java.util.Locale.ROOT, "%.2f", latencyMs) + " ms}";
  }
}
