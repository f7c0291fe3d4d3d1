package dev.tandem.runtime;

import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import java.util.Collections;
import java.util.List;

/**
 * What one decision came to, fixed once known: the policy's decision in its context, the final
 * route and reason, the edge run and the cloud's result (either may be absent), the bytes, the
 * cost and the latency. Both the app's {@link Decision} and the spool's {@link DecisionRecord}
 * derive from it, so the two cannot disagree. Immutable.
 */
final class Outcome {
  /** Who decided what, when: the part of an outcome known before any model answers. */
  static final class Start {
    final String device;
    final long seq;
    final long timeMs;
    final String fleet;
    final String model;
    final DecisionContext context;
    final RouteDecision decided;

    Start(String device, long seq, long timeMs, String fleet, String model, DecisionContext context,
        RouteDecision decided) {
      this.device = device;
      this.seq = seq;
      this.timeMs = timeMs;
      this.fleet = fleet;
      this.model = model;
      this.context = context;
      this.decided = decided;
    }

    String id() {
      return Record.id(device, seq);
    }
  }

  final Start start;
  final Route route;
  final Reason reason;
  final EdgeRun edge;
  final CloudResult cloud;
  final List<Tensor> cloudOutputs;
  final long bytesUp;
  final long bytesDown;
  final Cost cost;
  final double latencyMs;

  private Outcome(Start start, Route route, Reason reason, EdgeRun edge, CloudResult cloud,
      List<Tensor> cloudOutputs, long bytesUp, long bytesDown, Cost cost, double latencyMs) {
    this.start = start;
    this.route = route;
    this.reason = reason;
    this.edge = edge;
    this.cloud = cloud;
    this.cloudOutputs = cloudOutputs;
    this.bytesUp = bytesUp;
    this.bytesDown = bytesDown;
    this.cost = cost;
    this.latencyMs = latencyMs;
  }

  /** The edge answered as the policy decided (route edge, or shadow before its reply). */
  static Outcome edge(Start s, EdgeRun edge, Cost cost, double latencyMs) {
    return new Outcome(s, s.decided.route(), s.decided.reason(), edge, null, Collections.emptyList(), 0, 0, cost,
        latencyMs);
  }

  /** The cloud answered; {@code edgeFirst} is the edge run the policy read, if any. */
  static Outcome cloud(Start s, EdgeRun edgeFirst, CloudResult cloud, List<Tensor> outputs, long bytesUp,
      long bytesDown, Cost cost, double latencyMs) {
    return new Outcome(s, Route.CLOUD, s.decided.reason(), edgeFirst, cloud, outputs, bytesUp, bytesDown, cost,
        latencyMs);
  }

  /** The cloud gave no usable answer: the edge answered, with the reason the cloud's status names. */
  static Outcome fallback(Start s, EdgeRun edge, CloudResult cloud, long bytesUp, long bytesDown, Cost cost,
      double latencyMs) {
    return new Outcome(s, Route.EDGE_FALLBACK, Reason.forStatus(cloud.status()), edge, cloud,
        Collections.emptyList(), bytesUp, bytesDown, cost, latencyMs);
  }

  /** A shadow decision's outcome once its reply (or its failure) is in: the answer stays the edge's. */
  Outcome withShadowReply(CloudResult cloud, long bytesUp, long bytesDown, Cost cost) {
    return new Outcome(start, route, reason, edge, cloud, Collections.emptyList(), bytesUp, bytesDown, cost,
        latencyMs);
  }

  /** The app's view: the answer and how it was reached. */
  Decision decision() {
    boolean fromCloud = route == Route.CLOUD;
    return new Decision(start.id(), route, reason, fromCloud ? cloudOutputs : edge.outputs,
        fromCloud ? cloud.prediction() : edge.signals.top1(), edge == null ? null : edge.signals,
        edge == null ? 0 : edge.ms, cloud == null ? -1 : cloud.roundTripMs(), latencyMs, cost,
        start.decided.propensity(), start.decided.explored(), cloud == null ? null : cloud.status());
  }

  /** The spool's view. @throws IllegalStateException if the decision sent a request and no cloud result is in */
  DecisionRecord record() {
    DecisionRecord.Builder b = DecisionRecord.builder().device(start.device).seq(start.seq).timeMs(start.timeMs)
        .fleet(start.fleet).model(start.model).decided(start.decided).context(start.context)
        .outcome(route, reason).bytes(bytesUp, bytesDown).cost(cost).latencyMs(latencyMs);
    if (edge != null) {
      b.edge(edge.result());
    }
    if (cloud != null) {
      b.cloud(cloud);
    }
    return b.build();
  }
}
