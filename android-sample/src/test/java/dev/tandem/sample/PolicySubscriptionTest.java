package dev.tandem.sample;

import static org.assertj.core.api.Assertions.assertThat;

import android.app.Application;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.sample.testing.SampleTestRunner;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;

/**
 * The sample following the fleet's policy topic on a real broker, through the runtime's policy
 * subscription ({@code Tandem.Builder.followPolicy}): a newer valid policy applies and governs the next decision; an invalid one and
 * an older one are rejected, recorded, and the last good policy stays in force.
 */
@RunWith(SampleTestRunner.class)
public class PolicySubscriptionTest {
  private static final long DEADLINE_MS = 60_000;
  private static final String TOPIC = "tandem/v1/policy/default/" + SampleEngine.MODEL;
  private Application app;

  @Before
  public void installModel() throws Exception {
    app = MainActivityTest.appWithModelOnWifi();
  }

  @After
  public void closeEngine() {
    EngineHolder.close();
  }

  @Test
  public void brokerPolicy_newerApplies_invalidAndOlderAreRejectedAndRecorded() throws Exception {
    try (TestBroker broker = TestBrokers.start()) {
      MqttClient operator = new MqttClient(broker.url(), "operator", new MemoryPersistence());
      operator.connect();
      try {
        publish(operator, policy(9, 0.5));
        SampleSettings.builder().brokerUri(broker.url()).deviceId("robo-phone")
            .policySource(SampleSettings.POLICY_BROKER).build().save(app);
        SampleEngine engine = EngineHolder.get(app);
        await(() -> engine.policy().version() == 9, "policy 9 applied");

        Decision d = engine.classify("Are we still on for lunch tomorrow?");
        engine.spool().flush();
        assertThat(spooled(d.id()).policyVersion()).isEqualTo(9);

        publish(operator, "{\"schema\":1,\"version\":10,\"mode\":\"cascade\"}"); // no threshold, no deadline
        publish(operator, policy(8, 0.7));
        Path events = SampleFiles.spoolDir(app).resolve("policy-events.jsonl");
        await(() -> read(events).contains("\"older_version\""), "the older policy rejected");
        String log = read(events);
        assertThat(log).contains("\"outcome\":\"applied\"").contains("\"outcome\":\"invalid\"")
            .contains("\"outcome\":\"older_version\"");
        assertThat(engine.policy().version()).isEqualTo(9);
        // The last good policy is kept for a restart without the broker.
        assertThat(read(SampleFiles.spoolDir(app).resolve("policy.json"))).contains("\"version\":9");
      } finally {
        operator.disconnect();
        operator.close();
      }
    }
  }

  private static String policy(int version, double threshold) {
    return "{\"schema\":1,\"version\":" + version + ",\"model\":\"spam\",\"mode\":\"cascade\",\"threshold\":"
        + threshold + ",\"deadline_ms\":300}";
  }

  private static void publish(MqttClient client, String json) throws Exception {
    MqttMessage m = new MqttMessage(json.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    m.setRetained(true);
    client.publish(TOPIC, m);
  }

  private DecisionRecord spooled(String id) throws Exception {
    List<Record> records = Spool.readAll(SampleFiles.spoolDir(app)).records();
    for (Record r : records) {
      if (r.id().equals(id) && r instanceof DecisionRecord) {
        return (DecisionRecord) r;
      }
    }
    throw new AssertionError("no decision record " + id + " in the spool");
  }

  private static String read(Path p) {
    try {
      return Files.exists(p) ? new String(Files.readAllBytes(p), StandardCharsets.UTF_8) : "";
    } catch (java.io.IOException e) {
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
