package dev.tandem.relay.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyPublisherTest {
  @TempDir Path dir;

  static String policy(double threshold) {
    return PolicyFixtures.valid(threshold);
  }

  @Test
  void publish_assignsRetainedPlusOne_andRollbackRepublishesOldContentAsNewVersion() throws Exception {
    try (TestBroker broker = TestBrokers.start();
        PolicyPublisher p = new PolicyPublisher(broker.url(), "tandem/v1", null, null, null)) {
      assertThat(p.currentVersion("fleet-a", "minilm")).isZero();
      assertThat(p.publish("fleet-a", "minilm", policy(0.7)).version).isEqualTo(1);
      assertThat(p.publish("fleet-a", "minilm", policy(0.8)).version).isEqualTo(2);
      assertThat(p.currentVersion("fleet-a", "minilm")).isEqualTo(2);
      assertThat(p.currentVersion("fleet-b", "minilm")).isZero();

      PolicyPublisher.Published rb = p.rollback("fleet-a", "minilm", 1);
      assertThat(rb.version).isEqualTo(3);
      JsonObject back = JsonParser.parseString(rb.json).getAsJsonObject();
      JsonObject v1 = JsonParser.parseString(policy(0.7)).getAsJsonObject();
      back.remove("version");
      v1.remove("version");
      assertThat(back).isEqualTo(v1);
      assertThat(p.currentVersion("fleet-a", "minilm")).isEqualTo(3);

      assertThatThrownBy(() -> p.rollback("fleet-a", "minilm", 9))
          .isInstanceOf(PolicyPublisher.PolicyRejectedException.class)
          .hasMessageContaining("no policy version 9");
    }
  }

  @Test
  void publish_invalidPolicy_isRefusedWithReason_andNothingChanges() throws Exception {
    try (TestBroker broker = TestBrokers.start();
        PolicyPublisher p = new PolicyPublisher(broker.url(), "tandem/v1", null, null, null)) {
      p.publish("fleet-a", "minilm", policy(0.7));
      assertThatThrownBy(() -> p.publish("fleet-a", "minilm", "{ nope"))
          .isInstanceOf(PolicyPublisher.PolicyRejectedException.class)
          .hasMessageContaining("JSON");
      assertThatThrownBy(() -> p.publish("fleet-a", "minilm", PolicyFixtures.invalid()))
          .isInstanceOf(PolicyPublisher.PolicyRejectedException.class)
          .hasMessageContaining(PolicyFixtures.INVALID_FIELD);
      assertThat(p.currentVersion("fleet-a", "minilm")).isEqualTo(1);
    }
  }
}
