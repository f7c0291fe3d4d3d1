package dev.tandem.tuner.tune;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.collect.IncomingBatch;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.relay.policy.PolicyPublisher;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.internal.TandemInternals;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.LocalModelOffloader;
import dev.tandem.runtime.testing.TinyModels;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import dev.tandem.tuner.cli.TandemTune;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records written by the real {@link Tandem} facade on a real ONNX model (the cloud: the same
 * model run locally by the runtime's test offloader) go through the real collector's store, are
 * tuned end to end, and the recommended policy passes {@code publish} (the relay's own validation,
 * on a real broker) and is applied by a device.
 */
class RealRuntimeTuneTest {
  @TempDir Path dir;

  static final Policy LOGGING = Policy.builder().version(2).model("tiny").threshold(0.8).deadlineMs(2000)
      .exploration(0.25, ExplorationKind.SHADOW).build();

  static List<Tensor> input(float[] v) {
    return Collections.singletonList(Tensor.ofFloats(TinyModels.FEATURES, v, 1, 4));
  }

  Tandem device(String id, Path spool, NetworkType net) {
    Tandem.Builder b = Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny")
        .deviceId(id).fleet("test").policy(LOGGING).spool(Spool.builder(spool).build()).random(new Random(id.hashCode()))
        .prices(Prices.builder().devicePowerWatts(2).networkUsdPerGb(net, 1).cloudPer1000Requests(0.5).build())
        .deviceState(DeviceStateProvider.fixed(DeviceState.builder().networkType(net).deviceClass("mid").build()));
    return TandemInternals.get().offloader(b, new LocalModelOffloader(TinyModels.classifier())).build();
  }

  @Test
  void recordsFromTheFacade_tuneEndToEnd_andThePolicyIsPublishedAndApplied() throws Exception {
    Path store = dir.resolve("store");
    Clock day = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    String edgeHash = null;
    for (int d = 0; d < 6; d++) {
      String id = "phone-" + d;
      Path spool = dir.resolve(id);
      Random rnd = new Random(d);
      try (Tandem t = device(id, spool, d % 2 == 0 ? NetworkType.WIFI : NetworkType.CELL_4G)) {
        edgeHash = t.edgeModel().sha256();
        t.recordPolicyInForce();
        for (int i = 0; i < 120; i++) {
          float[] x = {(float) rnd.nextGaussian(), (float) rnd.nextGaussian(), (float) rnd.nextGaussian(),
              (float) rnd.nextGaussian()};
          Decision dec = t.infer(input(x));
          if (rnd.nextDouble() < 0.6) {
            int label = x[0] + 0.3f * (float) rnd.nextGaussian() > 0 ? 0 : x[1] > 0 ? 1 : 2;
            t.feedback(dec.id(), label);
          }
        }
      }
      List<String> lines = new ArrayList<>();
      for (Record r : Spool.readAll(spool).records()) {
        lines.add(RecordCodec.encode(r));
      }
      LogStore.open(store, day, 1).store(new IncomingBatch(id, "b1", 1, 10_000, 0, lines));
    }

    Path out = dir.resolve("out");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldErr = System.err;
    PrintStream oldOut = System.out;
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    int code;
    try {
      System.setErr(new PrintStream(err, true));
      System.setOut(new PrintStream(stdout, true));
      code = TandemTune.commandLine().execute("tune", "--store", store.toString(), "--max-offload", "0.9",
          "--out", out.toString());
    } finally {
      System.setErr(oldErr);
      System.setOut(oldOut);
    }
    assertThat(code).as(err + "\n" + stdout).isZero();
    assertThat(stdout.toString()).contains("replay identity: 720 of 720 reproduced");
    String json = new String(Files.readAllBytes(out.resolve("policy.json")), StandardCharsets.UTF_8);
    Policy tuned = Policy.fromJson(json);
    assertThat(tuned.edgeModelHash()).isEqualTo(edgeHash);

    try (TestBroker broker = TestBrokers.start();
        PolicyPublisher pub = new PolicyPublisher(broker.url(), "tandem/v1", null, null, null)) {
      PolicyPublisher.Published p = pub.publish("test", "tiny", json, java.util.OptionalLong.of(0));
      assertThat(p.version).isGreaterThan(0);
      try (Tandem t = device("phone-0", dir.resolve("phone-0"), NetworkType.WIFI)) {
        assertThat(t.updatePolicy(tuned.toBuilder().version(Math.max(p.version, LOGGING.version() + 1)).build()))
            .isEqualTo(Optional.empty());
        assertThat(t.policy().threshold()).isEqualTo(tuned.threshold());
      }
    }
  }
}
