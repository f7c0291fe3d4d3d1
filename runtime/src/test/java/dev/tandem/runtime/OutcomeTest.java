package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.RelayReport;
import dev.tandem.runtime.signal.ClassificationScorer;
import dev.tandem.runtime.testing.SampleRecords;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The app's Decision and the spool's DecisionRecord of one outcome agree on everything they share. */
class OutcomeTest {
  static final DecisionContext CONTEXT = SampleRecords.decision("dev-1", 1, 0, new Random(1)).context();
  static final List<Tensor> EDGE_OUT = List.of(Tensor.ofFloats("p", new float[] {0.3f, 0.7f}, 1, 2));
  static final List<Tensor> CLOUD_OUT = List.of(Tensor.ofFloats("p", new float[] {0.9f, 0.1f}, 1, 2));
  static final EdgeRun EDGE = new EdgeRun(EDGE_OUT, ClassificationScorer.firstOutput().score(EDGE_OUT), 1.5,
      ExecutionProvider.CPU);
  static final RelayReport REPORT = RelayReport.of("relay-1", "v3", 0.5, 7.25, 4);
  static final Cost COST = Cost.of(0.01, 0.0001, 0.0002, 0.0003);

  static Outcome.Start start(Route route, Reason reason) {
    return new Outcome.Start("dev-1", 17, 1_700_000_000_000L, "fleet-a", "spam", CONTEXT,
        RouteDecision.of(route, reason, route.asksCloud() ? 1.0 : 0.0, false));
  }

  static void assertAgree(Decision d, DecisionRecord r) {
    assertThat(d.id()).isEqualTo(r.id()).isEqualTo("dev-1:17");
    assertThat(d.route()).isEqualTo(r.route());
    assertThat(d.reason()).isEqualTo(r.reason());
    assertThat(d.latencyMs()).isEqualTo(r.latencyMs());
    assertThat(d.cost()).isEqualTo(r.cost());
    assertThat(d.propensity()).isEqualTo(r.propensity());
    assertThat(d.explored()).isEqualTo(r.explored());
    assertThat(d.edgeMs()).isEqualTo(r.edge().map(e -> e.latencyMs()).orElse(0.0));
    assertThat(d.cloudStatus()).isEqualTo(r.cloud().map(CloudResult::status));
    assertThat(d.cloudRoundTripMs()).isEqualTo(r.cloud().map(CloudResult::roundTripMs).orElse(-1.0));
  }

  @Test
  void edge_decisionAndRecordAgree() {
    Outcome o = Outcome.edge(start(Route.EDGE, Reason.CONFIDENT), EDGE, COST, 2.5);
    Decision d = o.decision();
    DecisionRecord r = o.record();
    assertAgree(d, r);
    assertThat(d.prediction()).isEqualTo(1).isEqualTo(r.edge().get().prediction());
    assertThat(d.output()).isEqualTo(EDGE_OUT);
    assertThat(r.cloud()).isEmpty();
  }

  @Test
  void cloud_decisionAndRecordAgree_andTheRelaysReportReachesTheRecordWhole() {
    CloudResult cr = CloudResult.of(OffloadStatus.OK, "", 0, 42.0, 300, REPORT);
    Outcome o = Outcome.cloud(start(Route.CLOUD, Reason.LOW_CONFIDENCE), EDGE, cr, CLOUD_OUT, 100, 200, COST, 45.0);
    Decision d = o.decision();
    DecisionRecord r = o.record();
    assertAgree(d, r);
    assertThat(d.prediction()).isZero();
    assertThat(d.output()).isEqualTo(CLOUD_OUT);
    assertThat(d.signals()).contains(EDGE.signals);
    assertThat(r.cloud().get().relay()).isEqualTo(REPORT);
    assertThat(r.bytesUp()).isEqualTo(100);
    assertThat(r.bytesDown()).isEqualTo(200);
  }

  @Test
  void fallback_takesItsReasonFromTheCloudsStatus_inBoth() {
    CloudResult cr = CloudResult.of(OffloadStatus.TIMEOUT, "no reply", -1, -1, 300, RelayReport.NONE);
    Outcome o = Outcome.fallback(start(Route.CLOUD, Reason.LOW_CONFIDENCE), EDGE, cr, 100, 0, COST, 301.0);
    Decision d = o.decision();
    DecisionRecord r = o.record();
    assertAgree(d, r);
    assertThat(d.route()).isEqualTo(Route.EDGE_FALLBACK);
    assertThat(d.reason()).isEqualTo(Reason.forStatus(OffloadStatus.TIMEOUT));
    assertThat(r.decided().route()).isEqualTo(Route.CLOUD);
    assertThat(d.output()).isEqualTo(EDGE_OUT);
  }

  @Test
  void shadow_answersBeforeItsReply_andItsRecordWaitsForIt() {
    Outcome answered = Outcome.edge(start(Route.SHADOW, Reason.EXPLORE), EDGE, COST, 2.5);
    Decision d = answered.decision();
    assertThat(d.route()).isEqualTo(Route.SHADOW);
    assertThat(d.cloudStatus()).isEmpty();
    assertThatThrownBy(answered::record).isInstanceOf(IllegalStateException.class).hasMessageContaining("cloud");
    CloudResult cr = CloudResult.of(OffloadStatus.OK, "", 0, 40.0, 300, REPORT);
    DecisionRecord r = answered.withShadowReply(cr, 100, 200, COST).record();
    assertThat(r.route()).isEqualTo(Route.SHADOW);
    assertThat(r.latencyMs()).isEqualTo(d.latencyMs());
    assertThat(r.edge().get().prediction()).isEqualTo(d.prediction());
    assertThat(r.cloud().get().relay()).isEqualTo(REPORT);
  }
}
