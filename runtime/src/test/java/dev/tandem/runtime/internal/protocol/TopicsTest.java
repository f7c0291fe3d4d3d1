package dev.tandem.runtime.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicsTest {
  private final Topics topics = Topics.defaults();

  @Test
  void defaults_nameEveryTopicUnderTandemV1() {
    assertThat(topics.infer("spam", "dev-1")).isEqualTo("tandem/v1/infer/spam/dev-1");
    assertThat(topics.result("dev-1")).isEqualTo("tandem/v1/result/dev-1");
    assertThat(topics.logs("dev-1")).isEqualTo("tandem/v1/logs/dev-1");
    assertThat(topics.logsAck("dev-1")).isEqualTo("tandem/v1/logs-ack/dev-1");
    assertThat(topics.policy("fleet-a", "spam")).isEqualTo("tandem/v1/policy/fleet-a/spam");
    assertThat(topics.status("dev-1")).isEqualTo("tandem/v1/status/dev-1");
    assertThat(topics.relaySharedSubscription()).isEqualTo("$share/tandem-relay/tandem/v1/infer/+/+");
  }

  @Test
  void withPrefix_replacesThePrefix() {
    Topics t = Topics.withPrefix("acme/tandem/v1");
    assertThat(t.result("d")).isEqualTo("acme/tandem/v1/result/d");
    assertThat(t.relaySharedSubscription()).isEqualTo("$share/tandem-relay/acme/tandem/v1/infer/+/+");
    assertThatThrownBy(() -> Topics.withPrefix("a/#")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.withPrefix("/a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Topics.withPrefix("$SYS")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void levels_withWildcardsOrSlashes_areRejectedNamingTheArgument() {
    assertThatThrownBy(() -> topics.infer("a/b", "d")).hasMessageContaining("model");
    assertThatThrownBy(() -> topics.result("+")).hasMessageContaining("deviceId");
    assertThatThrownBy(() -> topics.policy("#", "m")).hasMessageContaining("fleet");
    assertThatThrownBy(() -> topics.status("")).hasMessageContaining("deviceId");
  }

  @Test
  void parseInfer_readsModelAndDevice() {
    Topics.InferTopic t = topics.parseInfer("tandem/v1/infer/spam/dev-1").get();
    assertThat(t.model()).isEqualTo("spam");
    assertThat(t.deviceId()).isEqualTo("dev-1");
    assertThat(topics.parseInfer("tandem/v1/infer/spam")).isEmpty();
    assertThat(topics.parseInfer("tandem/v1/infer/spam/dev/x")).isEmpty();
    assertThat(topics.parseInfer("other/v1/infer/spam/dev")).isEmpty();
    assertThat(topics.parseResult("tandem/v1/result/dev-1")).contains("dev-1");
    assertThat(topics.parseResult("tandem/v1/result/")).isEmpty();
  }
}
