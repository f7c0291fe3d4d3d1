package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.capture.Capture;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.TinyModels;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tandem's own fleet traffic over a real broker: the spool's records uploaded with the collector's
 * ack protocol ({@code uploadRecords}), and the fleet's retained policy followed, kept and
 * recorded ({@code followPolicy}), with nothing for the app to wire.
 */
class TandemFleetTest {
  private static final long DEADLINE_MS = 30_000;
  @TempDir Path dir;

  static List<Tensor> x(float... v) {
    return Collections.singletonList(Tensor.ofFloats(TinyModels.FEATURES, v, 1, 4));
  }

  private Tandem.Builder tandem(TestBroker broker, Policy policy) {
    return Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny").deviceId("dev-f")
        .fleet("f1").policy(policy).cloud(CloudConnection.builder().serverUri(broker.url()).build())
        .spool(Spool.builder(dir).build());
  }

  @ParameterizedTest(name = "records written in the background: {0}")
  @ValueSource(booleans = {false, true})
  void uploadRecords_sendsEverySpooledRecord_andRemovesItOnlyOnceAcknowledged(boolean inBackground) throws Exception {
    Policy edgeOnly = Policy.builder().version(1).threshold(0.0).deadlineMs(300).build();
    List<String> received = new CopyOnWriteArrayList<>();
    List<String> ids = new ArrayList<>();
    try (TestBroker broker = TestBrokers.start()) {
      MqttClient collector = new MqttClient(broker.url(), "collector", new MemoryPersistence());
      collector.connect();
      IMqttMessageListener onBatch = (topic, msg) -> {
        received.addAll(gunzipLines(msg.getPayload()));
        String batchId = userProperty(msg, "batch_id");
        MqttMessage ack = new MqttMessage("{}".getBytes(StandardCharsets.UTF_8));
        MqttProperties p = new MqttProperties();
        p.setUserProperties(Collections.singletonList(new UserProperty("batch_id", batchId)));
        ack.setProperties(p);
        ack.setQos(1);
        new Thread(() -> {
          try {
            collector.publish("tandem/v1/logs-ack/dev-f", ack);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }).start();
      };
      // the array form: Paho v5's subscribe(String, int, listener) calls itself until the stack overflows
      collector.subscribe(new MqttSubscription[] {new MqttSubscription("tandem/v1/logs/dev-f", 1)},
          new IMqttMessageListener[] {onBatch});
      try (Tandem t = tandem(broker, edgeOnly).uploadRecords(true).writeRecordsInBackground(inBackground).build()) {
        for (int i = 0; i < 5; i++) {
          ids.add(t.infer(x(5, 0, 0, 0)).id());
        }
        assertThat(t.awaitUploaded(DEADLINE_MS, TimeUnit.MILLISECONDS)).isTrue();
      } finally {
        collector.disconnect();
        collector.close();
      }
    }
    List<String> uploadedIds = new ArrayList<>();
    for (String line : received) {
      Record r = RecordCodec.decode(line);
      uploadedIds.add(r.id());
    }
    assertThat(uploadedIds).containsAll(ids);
    assertThat(Spool.readAll(dir).records()).extracting(Record::id).doesNotContainAnyElementsOf(ids);
  }

  @Test
  void uploadRecords_withoutAcks_keepsTheRecordsInTheSpool() throws Exception {
    Policy edgeOnly = Policy.builder().version(1).threshold(0.0).deadlineMs(300).build();
    try (TestBroker broker = TestBrokers.start()) {
      String id;
      try (Tandem t = tandem(broker, edgeOnly).uploadRecords(true).build()) {
        id = t.infer(x(5, 0, 0, 0)).id();
        assertThat(t.awaitUploaded(1, TimeUnit.SECONDS)).isFalse(); // no collector
      }
      assertThat(Spool.readAll(dir).records()).extracting(Record::id).contains(id);
    }
  }

  @Test
  void uploadRecords_withCapture_sendsTheCapturedInputsAndDeletesThemOnceDelivered() throws Exception {
    Policy edgeOnly = Policy.builder().version(1).threshold(0.0).deadlineMs(300).build();
    List<String> captures = new CopyOnWriteArrayList<>();
    try (TestBroker broker = TestBrokers.start()) {
      MqttClient collector = new MqttClient(broker.url(), "collector", new MemoryPersistence());
      collector.connect();
      try {
        collector.subscribe(new MqttSubscription[] {new MqttSubscription("tandem/v1/captures/dev-f", 1)},
            new IMqttMessageListener[] {(topic, msg) -> captures.add(new String(msg.getPayload(), StandardCharsets.UTF_8))});
        String id;
        try (Tandem t = tandem(broker, edgeOnly).uploadRecords(true)
            .capture(Capture.builder().enabled(true).belowConfidence(0.99).build()).build()) {
          id = t.infer(x(1, 1.2f, 0, 0)).id();
          await(() -> !captures.isEmpty(), "the capture delivered");
        }
        assertThat(captures).singleElement().asString().contains("\"dev-f\"");
        await(() -> !Files.exists(dir.resolve("captures")) || listFiles(dir.resolve("captures")).isEmpty(),
            "the delivered capture deleted on the device");
        assertThat(id).isEqualTo("dev-f:1");
      } finally {
        collector.disconnect();
        collector.close();
      }
    }
  }

  @Test
  void followPolicy_appliesNewer_rejectsInvalid_andAfterARestartStartsFromTheKeptOne() throws Exception {
    Policy v1 = Policy.builder().version(1).threshold(0.8).deadlineMs(300).build();
    try (TestBroker broker = TestBrokers.start()) {
      MqttClient operator = new MqttClient(broker.url(), "operator", new MemoryPersistence());
      operator.connect();
      try {
        publishPolicy(operator, "{\"schema\":1,\"version\":5,\"mode\":\"cascade\",\"threshold\":0.6,\"deadline_ms\":300}");
        try (Tandem t = tandem(broker, v1).followPolicy(true).build()) {
          await(() -> t.policy().version() == 5, "policy 5 applied");
          publishPolicy(operator, "{\"schema\":1,\"version\":6,\"mode\":\"cascade\"}"); // no threshold
          await(() -> read(dir.resolve("policy-events.jsonl")).contains("\"outcome\":\"invalid\""),
              "the invalid policy recorded");
          assertThat(t.policy().version()).isEqualTo(5);
        }
      } finally {
        operator.disconnect();
        operator.close();
      }
      assertThat(read(dir.resolve("policy.json"))).contains("\"version\":5");
      List<Record> records = Spool.readAll(dir).records();
      assertThat(records).extracting(Record::kind).contains("policy_event");
      broker.stop(); // a restart without the broker keeps the fleet's policy
      try (Tandem t = tandem(broker, v1).followPolicy(true).build()) {
        assertThat(t.policy().version()).isEqualTo(5);
      }
    }
  }

  @Test
  void fleetOptions_needTheCloudConnectionAndAFleet() {
    Policy p = Policy.builder().version(1).threshold(0.8).deadlineMs(300).build();
    Tandem.Builder noCloud = Tandem.builder().edgeModel(TinyModels.classifier()).model("tiny").deviceId("d")
        .fleet("f1").policy(p).spool(Spool.builder(dir).build());
    assertThatThrownBy(noCloud.uploadRecords(true)::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("uploadRecords needs cloud(...)");
    Tandem.Builder noFleet = Tandem.builder().edgeModel(TinyModels.classifier()).model("tiny").deviceId("d")
        .policy(p).spool(Spool.builder(dir).build())
        .cloud(CloudConnection.builder().serverUri("tcp://127.0.0.1:1").build()).followPolicy(true);
    assertThatThrownBy(noFleet::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("followPolicy needs fleet(...)");
  }

  private static void publishPolicy(MqttClient client, String json) throws Exception {
    MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    m.setRetained(true);
    client.publish("tandem/v1/policy/f1/tiny", m);
  }

  private static String userProperty(MqttMessage m, String key) {
    for (UserProperty u : m.getProperties().getUserProperties()) {
      if (u.getKey().equals(key)) {
        return u.getValue();
      }
    }
    throw new AssertionError("no user property " + key);
  }

  private static List<String> gunzipLines(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> lines = new ArrayList<>();
      for (String l : all.split("\n")) {
        if (!l.isEmpty()) {
          lines.add(l);
        }
      }
      return lines;
    }
  }

  private static List<Path> listFiles(Path root) {
    try (java.util.stream.Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toList());
    } catch (IOException e) {
      return List.of(); // deleted while walking: nothing left
    }
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long until = System.currentTimeMillis() + DEADLINE_MS;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > until) {
        throw new AssertionError("not within " + DEADLINE_MS + " ms: " + what);
      }
      Thread.sleep(50);
    }
  }
}
