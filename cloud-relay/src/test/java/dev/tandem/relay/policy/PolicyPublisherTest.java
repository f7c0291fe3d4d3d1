package dev.tandem.relay.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.relay.broker.PublishBlackholeProxy;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyPublisherTest {
  @TempDir Path dir;

  static String policy(double threshold) {
    return PolicyFixtures.valid(threshold);
  }

  static PolicyPublisher publisher(String url) throws Exception {
    return new PolicyPublisher(url, "tandem/v1", null, null, null).retainedWaitMs(500);
  }

  @Test
  void publish_numbersFromTheRetainedVersion_andRollbackRepublishesOldContentAsNewVersion() throws Exception {
    try (TestBroker broker = TestBrokers.start();
        PolicyPublisher p = publisher(broker.url())) {
      assertThat(p.retainedVersion("fleet-a", "minilm")).isEmpty();
      assertThat(p.publish("fleet-a", "minilm", policy(0.7), OptionalLong.of(0)).version).isEqualTo(1);
      assertThat(p.publish("fleet-a", "minilm", policy(0.8)).version).isEqualTo(2);
      assertThat(p.retainedVersion("fleet-a", "minilm")).hasValue(2);
      assertThat(p.retainedVersion("fleet-b", "minilm")).isEmpty();

      PolicyPublisher.Published rb = p.rollback("fleet-a", "minilm", 1);
      assertThat(rb.version).isEqualTo(3);
      JsonObject back = JsonParser.parseString(rb.json).getAsJsonObject();
      JsonObject v1 = JsonParser.parseString(policy(0.7)).getAsJsonObject();
      back.remove("version");
      v1.remove("version");
      assertThat(back).isEqualTo(v1);
      assertThat(p.retainedVersion("fleet-a", "minilm")).hasValue(3);

      assertThatThrownBy(() -> p.rollback("fleet-a", "minilm", 9))
          .isInstanceOf(PolicyPublisher.PolicyRejectedException.class)
          .hasMessageContaining("no policy version 9");
    }
  }

  @Test
  void publish_invalidOrOversizePolicy_isRefusedWithReason_andNothingChanges() throws Exception {
    try (TestBroker broker = TestBrokers.start();
        PolicyPublisher p = publisher(broker.url())) {
      p.publish("fleet-a", "minilm", policy(0.7), OptionalLong.of(0));
      assertThatThrownBy(() -> p.publish("fleet-a", "minilm", "{ nope"))
          .isInstanceOf(PolicyPublisher.PolicyRejectedException.class)
          .hasMessageContaining("JSON");
      assertThatThrownBy(() -> p.publish("fleet-a", "minilm", PolicyFixtures.invalid()))
          .isInstanceOf(PolicyPublisher.PolicyRejectedException.class)
          .hasMessageContaining(PolicyFixtures.INVALID_FIELD);
      p.maxPolicyBytes(100);
      assertThatThrownBy(() -> p.publish("fleet-a", "minilm", policy(0.8)))
          .isInstanceOf(PolicyPublisher.PolicyRejectedException.class)
          .hasMessageContaining("over the limit of 100");
      assertThat(p.retainedVersion("fleet-a", "minilm")).hasValue(1);
    }
  }

  @Test
  void publish_nothingSeen_refusesNamingTheWaysOut_neverAssumesVersionZero() throws Exception {
    try (TestBroker broker = TestBrokers.start();
        PolicyPublisher p = publisher(broker.url())) {
      assertThatThrownBy(() -> p.publish("fleet-a", "minilm", policy(0.7)))
          .isInstanceOf(PolicyPublisher.VersionRefusedException.class)
          .hasMessageContaining("--expect-version").hasMessageContaining("--history-dir");
      assertThat(p.retainedVersion("fleet-a", "minilm")).isEmpty();
    }
  }

  @Test
  void publish_retainedHeldBackLongerThanTheWait_refuses_insteadOfPublishingVersionOne() throws Exception {
    try (TestBroker broker = TestBrokers.start();
        PublishBlackholeProxy proxy = new PublishBlackholeProxy(broker.url())) {
      try (PolicyPublisher direct = publisher(broker.url())) {
        direct.publish("fleet-a", "minilm", policy(0.7), OptionalLong.of(0));
        direct.publish("fleet-a", "minilm", policy(0.8));
      }
      proxy.holdPublishes(4_000); // each retained message arrives long after the 500 ms wait
      try (PolicyPublisher slow = publisher(proxy.url())) {
        assertThatThrownBy(() -> slow.publish("fleet-a", "minilm", policy(0.9)))
            .isInstanceOf(PolicyPublisher.VersionRefusedException.class)
            .hasMessageContaining("--expect-version");
      }
      proxy.holdPublishes(0);
      try (PolicyPublisher direct = publisher(broker.url())) {
        assertThat(direct.retainedVersion("fleet-a", "minilm")).hasValue(2);
        assertThat(retained(broker.url(), "tandem/v1/policy-history/fleet-a/minilm/1")).contains("0.7");
      }
    }
  }

  @Test
  void publish_garbageRetained_refused_andExpectedVersionMismatch_refused() throws Exception {
    try (TestBroker broker = TestBrokers.start()) {
      MqttClient c = new MqttClient(broker.url(), "garbage", new MemoryPersistence());
      c.connect();
      c.publish("tandem/v1/policy/fleet-g/minilm", "garbage".getBytes(StandardCharsets.UTF_8), 1, true);
      c.disconnect();
      c.close();
      try (PolicyPublisher p = publisher(broker.url())) {
        assertThatThrownBy(() -> p.publish("fleet-g", "minilm", policy(0.7), OptionalLong.of(0)))
            .isInstanceOf(PolicyPublisher.VersionRefusedException.class)
            .hasMessageContaining("no readable version");
        p.publish("fleet-a", "minilm", policy(0.7), OptionalLong.of(0));
        p.publish("fleet-a", "minilm", policy(0.8));
        assertThatThrownBy(() -> p.publish("fleet-a", "minilm", policy(0.9), OptionalLong.of(1)))
            .isInstanceOf(PolicyPublisher.VersionRefusedException.class)
            .hasMessageContaining("expected version 1", "version 2 is retained");
        assertThat(p.retainedVersion("fleet-a", "minilm")).hasValue(2);
      }
    }
  }

  @Test
  void publish_afterABrokerRestartLostEverything_continuesFromTheLocalHistory_neverRewritesAnEntry() throws Exception {
    PolicyHistory history = new PolicyHistory(dir.resolve("history"));
    try (TestBroker broker = TestBrokers.start()) {
      try (PolicyPublisher p = publisher(broker.url()).history(history)) {
        p.publish("fleet-a", "minilm", policy(0.7), OptionalLong.of(0));
        p.publish("fleet-a", "minilm", policy(0.8));
      }
      String v1 = new String(Files.readAllBytes(history.file("fleet-a", "minilm", 1)), StandardCharsets.UTF_8);
      broker.stop(); // no persistence: every retained message is gone
      broker.start();
      try (PolicyPublisher bare = publisher(broker.url())) {
        assertThatThrownBy(() -> bare.publish("fleet-a", "minilm", policy(0.9)))
            .isInstanceOf(PolicyPublisher.VersionRefusedException.class);
      }
      try (PolicyPublisher p = publisher(broker.url()).history(history)) {
        assertThat(p.publish("fleet-a", "minilm", policy(0.9)).version).isEqualTo(3);
        // an expected version below what the history holds still numbers after the history
        assertThat(p.publish("fleet-a", "minilm", policy(0.6), OptionalLong.of(3)).version).isEqualTo(4);
        assertThat(p.rollback("fleet-a", "minilm", 1).version).isEqualTo(5);
      }
      assertThat(new String(Files.readAllBytes(history.file("fleet-a", "minilm", 1)), StandardCharsets.UTF_8))
          .isEqualTo(v1);
      assertThat(history.highest("fleet-a", "minilm")).hasValue(5);
    }
  }

  static String retained(String url, String topic) throws Exception {
    java.util.concurrent.BlockingQueue<String> q = new java.util.concurrent.LinkedBlockingQueue<>();
    MqttClient c = new MqttClient(url, "reader-" + System.nanoTime(), new MemoryPersistence());
    c.connect();
    c.subscribe(new org.eclipse.paho.mqttv5.common.MqttSubscription[] {
        new org.eclipse.paho.mqttv5.common.MqttSubscription(topic, 1)},
        new org.eclipse.paho.mqttv5.client.IMqttMessageListener[] {
            (t, m) -> q.add(new String(m.getPayload(), StandardCharsets.UTF_8))});
    String got = q.poll(5, java.util.concurrent.TimeUnit.SECONDS);
    c.disconnect();
    c.close();
    return got;
  }
}
