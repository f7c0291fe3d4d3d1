package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.EchoResponder;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import dev.tandem.runtime.testing.ReplayCheck;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade over the real MQTT offloader, a real Mosquitto broker and a stand-in relay. */
class TandemMqttTest {
  @TempDir Path dir;

  static List<Tensor> x(float... v) {
    return Collections.singletonList(Tensor.ofFloats(TinyModels.FEATURES, v, 1, 4));
  }

  @Test
  void infer_overMqtt_cloudAnswer_timeoutWithLateReply_thenOfflineWhenBrokerStops() throws Exception {
    Policy policy = Policy.builder().version(1).threshold(0.8).deadlineMs(3_000).deadlineRisk(false).build();
    List<Record> written = new CopyOnWriteArrayList<>();
    try (TestBroker broker = TestBrokers.start();
        EchoResponder relay = EchoResponder.start(broker.url())) {
      List<AmendmentRecord> late = new CopyOnWriteArrayList<>();
      try (Tandem t = Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny")
          .deviceId("dev-m").policy(policy).cloud(CloudConnection.builder().serverUri(broker.url()).build())
          .spool(Spool.builder(dir).build()).random(new Random(3)).recordListener(written::add)
          .lateReplyListener(late::add).build()) {
        assertThat(t.awaitCloud(10, TimeUnit.SECONDS)).isTrue();
        // The stand-in relay echoes the input: softmax of (1, 1.2, 0, 0) has top-1 1.
        Decision cloud = t.infer(x(1, 1.2f, 0, 0));
        assertThat(cloud.route()).isEqualTo(Route.CLOUD);
        assertThat(cloud.cloudStatus()).contains(OffloadStatus.OK);
        assertThat(cloud.prediction()).isEqualTo(1);

        relay.delayMs(6_000); // twice the deadline, with room for a loaded machine
        Decision slow = t.infer(x(1, 1.2f, 0, 0));
        assertThat(slow.route()).isEqualTo(Route.EDGE_FALLBACK);
        assertThat(slow.reason()).isEqualTo(Reason.TIMEOUT);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (written.stream().noneMatch(r -> r instanceof AmendmentRecord) && System.nanoTime() < until) {
          Thread.sleep(10);
        }
        while (late.isEmpty() && System.nanoTime() < until) {
          Thread.sleep(10);
        }
        assertThat(late).singleElement().satisfies(a -> assertThat(a.decisionId()).isEqualTo(slow.id()));

        relay.delayMs(0);
        broker.stop();
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.cloudAvailable() && System.nanoTime() < until) {
          Thread.sleep(10);
        }
        Decision offline = t.infer(x(1, 1.2f, 0, 0));
        assertThat(offline.route()).isEqualTo(Route.EDGE_FALLBACK);
        assertThat(offline.reason()).isEqualTo(Reason.OFFLINE);
        assertThat(t.infer(x(5, 0, 0, 0)).route()).isEqualTo(Route.EDGE);
      }
    }
    List<Record> all = Spool.readAll(dir).records();
    assertThat(all.stream().filter(r -> r instanceof DecisionRecord)).hasSize(4);
    DecisionRecord first = (DecisionRecord) all.get(0);
    assertThat(first.cloud().get().relayId()).isEqualTo("echo");
    assertThat(first.bytesUp()).isPositive();
    assertThat(first.bytesDown()).isPositive();
    AmendmentRecord late = all.stream().filter(r -> r instanceof AmendmentRecord).map(r -> (AmendmentRecord) r)
        .findFirst().get();
    assertThat(late.type()).isEqualTo(AmendmentRecord.Type.LATE_REPLY);
    assertThat(late.decisionId()).isEqualTo("dev-m:2");
    ReplayCheck.assertEveryDecisionReplays(dir, policy);
  }
}
