package dev.tandem.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.agent.http.AgentMetrics;
import dev.tandem.relay.collect.Collector;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.capture.Capture;
import dev.tandem.runtime.internal.capture.CaptureStore;
import dev.tandem.runtime.internal.capture.CaptureUploader;
import dev.tandem.runtime.internal.fleet.LogUploader;
import dev.tandem.runtime.internal.fleet.MqttLink;
import dev.tandem.runtime.internal.fleet.SpoolUploadQueue;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.spool.FsyncPolicy;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.TinyModels;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Captured inputs from the runtime through the broker to the collector's store, and nowhere when off. */
class CapturePipelineTest {
  static final float[] CONFIDENT = {5, 0, 0, 0};
  static final float[] UNSURE = {1, 1.2f, 0.125f, 0.375f};
  static final Policy CASCADE = Policy.builder().version(1).threshold(0.8).deadlineMs(400).build();

  @TempDir Path dir;

  static List<Tensor> x(float... v) {
    return List.of(Tensor.ofFloats(TinyModels.FEATURES, v, 1, 4));
  }

  static String base64(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(b.array());
  }

  /** Runs two decisions (one unsure) through a device whose records and captures upload to a collector. */
  Decision runPipeline(Capture capture, Path storeDir) throws Exception {
    Path spoolDir = dir.resolve("spool");
    try (TestBroker broker = TestBrokers.start();
        Spool spool = Spool.builder(spoolDir).fsync(FsyncPolicy.everyRecord()).build();
        MqttLink link = new MqttLink(broker.url(), "dev-1-logs", null, null, null).start();
        LogUploader up = new LogUploader(link, new SpoolUploadQueue(spool, 100), "dev-1", "tandem/v1/logs/dev-1",
            "tandem/v1/logs-ack/dev-1", new LogUploader.Settings().intervalMs(100).ackTimeoutMs(3000)
                .backoff(100, 1000), new AgentMetrics())) {
      LogStore store = LogStore.open(storeDir, Clock.systemUTC(), 1);
      try (Collector collector = new Collector(new Collector.Options().brokerUrl(broker.url())
          .clientId("collector-1"), store, new PrometheusRegistry())) {
        Tandem.Builder b = Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny")
            .deviceId("dev-1").fleet("test").policy(CASCADE).spool(spool).random(new Random(3));
        if (capture != null) {
          b.capture(capture);
        }
        try (Tandem t = b.build()) {
          // The runtime closes the spool: uploads finish while it is open.
          Decision unsure = t.infer(x(UNSURE));
          t.infer(x(CONFIDENT));
          CaptureUploader captures = capture == null ? null : new CaptureUploader(link,
              CaptureStore.open(spoolDir.resolve("captures"), capture, Clock.systemUTC()),
              "tandem/v1/captures/dev-1", 200);
          try {
            up.nudge();
            UploadPipelineTest.await(() -> store.contains("dev-1", 2), 30_000);
            if (captures != null) {
              Path expected = storeDir.resolve("captures").resolve("date=" + LocalDate.now(ZoneOffset.UTC))
                  .resolve("dev-1").resolve(unsure.id().substring("dev-1:".length()) + ".json");
              UploadPipelineTest.await(() -> Files.exists(expected), 30_000);
            }
          } finally {
            if (captures != null) {
              captures.close();
            }
          }
          return unsure;
        }
      }
    }
  }

  static List<Path> files(Path root) throws Exception {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void aCapturedInputReachesTheStoreKeyedByDecisionAndLeavesTheDevice() throws Exception {
    Path storeDir = dir.resolve("store");
    Capture c = Capture.builder().enabled(true).belowConfidence(0.8).build();
    Decision unsure = runPipeline(c, storeDir);
    List<Path> stored = files(storeDir.resolve("captures"));
    assertThat(stored).hasSize(1);
    String json = Files.readString(stored.get(0), StandardCharsets.UTF_8);
    assertThat(json).contains("\"decision_id\":\"" + unsure.id() + "\"").contains(base64(UNSURE))
        .contains("below_confidence");
    UploadPipelineTest.await(() -> {
      try {
        return files(dir.resolve("spool").resolve("captures")).isEmpty();
      } catch (Exception e) {
        return false;
      }
    }, 10_000);
  }

  @Test
  void withCaptureOffNoInputIsAnywhereInTheSpoolOrTheStore() throws Exception {
    Path storeDir = dir.resolve("store");
    runPipeline(null, storeDir);
    assertThat(storeDir.resolve("captures")).doesNotExist();
    assertThat(dir.resolve("spool").resolve("captures")).doesNotExist();
    for (Path f : Stream.concat(files(storeDir).stream(), files(dir.resolve("spool")).stream()).toList()) {
      String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(content).as(f.toString()).doesNotContain(base64(UNSURE)).doesNotContain("data_base64")
          .doesNotContain("0.125").doesNotContain("0.375");
    }
  }

  @Test
  void capturesPastRetentionOnTheDeviceAreDeletedNotSent() throws Exception {
    Path captureDir = dir.resolve("captures");
    Capture c = Capture.builder().enabled(true).offloaded(true).retention(java.time.Duration.ofDays(2)).build();
    CaptureStore store = CaptureStore.open(captureDir, c, Clock.systemUTC());
    long old = System.currentTimeMillis() - 3 * 86_400_000L;
    store.write("dev-1", 7, old, List.of("offloaded"), x(UNSURE));
    assertThat(store.files()).hasSize(1);
    try (TestBroker broker = TestBrokers.start();
        MqttLink link = new MqttLink(broker.url(), "dev-1-logs", null, null, null).start();
        CaptureUploader up = new CaptureUploader(link, store, "tandem/v1/captures/dev-1", 60_000)) {
      UploadPipelineTest.await(link::ready, 15_000);
      assertThat(up.round()).isZero();
    }
    assertThat(store.files()).isEmpty();
  }
}
