package dev.tandem.runtime.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.policy.Mode;
import dev.tandem.runtime.policy.Policy;
import org.junit.jupiter.api.Test;

class PolicyEventRecordTest {
  static final String HASH = "ab".repeat(32);

  static Policy policy(long version) {
    return Policy.builder().version(version).mode(Mode.CASCADE).threshold(0.8).deadlineMs(200).build();
  }

  @Test
  void appliedEvent_roundTripsThroughTheCodec_withContentAndHash() {
    PolicyEventRecord r = PolicyEventRecord.builder().device("d1").seq(7).timeMs(1_790_000_000_000L).fleet("f")
        .model("m").event(PolicyEventRecord.Event.APPLIED).reason("update").message("replaces version 3")
        .policy(policy(4)).inForceVersion(4).edgeModelHash(HASH).build();
    String line = RecordCodec.encode(r);
    assertThat(line).contains("\"kind\":\"policy_event\"").contains("\"schema\":1");
    PolicyEventRecord back = (PolicyEventRecord) RecordCodec.decode(line);
    assertThat(back).isEqualTo(r);
    assertThat(back.version()).isEqualTo(4);
    assertThat(back.policyHash()).isEqualTo(PolicyEventRecord.contentHash(policy(4)));
    assertThat(Policy.fromJson(back.policy().get())).isEqualTo(policy(4));
  }

  @Test
  void rejectedEvent_keepsTheHashButNotTheContent() {
    PolicyEventRecord r = PolicyEventRecord.builder().device("d1").seq(8).timeMs(1L)
        .event(PolicyEventRecord.Event.REJECTED).reason("older_version").policy(policy(2)).inForceVersion(4).build();
    assertThat(r.policy()).isEmpty();
    assertThat(r.policyHash()).hasSize(64);
    assertThat(RecordCodec.decode(RecordCodec.encode(r))).isEqualTo(r);
    assertThat(RecordCodec.decode(RecordCodec.encode(r.withoutContent()))).isEqualTo(r);
  }

  @Test
  void decode_refusesContentThatDoesNotMatchItsHash() {
    String line = RecordCodec.encode(PolicyEventRecord.builder().device("d1").seq(7).timeMs(1L)
        .event(PolicyEventRecord.Event.APPLIED).reason("start").policy(policy(4)).build());
    String tampered = line.replace("\\\"threshold\\\":0.8", "\\\"threshold\\\":0.9");
    assertThat(tampered).isNotEqualTo(line);
    assertThatThrownBy(() -> RecordCodec.decode(tampered)).isInstanceOf(RecordFormatException.class)
        .hasMessageContaining("policy_hash does not match");
  }

  @Test
  void decode_unknownKind_namesTheKindsItKnows() {
    assertThatThrownBy(() -> RecordCodec.decode("{\"schema\":1,\"kind\":\"telemetry\",\"id\":\"d:1\"}"))
        .isInstanceOf(RecordFormatException.class).hasMessageContaining("unknown record kind 'telemetry'")
        .hasMessageContaining("policy_event");
  }
}
