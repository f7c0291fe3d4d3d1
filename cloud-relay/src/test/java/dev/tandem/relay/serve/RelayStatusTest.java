package dev.tandem.relay.serve;

import static dev.tandem.relay.testing.RelayTestModels.ATTENTION_MASK;
import static dev.tandem.relay.testing.RelayTestModels.INPUT_IDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.testing.RelayTestModels;
import dev.tandem.relay.testing.TestDevice;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.FrameCodec;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.testing.TinyModels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every reply status on a real broker with real models, each followed by a served request. */
class RelayStatusTest {
  static final Topics TOPICS = Topics.withPrefix("test/status");
  static final Topics QUOTA_TOPICS = Topics.withPrefix("test/quota");
  /** Enough layers for a run of a few hundred milliseconds: requests sent meanwhile queue. */
  static final int SLOW_LAYERS = 600;

  @TempDir static Path dir;
  static EmbeddedBroker broker;
  static Relay relay;
  static Relay quotaRelay;
  final List<TestDevice> devices = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    broker = EmbeddedBroker.start();
    Files.write(dir.resolve("tiny.onnx"), TinyModels.classifier());
    Files.write(dir.resolve("slow.onnx"), RelayTestModels.slow(SLOW_LAYERS));
    Files.write(dir.resolve("pool.onnx"), RelayTestModels.maskedPoolClassifier());
    relay = new Relay(RelayConfig.builder()
        .relayId("relay-status")
        .topicPrefix(TOPICS.prefix())
        .brokerUrl(broker.url())
        .metrics("127.0.0.1", 0)
        .maxFrameBytes(256 * 1024)
        .addModel(cpu("tiny", "tiny.onnx").batchable(true).maxBatch(8).maxDelayMicros(500).build())
        .addModel(cpu("slow", "slow.onnx").queueCapacity(2).build())
        .addModel(cpu("pool", "pool.onnx").batchable(true).maxDynamicDim(16).maxInputBytes(4096).build())
        .build()).start();
    quotaRelay = new Relay(RelayConfig.builder()
        .relayId("relay-quota")
        .topicPrefix(QUOTA_TOPICS.prefix())
        .brokerUrl(broker.url())
        .metrics("127.0.0.1", -1)
        .quota(0.01, 2)
        .addModel(cpu("tiny", "tiny.onnx").build())
        .build()).start();
  }

  static ModelConfig.Builder cpu(String name, String file) {
    return ModelConfig.builder().name(name).file(dir.resolve(file)).version("1")
        .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1);
  }

  @AfterAll
  static void stop() {
    if (relay != null) {
      relay.close();
    }
    if (quotaRelay != null) {
      quotaRelay.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @AfterEach
  void closeDevices() {
    devices.forEach(TestDevice::close);
  }

  TestDevice device(String id) throws Exception {
    TestDevice d = new TestDevice(broker.url(), TOPICS, id);
    devices.add(d);
    return d;
  }

  static ReplyFrame await(CompletableFuture<ReplyFrame> f) throws Exception {
    return f.get(20, TimeUnit.SECONDS);
  }

  static List<Tensor> features(float... v) {
    return Collections.singletonList(Tensor.ofFloats("features", v, 1, 4));
  }

  /** The relay still answers a good request correctly. */
  static void assertServes(TestDevice d) throws Exception {
    ReplyFrame r = await(d.request("tiny", features(1, 2, 3, 4), 5_000, 1));
    assertThat(r.status()).isEqualTo(ReplyStatus.OK);
    // logits = (a + d, b + d + 0.5, c + d - 1) = (5, 6.5, 6)
    assertThat(r.outputs().get(1).toFloatArray()).containsExactly(5f, 6.5f, 6f);
  }

  @Test
  void relay_validRequest_answersOkWithTimings() throws Exception {
    TestDevice d = device("dev-ok");
    ReplyFrame r = await(d.request("tiny", features(1, 0, 0, 0), 5_000, 1));
    assertThat(r.status()).isEqualTo(ReplyStatus.OK);
    assertThat(r.relayId()).isEqualTo("relay-status");
    assertThat(r.modelVersion()).isEqualTo("1");
    assertThat(r.batchSize()).isGreaterThanOrEqualTo(1);
    assertThat(r.inferenceMs()).isGreaterThanOrEqualTo(0);
    assertThat(r.outputs().get(1).toFloatArray()).containsExactly(1f, 0.5f, -1f);
  }

  @Test
  void relay_malformedFrame_repliesBadRequest() throws Exception {
    TestDevice d = device("dev-malformed");
    ReplyFrame r = await(d.send(TOPICS.infer("tiny", "dev-malformed"), new byte[] {'T', 'N', 'D', 'M', 2, 0, 0, 0, 99, '{'},
        TOPICS.result("dev-malformed")));
    assertThat(r.status()).isEqualTo(ReplyStatus.BAD_REQUEST);
    assertThat(r.message()).startsWith("malformed frame");
    assertServes(d);
  }

  @Test
  void relay_wrongShape_repliesBadRequestNamingTheInput() throws Exception {
    TestDevice d = device("dev-shape");
    ReplyFrame r = await(d.request("tiny", Collections.singletonList(Tensor.ofFloats("features", new float[5], 1, 5)), 5_000, 1));
    assertThat(r.status()).isEqualTo(ReplyStatus.BAD_REQUEST);
    assertThat(r.message()).contains("features", "[1, 5]", "[?, 4]");
    ReplyFrame wrongName = await(d.request("tiny", Collections.singletonList(Tensor.ofFloats("x", new float[4], 1, 4)), 5_000, 1));
    assertThat(wrongName.status()).isEqualTo(ReplyStatus.BAD_REQUEST);
    assertThat(wrongName.message()).contains("'features' is missing");
    assertServes(d);
  }

  @Test
  void relay_oversizedInput_repliesBadRequest() throws Exception {
    TestDevice d = device("dev-big");
    long[] ids = new long[17];
    List<Tensor> tooLong = Arrays.asList(Tensor.ofLongs(INPUT_IDS, ids, 1, 17), Tensor.ofLongs(ATTENTION_MASK, ids, 1, 17));
    ReplyFrame r = await(d.request("pool", tooLong, 5_000, 1));
    assertThat(r.status()).isEqualTo(ReplyStatus.BAD_REQUEST);
    assertThat(r.message()).contains("17", "over the limit of 16");
    // Over the relay's frame limit (256 KiB): rejected before the tensors are decoded.
    Relay big = relay;
    byte[] huge = new FrameCodec().encodeRequest(RequestFrame.of("tiny", 5_000, 1,
        Collections.singletonList(Tensor.ofFloats("features", new float[100_000], 25_000, 4))));
    ReplyFrame r2 = await(d.send(TOPICS.infer("tiny", "dev-big"), huge, TOPICS.result("dev-big")));
    assertThat(r2.status()).isEqualTo(ReplyStatus.BAD_REQUEST);
    assertThat(big.isReady()).isTrue();
    assertServes(d);
  }

  @Test
  void relay_largestBudget_isServed_largestUplink_expires_noOverflow() throws Exception {
    TestDevice d = device("dev-budget");
    ReplyFrame r = await(d.request("tiny", features(1, 2, 3, 4), Long.MAX_VALUE, 1));
    assertThat(r.status()).as(r.message()).isEqualTo(ReplyStatus.OK);
    ReplyFrame r2 = await(d.request("tiny", features(1, 2, 3, 4), Long.MAX_VALUE, Long.MAX_VALUE));
    assertThat(r2.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertThat(r2.message()).contains("leaves nothing");
    assertThat(Relay.allowedMs(Long.MAX_VALUE, 0)).isEqualTo(Relay.MAX_ALLOW_MS);
    assertThat(Relay.allowedMs(Long.MAX_VALUE, Long.MAX_VALUE / 2 + 1)).isLessThanOrEqualTo(0);
    assertThat(Relay.allowedMs(1_000, 100)).isEqualTo(800);
    assertServes(d);
  }

  @Test
  void relay_garbageOverTheFrameLimit_isTooLarge_notBadMagic() throws Exception {
    TestDevice d = device("dev-garbage");
    byte[] garbage = new byte[300 * 1024]; // over this relay's 256 KiB limit, no magic
    Arrays.fill(garbage, (byte) 'x');
    ReplyFrame r = await(d.send(TOPICS.infer("tiny", "dev-garbage"), garbage, TOPICS.result("dev-garbage")));
    assertThat(r.status()).isEqualTo(ReplyStatus.BAD_REQUEST);
    assertThat(r.message()).contains("307200 bytes", "limit is 262144").doesNotContain("TNDM");
    assertServes(d);
  }

  @Test
  void relay_unknownModel_repliesUnknownModel() throws Exception {
    TestDevice d = device("dev-unknown");
    ReplyFrame r = await(d.request("nope", features(0, 0, 0, 0), 5_000, 1));
    assertThat(r.status()).isEqualTo(ReplyStatus.UNKNOWN_MODEL);
    assertThat(r.message()).contains("nope", "tiny");
    assertThat(relay.metrics().answeredCount("_unknown", "unknown_model")).isGreaterThanOrEqualTo(1);
    assertServes(d);
  }

  static List<Tensor> slowInput() {
    return Collections.singletonList(Tensor.ofFloats("x", new float[RelayTestModels.SLOW_WIDTH], 1, RelayTestModels.SLOW_WIDTH));
  }

  /** Sends a long run to "slow" and returns once the relay reports it in progress. */
  static CompletableFuture<ReplyFrame> startBlocker(TestDevice d) throws Exception {
    CompletableFuture<ReplyFrame> blocker = d.request("slow", slowInput(), 60_000, 0);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (relay.metrics().inFlightCount("slow") == 0) {
      assertThat(System.nanoTime()).as("slow run in progress").isLessThan(until);
      assertThat(blocker).as("blocker still running").isNotDone();
      Thread.sleep(1);
    }
    return blocker;
  }

  @Test
  void relay_budgetSpentInQueue_repliesExpiredWithoutComputing() throws Exception {
    TestDevice d = device("dev-expired");
    long runsBefore = relay.metrics().runCount("slow");
    long okBefore = relay.metrics().answeredCount("slow", "ok");
    long expiredBefore = relay.metrics().answeredCount("slow", "expired");
    // One run in progress and one more queued behind it (the queue holds 2): the 2 ms request
    // waits behind a whole run even if the first ends early, so its budget runs out queued.
    CompletableFuture<ReplyFrame> running = startBlocker(d);
    CompletableFuture<ReplyFrame> queued = d.request("slow", slowInput(), 60_000, 0);
    ReplyFrame r = await(d.request("slow", slowInput(), 2, 0));
    assertThat(r.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertThat(r.message()).contains("in the queue");
    assertThat(r.outputs()).isEmpty();
    assertThat(await(running).status()).isEqualTo(ReplyStatus.OK);
    assertThat(await(queued).status()).isEqualTo(ReplyStatus.OK);
    // Not computed: two runs of one request each, for the two that were answered ok.
    assertThat(relay.metrics().answeredCount("slow", "ok")).isEqualTo(okBefore + 2);
    assertThat(relay.metrics().answeredCount("slow", "expired")).isEqualTo(expiredBefore + 1);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (relay.metrics().runCount("slow") < runsBefore + 2 && System.nanoTime() < until) {
      Thread.sleep(1); // the run is recorded just after its replies are sent
    }
    assertThat(relay.metrics().runCount("slow")).isEqualTo(runsBefore + 2);
    // No budget left after twice the uplink estimate: expired at once.
    ReplyFrame none = await(d.request("tiny", features(0, 0, 0, 0), 10, 5));
    assertThat(none.status()).isEqualTo(ReplyStatus.EXPIRED);
    assertServes(d);
  }

  @Test
  void relay_fullQueue_repliesBusyAtOnce() throws Exception {
    TestDevice d = device("dev-busy");
    // While one run is in progress, at most 2 of the 12 fit the queue: the rest are busy.
    CompletableFuture<ReplyFrame> running = startBlocker(d);
    List<CompletableFuture<ReplyFrame>> fs = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      fs.add(d.request("slow", slowInput(), 60_000, 0));
    }
    int ok = 0;
    int busy = 0;
    for (CompletableFuture<ReplyFrame> f : fs) {
      ReplyFrame r = await(f);
      if (r.status() == ReplyStatus.OK) {
        ok++;
      } else {
        assertThat(r.status()).isEqualTo(ReplyStatus.BUSY);
        assertThat(r.message()).contains("queue", "full");
        busy++;
      }
    }
    assertThat(await(running).status()).isEqualTo(ReplyStatus.OK);
    assertThat(ok + busy).isEqualTo(12);
    assertThat(ok).isGreaterThanOrEqualTo(1);
    assertThat(busy).isGreaterThanOrEqualTo(1);
    assertServes(d);
  }

  @Test
  void relay_overQuota_repliesThrottled() throws Exception {
    try (TestDevice d = new TestDevice(broker.url(), QUOTA_TOPICS, "dev-quota");
        TestDevice other = new TestDevice(broker.url(), QUOTA_TOPICS, "dev-other")) {
      List<CompletableFuture<ReplyFrame>> fs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        fs.add(d.request("tiny", features(1, 2, 3, 4), 5_000, 1));
      }
      int throttled = 0;
      for (CompletableFuture<ReplyFrame> f : fs) {
        ReplyFrame r = await(f);
        if (r.status() == ReplyStatus.THROTTLED) {
          assertThat(r.message()).contains("dev-quota", "quota");
          throttled++;
        } else {
          assertThat(r.status()).isEqualTo(ReplyStatus.OK);
        }
      }
      // Burst 2, refilled at one per 100 s: however slowly the six go out, at most 2 pass.
      assertThat(throttled).isEqualTo(4);
      // Another device has its own bucket.
      assertThat(await(other.request("tiny", features(1, 2, 3, 4), 5_000, 1)).status()).isEqualTo(ReplyStatus.OK);
    }
  }

  @Test
  void relay_responseTopicOfAnotherDevice_dropsAndCounts() throws Exception {
    TestDevice attacker = device("dev-attacker");
    TestDevice victim = device("dev-victim");
    long before = relay.metrics().droppedCount("foreign_response_topic");
    attacker.send(TOPICS.infer("tiny", "dev-attacker"),
        new FrameCodec().encodeRequest(RequestFrame.of("tiny", 5_000, 1, features(1, 2, 3, 4))),
        TOPICS.result("dev-victim"));
    long until = System.currentTimeMillis() + 10_000;
    while (relay.metrics().droppedCount("foreign_response_topic") == before && System.currentTimeMillis() < until) {
      Thread.sleep(10);
    }
    assertThat(relay.metrics().droppedCount("foreign_response_topic")).isEqualTo(before + 1);
    assertThat(victim.stray().poll(300, TimeUnit.MILLISECONDS)).isNull();
    assertServes(attacker);
  }

  @Test
  void metrics_endpoint_servesPrometheusTextAndProbes() throws Exception {
    assertServes(device("dev-metrics"));
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + relay.metricsPort();
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains(
        "tandem_relay_requests_total{model=\"tiny\",status=\"ok\"}",
        "tandem_relay_inference_seconds_bucket{model=\"tiny\",le=",
        "tandem_relay_queue_seconds_count{model=\"tiny\"}",
        "tandem_relay_batch_size_bucket",
        "tandem_relay_queue_depth{model=\"slow\"}",
        "tandem_relay_in_flight{model=\"slow\"}");
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/readyz")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
  }
}
