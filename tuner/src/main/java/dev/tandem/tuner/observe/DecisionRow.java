package dev.tandem.tuner.observe;

import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.tuner.store.LoggedDecision;
import java.time.LocalDate;
import java.util.Optional;

/**
 * One decision with its amendments joined, flattened to what the report, the drift detector and
 * the hard-example export read.
 *
 * @param date the store's receive-date partition the decision was filed under
 * @param route the outcome ({@code edge}, {@code cloud}, {@code edge_fallback}, {@code shadow})
 * @param decidedRoute what the policy decided ({@code cloud} for every offload, fallen back or not)
 * @param maxProb the edge's top-1 probability, NaN when the edge did not run
 * @param edgePrediction the edge's top-1, -1 when it did not run
 * @param cloudPrediction the cloud's answer (in time or late), -1 without one
 * @param label the true class the app reported, -1 without one
 * @param offloadUsd network and cloud cost of the decision
 * @param cloudRoundTripMs the device-measured round trip, -1 without a reply in time
 */
public record DecisionRow(
    String device,
    long seq,
    LocalDate date,
    long timeMs,
    long policyVersion,
    String edgeModelHash,
    String network,
    String deviceClass,
    String route,
    String decidedRoute,
    String reason,
    boolean explored,
    double propensity,
    double maxProb,
    double margin,
    double entropy,
    int edgePrediction,
    int cloudPrediction,
    String cloudStatus,
    int label,
    double edgeUsd,
    double offloadUsd,
    double latencyMs,
    double edgeLatencyMs,
    double cloudRoundTripMs) {

  /** The decision's id, {@code device:seq}. */
  public String id() {
    return device + ":" + seq;
  }

  /** The policy asked the cloud for the answer (whether or not one came in time). */
  public boolean offloaded() {
    return Route.CLOUD.jsonName().equals(decidedRoute);
  }

  /** The cloud was asked for the log only. */
  public boolean shadow() {
    return Route.SHADOW.jsonName().equals(route);
  }

  /** An offload that got no usable answer in time. */
  public boolean fallback() {
    return Route.EDGE_FALLBACK.jsonName().equals(route);
  }

  public boolean hasEdge() {
    return edgePrediction >= 0;
  }

  public boolean hasCloudAnswer() {
    return cloudPrediction >= 0;
  }

  public boolean hasLabel() {
    return label >= 0;
  }

  /** Total cost of the decision in USD. */
  public double costUsd() {
    return edgeUsd + offloadUsd;
  }

  /**
   * Flattens a decision with its late reply and label, if any.
   *
   * @param late the decision's {@code late_reply} amendment, or null
   * @param label its {@code label} amendment, or null
   */
  public static DecisionRow of(DecisionRecord d, LocalDate date, AmendmentRecord late, AmendmentRecord label) {
    return of(d, date, late == null ? null : late.cloud().orElse(null), label == null ? -1 : label.label());
  }

  /** A decision the store reader joined with its amendments, filed under receive date {@code date}. */
  public static DecisionRow of(LoggedDecision d, LocalDate date) {
    return of(d.record(), date, d.lateReply().orElse(null), d.label());
  }

  private static DecisionRow of(DecisionRecord d, LocalDate date, CloudResult late, int label) {
    Optional<CloudResult> cloud = d.cloud();
    int cloudPrediction = cloud.filter(c -> c.status() == OffloadStatus.OK).map(CloudResult::prediction).orElse(-1);
    if (cloudPrediction < 0 && late != null && late.status() == OffloadStatus.OK) {
      cloudPrediction = late.prediction();
    }
    double maxProb = Double.NaN;
    double margin = Double.NaN;
    double entropy = Double.NaN;
    int edgePrediction = -1;
    double edgeLatency = -1;
    if (d.edge().isPresent()) {
      var e = d.edge().get();
      maxProb = e.signals().maxProb();
      margin = e.signals().margin();
      entropy = e.signals().entropy();
      edgePrediction = e.prediction();
      edgeLatency = e.latencyMs();
    }
    return new DecisionRow(d.device(), d.seq(), date, d.timeMs(), d.policyVersion(), d.edgeModelHash(),
        d.context().device().networkType().jsonName(), d.context().device().deviceClass(), d.route().jsonName(),
        d.decided().route().jsonName(), d.reason().jsonName(), d.explored(), d.propensity(), maxProb, margin,
        entropy, edgePrediction, cloudPrediction, cloud.map(c -> c.status().wireName()).orElse(""), label,
        d.cost().edgeUsd(), d.cost().networkUsd() + d.cost().cloudUsd(), d.latencyMs(), edgeLatency,
        cloud.map(CloudResult::roundTripMs).orElse(-1.0));
  }
}
