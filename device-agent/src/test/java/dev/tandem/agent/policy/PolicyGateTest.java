package dev.tandem.agent.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.agent.http.AgentMetrics;
import dev.tandem.runtime.internal.fleet.PolicyGate;
import dev.tandem.runtime.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyGateTest {
  static final String HASH = "ab".repeat(32);
  static final String OTHER = "cd".repeat(32);

  @TempDir Path dir;

  static String policy(long version, String hash, double threshold) {
    return "{\"schema\": 1, \"version\": " + version + ", \"model\": \"tiny\", \"edge_model_hash\": \""
        + hash + "\", \"mode\": \"cascade\", \"signal\": \"max_prob\", \"threshold\": " + threshold
        + ", \"deadline_ms\": 200}";
  }

  @Test
  void offer_appliesOnlyNewerValidPoliciesForThisModel_andRecordsEachRejection() throws Exception {
    List<Policy> applied = new ArrayList<>();
    AgentMetrics m = new AgentMetrics();
    PolicyGate gate = new PolicyGate("dev-1", HASH, Policy.fromJson(policy(3, HASH, 0.8)), dir, p -> {
      applied.add(p);
      return Optional.empty();
    }, m, Clock.systemUTC());

    assertThat(gate.offer(policy(4, HASH, 1.7), "t")).isEqualTo(PolicyGate.Outcome.INVALID);
    assertThat(gate.offer("{nope", "t")).isEqualTo(PolicyGate.Outcome.INVALID);
    assertThat(gate.offer(policy(2, HASH, 0.5), "t")).isEqualTo(PolicyGate.Outcome.OLDER_VERSION);
    assertThat(gate.offer(policy(5, OTHER, 0.5), "t")).isEqualTo(PolicyGate.Outcome.OTHER_EDGE_MODEL);
    assertThat(gate.offer(policy(3, HASH, 0.8), "t")).isEqualTo(PolicyGate.Outcome.SAME_VERSION);
    assertThat(applied).isEmpty();
    assertThat(gate.current().version()).isEqualTo(3);

    assertThat(gate.offer(policy(6, HASH, 0.6), "t")).isEqualTo(PolicyGate.Outcome.APPLIED);
    assertThat(applied).extracting(Policy::version).containsExactly(6L);
    assertThat(gate.current().threshold()).isEqualTo(0.6);

    List<String> events = Files.readAllLines(dir.resolve(PolicyGate.EVENTS), StandardCharsets.UTF_8);
    assertThat(events).hasSize(5);
    assertThat(events.get(0)).contains("\"outcome\":\"invalid\"").contains("threshold");
    assertThat(events.get(2)).contains("\"outcome\":\"older_version\"");
    assertThat(events.get(3)).contains("\"outcome\":\"other_edge_model\"");
    assertThat(events.get(4)).contains("\"outcome\":\"applied\"").contains("\"version\":6");
    assertThat(m.count("tandem_agent_policy_rejections_total", "reason", "invalid")).isEqualTo(2);
    assertThat(m.render()).contains("tandem_agent_policy_version 6");

    // the last good policy is what the next start uses, over an older configured file
    Path file = dir.resolve("configured.json");
    Files.write(file, policy(3, HASH, 0.8).getBytes(StandardCharsets.UTF_8));
    assertThat(PolicyGate.initial(Optional.of(file), dir, HASH).version()).isEqualTo(6);
  }

  @Test
  void initial_policyForAnotherModel_stopsTheStartWithAClearMessage() throws Exception {
    Path file = dir.resolve("p.json");
    Files.write(file, policy(1, OTHER, 0.8).getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> PolicyGate.initial(Optional.of(file), dir.resolve("state"), HASH))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("made for edge model " + OTHER);
    assertThatThrownBy(() -> PolicyGate.initial(Optional.empty(), dir.resolve("state"), HASH))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("policy.file");
  }

  @Test
  void offer_policyOverTheSizeLimit_rejectedTooLargeWithoutDecoding_recordedAndCounted() throws Exception {
    AgentMetrics m = new AgentMetrics();
    List<Policy> applied = new ArrayList<>();
    PolicyGate gate = new PolicyGate("dev-1", HASH, Policy.fromJson(policy(3, HASH, 0.8)), dir, p -> {
      applied.add(p);
      return Optional.empty();
    }, m, Clock.systemUTC(), 2048);
    // valid JSON, version 9, padded past 2 KiB with whitespace: the size alone rejects it
    String big = policy(9, HASH, 0.5).replace("{", "{" + " ".repeat(4096));
    assertThat(gate.offer(big.getBytes(StandardCharsets.UTF_8), "topic t")).isEqualTo(PolicyGate.Outcome.TOO_LARGE);
    assertThat(gate.offer(big, "file")).isEqualTo(PolicyGate.Outcome.TOO_LARGE);
    assertThat(applied).isEmpty();
    assertThat(gate.current().version()).isEqualTo(3);
    assertThat(m.count("tandem_agent_policy_rejections_total", "reason", "too_large")).isEqualTo(2);
    List<String> events = Files.readAllLines(dir.resolve(PolicyGate.EVENTS), StandardCharsets.UTF_8);
    assertThat(events.get(0)).contains("\"outcome\":\"too_large\"", "over the limit of 2048");
    assertThat(gate.offer(policy(9, HASH, 0.5).getBytes(StandardCharsets.UTF_8), "topic t"))
        .isEqualTo(PolicyGate.Outcome.APPLIED);

    Path file = dir.resolve("big.json");
    Files.write(file, big.getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> PolicyGate.initial(Optional.of(file), dir.resolve("state"), HASH, 2048))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("policy.max_bytes");
  }
}
