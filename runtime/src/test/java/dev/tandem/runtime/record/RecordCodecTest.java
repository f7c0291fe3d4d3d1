package dev.tandem.runtime.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.testing.SampleRecords;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

  @Test
  void encodeDecode_everyRecordReadsBackToTheSameLine() {
    List<Record> records = SampleRecords.mixed("dev-1", 1, 600, 42);
    for (Record r : records) {
      String line = RecordCodec.encode(r);
      assertThat(line).doesNotContain("\n");
      Record back = RecordCodec.decode(line);
      assertThat(back.id()).isEqualTo(r.id());
      assertThat(back.kind()).isEqualTo(r.kind());
      assertThat(RecordCodec.encode(back)).isEqualTo(line);
    }
  }

  @Test
  void decode_decisionReplaysExactlyFromItsLine() {
    for (Record r : SampleRecords.mixed("dev-2", 1, 600, 7)) {
      if (r instanceof DecisionRecord) {
        DecisionRecord back = (DecisionRecord) RecordCodec.decode(RecordCodec.encode(r));
        assertThat(RecordReplay.replays(SampleRecords.POLICY, back)).as(back.toString()).isTrue();
        assertThat(back.context()).isEqualTo(((DecisionRecord) r).context().toBuilder()
            .signals(back.context().signals().orElse(null)).build());
      }
    }
  }

  @Test
  void decode_keepsEveryDecisionField() {
    DecisionRecord r = null;
    for (Record x : SampleRecords.mixed("dev-3", 10, 200, 3)) {
      if (x instanceof DecisionRecord && ((DecisionRecord) x).cloud().isPresent()) {
        r = (DecisionRecord) x;
        break;
      }
    }
    assertThat(r).isNotNull();
    DecisionRecord b = RecordCodec.decodeDecision(RecordCodec.encode(r));
    assertThat(b.device()).isEqualTo("dev-3");
    assertThat(b.seq()).isEqualTo(r.seq());
    assertThat(b.timeMs()).isEqualTo(r.timeMs());
    assertThat(b.fleet()).isEqualTo("fleet-a");
    assertThat(b.model()).isEqualTo("spam");
    assertThat(b.policyVersion()).isEqualTo(3);
    assertThat(b.route()).isEqualTo(r.route());
    assertThat(b.reason()).isEqualTo(r.reason());
    assertThat(b.decided()).isEqualTo(r.decided());
    assertThat(b.edge().get().signals()).isEqualTo(r.edge().get().signals());
    assertThat(b.edge().get().latencyMs()).isEqualTo(r.edge().get().latencyMs());
    assertThat(b.edge().get().provider()).isEqualTo("CPU");
    CloudResult c = b.cloud().get();
    CloudResult rc = r.cloud().get();
    assertThat(c.status()).isEqualTo(rc.status());
    assertThat(c.roundTripMs()).isEqualTo(rc.roundTripMs());
    assertThat(c.budgetMs()).isEqualTo(rc.budgetMs());
    assertThat(c.relayId()).isEqualTo(rc.relayId());
    assertThat(c.batchSize()).isEqualTo(rc.batchSize());
    assertThat(b.bytesUp()).isEqualTo(r.bytesUp());
    assertThat(b.cost()).isEqualTo(r.cost());
    assertThat(b.latencyMs()).isEqualTo(r.latencyMs());
  }

  @Test
  void decode_amendments() {
    Record label = AmendmentRecord.label("d", 5, 1000, "d:4", 1);
    AmendmentRecord back = (AmendmentRecord) RecordCodec.decode(RecordCodec.encode(label));
    assertThat(back.type()).isEqualTo(AmendmentRecord.Type.LABEL);
    assertThat(back.decisionId()).isEqualTo("d:4");
    assertThat(back.label()).isEqualTo(1);
    assertThat(back.cloud()).isEmpty();
  }

  @Test
  void decode_unknownSchemaOrKind_isRejectedWithAClearMessage() {
    String line = RecordCodec.encode(AmendmentRecord.label("d", 5, 1000, "d:4", 1));
    assertThatThrownBy(() -> RecordCodec.decode(line.replace("\"schema\":1", "\"schema\":2")))
        .isInstanceOf(RecordFormatException.class).hasMessageContaining("schema 2 is not supported");
    assertThatThrownBy(() -> RecordCodec.decode(line.replace("\"kind\":\"amendment\"", "\"kind\":\"heartbeat\"")))
        .isInstanceOf(RecordFormatException.class).hasMessageContaining("unknown record kind 'heartbeat'");
    assertThatThrownBy(() -> RecordCodec.decode(line.replace("\"seq\":5", "\"seq\":\"5\"")))
        .isInstanceOf(RecordFormatException.class).hasMessageContaining("'seq' must be an integer");
    assertThatThrownBy(() -> RecordCodec.decode(line.replace("\"id\":\"d:5\"", "\"id\":\"d:6\"")))
        .isInstanceOf(RecordFormatException.class).hasMessageContaining("does not match");
    assertThatThrownBy(() -> RecordCodec.decode(line.replace(",\"label\":1", "")))
        .isInstanceOf(RecordFormatException.class).hasMessageContaining("'label' is required");
    assertThatThrownBy(() -> RecordCodec.decode("{\"schema\":1"))
        .isInstanceOf(RecordFormatException.class).hasMessageContaining("not valid JSON");
  }

  @Test
  void decode_unknownExtraField_isIgnored() {
    String line = RecordCodec.encode(AmendmentRecord.label("d", 5, 1000, "d:4", 1));
    Record r = RecordCodec.decode(line.replace("{\"schema\":1,", "{\"schema\":1,\"added_later\":{\"x\":1},"));
    assertThat(r.id()).isEqualTo("d:5");
  }

  @Test
  void decode_mutatedLines_failOnlyWithRecordFormatException() {
    java.util.Random rnd = new java.util.Random(11);
    List<Record> records = SampleRecords.mixed("dev-f", 1, 50, 5);
    for (int i = 0; i < 3000; i++) {
      char[] c = RecordCodec.encode(records.get(rnd.nextInt(records.size()))).toCharArray();
      for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
        c[rnd.nextInt(c.length)] = "{}[]\":,0-9aetx.".charAt(rnd.nextInt(15));
      }
      try {
        RecordCodec.decode(new String(c));
      } catch (RecordFormatException expected) {
        // the only failure a reader may see
      }
    }
  }
}
