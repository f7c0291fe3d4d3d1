package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.model.InvalidInputException;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.runtime.policy.Mode;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.LocalModelOffloader;
import dev.tandem.runtime.testing.ReplayCheck;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TandemTest {
  /** Edge answer class 0 with p ~0.99. */
  static final float[] CONFIDENT = {5, 0, 0, 0};
  /** Edge answer class 1 with p ~0.64; with the first feature raised to 3 (the cloud input below) class 0. */
  static final float[] UNSURE = {1, 1.2f, 0, 0};

  static final Policy CASCADE = Policy.builder().version(1).threshold(0.8).deadlineMs(400).build();

  @TempDir Path dir;
  private final List<Policy> policies = new ArrayList<>();
  private final List<Record> written = new CopyOnWriteArrayList<>();

  static List<Tensor> x(float... v) {
    return Collections.singletonList(Tensor.ofFloats(TinyModels.FEATURES, v, 1, 4));
  }

  /** A tensor the edge model refuses: [1, 3] where it takes [batch, 4]. */
  static List<Tensor> wrongShape() {
    return Collections.singletonList(Tensor.ofFloats(TinyModels.FEATURES, new float[] {1, 2, 3}, 1, 3));
  }

  /** The cloud sees a sharper input: the first feature raised by 2. */
  static CloudInput sharper(float[] v, AtomicInteger built) {
    return CloudInput.lazy(16, () -> {
      built.incrementAndGet();
      return x(v[0] + 2, v[1], v[2], v[3]);
    });
  }

  Path spoolDir() {
    return dir.resolve("spool");
  }

  Tandem.Builder tandem(Policy p, LocalModelOffloader offloader) {
    policies.add(p);
    Tandem.Builder b = Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny")
        .deviceId("dev-1").fleet("test").policy(p).spool(Spool.builder(spoolDir()).build()).random(new Random(7))
        .prices(Prices.builder().devicePowerWatts(2).networkUsdPerGb(NetworkType.WIFI, 1).cloudPer1000Requests(0.5)
            .build())
        .recordListener(written::add);
    return offloader == null ? b : b.offloader(offloader);
  }

  static LocalModelOffloader cloud() {
    return new LocalModelOffloader(TinyModels.classifier());
  }

  @AfterEach
  void everyDecisionReplays() {
    if (Files.exists(spoolDir())) {
      ReplayCheck.assertEveryDecisionReplays(spoolDir(), policies.toArray(new Policy[0]));
    }
  }

  List<Record> spooled() {
    return Spool.readAll(spoolDir()).records();
  }

  DecisionRecord onlyDecision() {
    List<DecisionRecord> d = spooled().stream().filter(r -> r instanceof DecisionRecord).map(r -> (DecisionRecord) r)
        .collect(Collectors.toList());
    assertThat(d).hasSize(1);
    return d.get(0);
  }

  @Test
  void infer_confidentInput_answersOnTheEdgeWithoutBuildingTheCloudInput() {
    AtomicInteger built = new AtomicInteger();
    LocalModelOffloader off = cloud();
    Decision d;
    try (Tandem t = tandem(CASCADE, off).build()) {
      d = t.infer(x(CONFIDENT), sharper(CONFIDENT, built));
    }
    assertThat(d.route()).isEqualTo(Route.EDGE);
    assertThat(d.reason()).isEqualTo(Reason.CONFIDENT);
    assertThat(d.prediction()).isZero();
    assertThat(d.signals().get().maxProb()).isGreaterThan(0.95);
    assertThat(d.output()).hasSize(2);
    assertThat(d.edgeMs()).isPositive();
    assertThat(d.cost().edgeJoules()).isEqualTo(d.edgeMs() / 1000 * 2, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(d.cost().cloudUsd()).isZero();
    assertThat(built).hasValue(0);
    assertThat(off.requests()).isZero();
    DecisionRecord r = onlyDecision();
    assertThat(r.id()).isEqualTo(d.id()).isEqualTo("dev-1:1");
    assertThat(r.route()).isEqualTo(Route.EDGE);
    assertThat(r.cloud()).isEmpty();
    assertThat(r.edge().get().provider()).isEqualTo("cpu");
    assertThat(r.fleet()).isEqualTo("test");
    assertThat(r.edgeModelHash()).hasSize(64);
    assertThat(r.context().payloadBytes()).isEqualTo(16);
  }

  @Test
  void infer_unsureInput_answersFromTheCloudModel() {
    AtomicInteger built = new AtomicInteger();
    LocalModelOffloader off = cloud();
    Decision d;
    try (Tandem t = tandem(CASCADE, off).build()) {
      d = t.infer(x(UNSURE), sharper(UNSURE, built));
    }
    assertThat(d.route()).isEqualTo(Route.CLOUD);
    assertThat(d.reason()).isEqualTo(Reason.LOW_CONFIDENCE);
    assertThat(d.signals().get().top1()).as("edge").isEqualTo(1);
    assertThat(d.prediction()).as("cloud").isZero();
    assertThat(d.cloudStatus()).contains(OffloadStatus.OK);
    assertThat(d.cloudRoundTripMs()).isPositive();
    assertThat(d.cost().cloudUsd()).isEqualTo(0.0005);
    assertThat(built).hasValue(1);
    assertThat(off.computed()).isEqualTo(1);
    DecisionRecord r = onlyDecision();
    assertThat(r.route()).isEqualTo(Route.CLOUD);
    assertThat(r.cloud().get().prediction()).isZero();
    assertThat(r.cloud().get().relayId()).isEqualTo("local-relay");
    assertThat(r.cloud().get().budgetMs()).isBetween(1L, 400L);
    assertThat(r.edge().get().prediction()).isEqualTo(1);
    assertThat(r.bytesUp()).isEqualTo(16 + 64);
    assertThat(r.prediction()).isZero();
  }

  @Test
  void infer_withoutOffloader_fallsBackWithReasonNoOffloader() {
    Decision d;
    try (Tandem t = tandem(CASCADE, null).build()) {
      d = t.infer(x(UNSURE));
    }
    assertThat(d.route()).isEqualTo(Route.EDGE_FALLBACK);
    assertThat(d.reason()).isEqualTo(Reason.NO_OFFLOADER);
    assertThat(d.prediction()).isEqualTo(1);
    assertThat(onlyDecision().reason()).isEqualTo(Reason.NO_OFFLOADER);
  }

  @Test
  void infer_offloaderDisconnectedOrNetworkNone_fallsBackOffline() {
    LocalModelOffloader off = cloud().available(false);
    try (Tandem t = tandem(CASCADE, off).build()) {
      assertThat(t.infer(x(UNSURE)).reason()).isEqualTo(Reason.OFFLINE);
    }
    Path other = dir.resolve("spool2");
    policies.add(CASCADE);
    try (Tandem t = Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny")
        .deviceId("dev-2").policy(CASCADE).offloader(cloud()).spool(Spool.builder(other).build())
        .deviceState(DeviceStateProvider.fixed(DeviceState.of(NetworkType.NONE))).build()) {
      Decision d = t.infer(x(UNSURE));
      assertThat(d.route()).isEqualTo(Route.EDGE_FALLBACK);
      assertThat(d.reason()).isEqualTo(Reason.OFFLINE);
    }
    ReplayCheck.assertEveryDecisionReplays(other, CASCADE);
  }

  @Test
  void infer_cloudTooSlow_fallsBackOnTimeoutAndRecordsTheLateReply() throws Exception {
    LocalModelOffloader off = cloud().delayMs(1000);
    Policy p = CASCADE.toBuilder().deadlineMs(150).build();
    Decision d;
    try (Tandem t = tandem(p, off).build()) {
      long t0 = System.nanoTime();
      d = t.infer(x(UNSURE));
      double waited = (System.nanoTime() - t0) / 1e6;
      // The answer came at the deadline (150 ms) plus timer slack, well before the reply (1 s).
      assertThat(waited).isLessThan(900);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (written.stream().noneMatch(r -> r instanceof AmendmentRecord) && System.nanoTime() < until) {
        Thread.sleep(10);
      }
    }
    assertThat(d.route()).isEqualTo(Route.EDGE_FALLBACK);
    assertThat(d.reason()).isEqualTo(Reason.TIMEOUT);
    assertThat(d.prediction()).isEqualTo(1);
    assertThat(d.cloudStatus()).contains(OffloadStatus.TIMEOUT);
    List<Record> all = spooled();
    AmendmentRecord late = all.stream().filter(r -> r instanceof AmendmentRecord).map(r -> (AmendmentRecord) r)
        .findFirst().get();
    assertThat(late.type()).isEqualTo(AmendmentRecord.Type.LATE_REPLY);
    assertThat(late.decisionId()).isEqualTo(d.id());
    assertThat(late.cloud().get().status()).isEqualTo(OffloadStatus.OK);
    assertThat(late.cloud().get().prediction()).isEqualTo(1);
    assertThat(late.cloud().get().roundTripMs()).isGreaterThanOrEqualTo(1000);
    assertThat(late.seq()).isEqualTo(2);
  }

  @Test
  void infer_relayBusy_fallsBackBusy() {
    LocalModelOffloader off = cloud().status(OffloadStatus.BUSY);
    Decision d;
    try (Tandem t = tandem(CASCADE, off).build()) {
      d = t.infer(x(UNSURE));
    }
    assertThat(d.route()).isEqualTo(Route.EDGE_FALLBACK);
    assertThat(d.reason()).isEqualTo(Reason.BUSY);
    DecisionRecord r = onlyDecision();
    assertThat(r.decided().route()).isEqualTo(Route.CLOUD);
    assertThat(r.cloud().get().status()).isEqualTo(OffloadStatus.BUSY);
    assertThat(r.cost().cloudUsd()).as("a refused request is not charged").isZero();
  }

  @Test
  void infer_shadowExploration_answersFromTheEdgeAndRecordsTheCloud() {
    Policy p = CASCADE.toBuilder().exploration(1.0, ExplorationKind.SHADOW).build();
    LocalModelOffloader off = cloud().delayMs(300);
    Decision d;
    try (Tandem t = tandem(p, off).build()) {
      d = t.infer(x(CONFIDENT));
      assertThat(d.latencyMs()).as("the edge answers without waiting for the cloud").isLessThan(300);
    }
    assertThat(d.route()).isEqualTo(Route.SHADOW);
    assertThat(d.reason()).isEqualTo(Reason.EXPLORE);
    assertThat(d.explored()).isTrue();
    assertThat(d.propensity()).isEqualTo(1.0);
    assertThat(d.prediction()).isZero();
    DecisionRecord r = onlyDecision();
    assertThat(r.route()).isEqualTo(Route.SHADOW);
    assertThat(r.cloud().get().status()).isEqualTo(OffloadStatus.OK);
    assertThat(r.cloud().get().roundTripMs()).isGreaterThanOrEqualTo(300);
    assertThat(r.explored()).isTrue();
  }

  @Test
  void infer_cloudOnly_runsTheEdgeModelOnlyWhenTheCloudFails() {
    Policy p = Policy.builder().version(2).mode(Mode.CLOUD_ONLY).deadlineMs(400).build();
    LocalModelOffloader off = cloud();
    try (Tandem t = tandem(p, off).build()) {
      Decision ok = t.infer(x(UNSURE));
      assertThat(ok.route()).isEqualTo(Route.CLOUD);
      assertThat(ok.reason()).isEqualTo(Reason.CLOUD_ONLY);
      assertThat(ok.signals()).isEmpty();
      assertThat(ok.edgeMs()).isZero();
      off.status(OffloadStatus.INTERNAL_ERROR);
      Decision failed = t.infer(x(UNSURE));
      assertThat(failed.route()).isEqualTo(Route.EDGE_FALLBACK);
      assertThat(failed.reason()).isEqualTo(Reason.INTERNAL_ERROR);
      assertThat(failed.prediction()).isEqualTo(1);
      assertThat(failed.signals()).isPresent();
    }
    List<Record> all = spooled();
    assertThat(((DecisionRecord) all.get(0)).edge()).isEmpty();
    assertThat(((DecisionRecord) all.get(1)).edge()).isPresent();
    assertThat(((DecisionRecord) all.get(1)).context().signals()).as("decided before the edge ran").isEmpty();
  }

  @Test
  void inferAsync_completesWithTheSameAnswers() throws Exception {
    try (Tandem t = tandem(CASCADE, cloud()).build()) {
      Decision a = t.inferAsync(x(CONFIDENT)).get(5, TimeUnit.SECONDS);
      Decision b = t.inferAsync(x(UNSURE)).get(5, TimeUnit.SECONDS);
      assertThat(a.route()).isEqualTo(Route.EDGE);
      assertThat(b.route()).isEqualTo(Route.CLOUD);
      assertThat(b.prediction()).isEqualTo(1); // the cloud got the same input here
      assertThatThrownBy(() -> t.inferAsync(wrongShape()).get(5, TimeUnit.SECONDS))
          .hasCauseInstanceOf(InvalidInputException.class);
    }
    assertThat(spooled()).hasSize(2);
  }

  @Test
  void infer_inputTheEdgeModelRefuses_throwsAndWritesNothing() {
    try (Tandem t = tandem(CASCADE, cloud()).build()) {
      assertThatThrownBy(() -> t.infer(wrongShape())).isInstanceOf(InvalidInputException.class);
      assertThat(t.infer(x(CONFIDENT)).id()).isEqualTo("dev-1:1");
    }
    assertThat(spooled()).hasSize(1);
  }

  @Test
  void feedback_writesALabelAmendment_andRefusesForeignIds() {
    try (Tandem t = tandem(CASCADE, cloud()).build()) {
      Decision d = t.infer(x(UNSURE));
      t.feedback(d.id(), 0);
      assertThatThrownBy(() -> t.feedback("dev-2:1", 0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dev-2:1");
      assertThatThrownBy(() -> t.feedback("dev-1:99", 0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> t.feedback(d.id(), -1)).isInstanceOf(IllegalArgumentException.class);
    }
    List<Record> all = spooled();
    assertThat(all).hasSize(2);
    AmendmentRecord a = (AmendmentRecord) all.get(1);
    assertThat(a.type()).isEqualTo(AmendmentRecord.Type.LABEL);
    assertThat(a.decisionId()).isEqualTo("dev-1:1");
    assertThat(a.label()).isZero();
    assertThat(a.id()).isEqualTo("dev-1:2");
  }

  @Test
  void restart_sequenceContinuesAboveEveryNumberHandedOut() {
    Set<Long> first = new HashSet<>();
    try (Tandem t = tandem(CASCADE, null).build()) {
      for (int i = 0; i < 3; i++) {
        first.add(Long.parseLong(t.infer(x(CONFIDENT)).id().substring(6)));
      }
    }
    long next;
    try (Tandem t = tandem(CASCADE, null).build()) {
      next = Long.parseLong(t.infer(x(CONFIDENT)).id().substring(6));
    }
    assertThat(next).isGreaterThan(first.stream().mapToLong(Long::longValue).max().getAsLong());
  }

  @Test
  void close_isIdempotent_andInferAfterCloseIsRefused() {
    Tandem t = tandem(CASCADE, cloud()).build();
    t.close();
    t.close();
    assertThatThrownBy(() -> t.infer(x(CONFIDENT))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> t.inferAsync(x(CONFIDENT))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void updatePolicy_appliesOnlyANewerOneForThisModelAndDevice() {
    try (Tandem t = tandem(CASCADE, cloud()).build()) {
      Policy v2 = CASCADE.toBuilder().version(2).threshold(0.5).build();
      policies.add(v2);
      assertThat(t.updatePolicy(CASCADE)).hasValueSatisfying(s -> assertThat(s).startsWith("older_version"));
      assertThat(t.updatePolicy(v2.toBuilder().version(3).edgeModelHash("ab".repeat(32)).build()))
          .hasValueSatisfying(s -> assertThat(s).startsWith("other_edge_model"));
      assertThat(t.updatePolicy(v2)).isEmpty();
      assertThat(t.policy()).isEqualTo(v2);
      Decision d = t.infer(x(UNSURE));
      assertThat(d.route()).isEqualTo(Route.EDGE); // 0.64 clears the new threshold
      assertThat(onlyDecision().policyVersion()).isEqualTo(2);
    }
  }

  @Test
  void policyEvents_startUpdatesAndRejections_areRecordsInTheSpool_withTheAppliedContent() {
    Policy v2 = CASCADE.toBuilder().version(2).threshold(0.5).build();
    policies.add(v2);
    try (Tandem t = tandem(CASCADE, cloud()).build()) {
      t.recordPolicyInForce();
      t.updatePolicy(CASCADE);
      t.updatePolicy(v2);
      t.recordPolicyRejected(-1, "", "invalid: policy field 'mode' is missing");
    }
    List<dev.tandem.runtime.record.PolicyEventRecord> ev = new ArrayList<>();
    for (Record r : spooled()) {
      if (r instanceof dev.tandem.runtime.record.PolicyEventRecord) {
        ev.add((dev.tandem.runtime.record.PolicyEventRecord) r);
      }
    }
    assertThat(ev).extracting(e -> e.event().jsonName() + " " + e.reason() + " v" + e.version() + " in force "
        + e.inForceVersion()).containsExactly("applied start v1 in force 1", "rejected older_version v1 in force 1",
            "applied update v2 in force 2", "rejected invalid v-1 in force 2");
    assertThat(ev).extracting(Record::seq).isSorted().doesNotHaveDuplicates();
    assertThat(ev.get(2).policy()).contains(v2.toJson());
    assertThat(ev.get(2).policyHash()).isEqualTo(dev.tandem.runtime.record.PolicyEventRecord.contentHash(v2));
    assertThat(ev.get(1).policy()).as("a rejection keeps the hash only").isEmpty();
    assertThat(ev.get(3).policyHash()).isEmpty();
  }

  @Test
  void build_policyForAnotherEdgeModel_isRefused() {
    Policy p = CASCADE.toBuilder().edgeModelHash("ab".repeat(32)).build();
    assertThatThrownBy(() -> tandem(p, null).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("edge model");
    assertThatThrownBy(() -> Tandem.builder().edgeModel(TinyModels.classifier()).model("m").policy(CASCADE)
        .spool(Spool.builder(dir.resolve("x")).build()).build()).hasMessageContaining("deviceId");
  }

  /**
   * Eight threads infer at once through every route (edge, cloud, shadow exploration, timeouts
   * with late replies) and give feedback: every decision has exactly one record, and the
   * sequence numbers of all records are 1..N with none lost or repeated.
   */
  @Test
  void eightThreads_noLostDuplicatedOrMisnumberedRecords() throws Exception {
    Policy p = CASCADE.toBuilder().deadlineMs(60).exploration(0.3, ExplorationKind.SHADOW).build();
    LocalModelOffloader off = cloud();
    int threads = 8;
    int each = 40;
    List<Decision> decisions = new CopyOnWriteArrayList<>();
    AtomicInteger feedbacks = new AtomicInteger();
    try (Tandem t = tandem(p, off).build()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      List<Throwable> errors = new CopyOnWriteArrayList<>();
      for (int k = 0; k < threads; k++) {
        int seed = k;
        Thread th = new Thread(() -> {
          Random rnd = new Random(seed);
          try {
            start.await();
            for (int i = 0; i < each; i++) {
              off.delayMs(rnd.nextInt(10) == 0 ? 100 : rnd.nextInt(5)); // some replies miss the deadline
              Decision d = rnd.nextBoolean() ? t.infer(x(rnd.nextBoolean() ? CONFIDENT : UNSURE))
                  : t.inferAsync(x(rnd.nextBoolean() ? CONFIDENT : UNSURE)).get(5, TimeUnit.SECONDS);
              decisions.add(d);
              if (rnd.nextInt(8) == 0) {
                t.feedback(d.id(), rnd.nextInt(3));
                feedbacks.incrementAndGet();
              }
            }
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        ts.add(th);
        th.start();
      }
      start.countDown();
      for (Thread th : ts) {
        th.join(60_000);
      }
      assertThat(errors).isEmpty();
      Thread.sleep(200); // let the last late replies arrive before close drops them
    }
    List<Record> all = spooled();
    List<DecisionRecord> ds = all.stream().filter(r -> r instanceof DecisionRecord).map(r -> (DecisionRecord) r)
        .collect(Collectors.toList());
    assertThat(decisions).hasSize(threads * each);
    assertThat(ds).hasSize(threads * each);
    assertThat(ds.stream().map(Record::id).collect(Collectors.toSet()))
        .isEqualTo(decisions.stream().map(Decision::id).collect(Collectors.toSet()));
    for (Decision d : decisions) {
      DecisionRecord r = ds.stream().filter(x -> x.id().equals(d.id())).findFirst().get();
      assertThat(r.route()).isEqualTo(d.route());
    }
    List<Long> seqs = all.stream().map(Record::seq).sorted().collect(Collectors.toList());
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= all.size(); i++) {
      expected.add(i);
    }
    assertThat(seqs).as("sequence numbers 1..N, none lost or repeated").isEqualTo(expected);
    long labels = all.stream().filter(r -> r instanceof AmendmentRecord
        && ((AmendmentRecord) r).type() == AmendmentRecord.Type.LABEL).count();
    assertThat(labels).isEqualTo(feedbacks.get());
    assertThat(ds.stream().map(DecisionRecord::route).collect(Collectors.toSet()))
        .contains(Route.EDGE, Route.CLOUD, Route.SHADOW);
    assertThat(written).hasSize(all.size());
  }
}
