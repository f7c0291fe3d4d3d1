package dev.tandem.relay.collect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.RecordCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStoreTest {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;

  /** A real record line, as the runtime writes it (a label amendment: the smallest kind). */
  static String record(String device, long seq) {
    return RecordCodec.encode(AmendmentRecord.label(device, seq, 1_790_000_000_000L + seq,
        device + ":" + (seq + 1000), (int) (seq % 2)));
  }

  static IncomingBatch batch(String device, String id, long from, long to, long evicted) {
    List<String> lines = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      lines.add(record(device, s));
    }
    return new IncomingBatch(device, id, from, to, evicted, lines);
  }

  static List<Path> files(Path root, String tree) throws IOException {
    Path t = root.resolve(tree);
    if (!Files.exists(t)) {
      return new ArrayList<>();
    }
    try (Stream<Path> s = Files.walk(t)) {
      return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void store_writesOneFilePerBatchUnderReceiveDate() throws IOException {
    LogStore s = LogStore.open(dir, CLOCK, 1);
    StoreResult r = s.store(batch("dev-1", "b1", 1, 10, 0));
    assertThat(r.written()).isEqualTo(10);
    assertThat(files(dir, "records"))
        .containsExactly(dir.resolve("records/date=2026-11-20/dev-1/b1.jsonl"));
    assertThat(Files.readAllLines(files(dir, "records").get(0))).hasSize(10);
    assertThat(files(dir, "batches")).hasSize(1);
  }

  @Test
  void store_redeliveredAndRebatched_storesEachRecordOnce() throws IOException {
    LogStore s = LogStore.open(dir, CLOCK, 1);
    s.store(batch("dev-1", "b1", 1, 10, 0));
    StoreResult again = s.store(batch("dev-1", "b1", 1, 10, 0));
    assertThat(again.written()).isZero();
    assertThat(again.duplicates()).isEqualTo(10);
    StoreResult rebatched = s.store(batch("dev-1", "b2", 5, 15, 0));
    assertThat(rebatched.written()).isEqualTo(5);
    assertThat(rebatched.duplicates()).isEqualTo(6);
    assertThat(s.gaps().get("dev-1").stored()).isEqualTo(15);
  }

  @Test
  void open_rebuildsIndexFromFiles_soDuplicatesAfterRestartAreSkipped() throws IOException {
    LogStore s = LogStore.open(dir, CLOCK, 1);
    s.store(batch("dev-1", "b1", 1, 10, 0));
    s.store(batch("dev-2", "b1", 1, 3, 0));
    Files.write(dir.resolve("records/date=2026-11-20/dev-1/.b9.jsonl.tmp"), new byte[] {'{'});
    LogStore reopened = LogStore.open(dir, CLOCK, 1);
    assertThat(reopened.store(batch("dev-1", "b1", 1, 10, 0)).written()).isZero();
    assertThat(reopened.gaps().get("dev-2").stored()).isEqualTo(3);
    assertThat(Files.exists(dir.resolve("records/date=2026-11-20/dev-1/.b9.jsonl.tmp"))).isFalse();
  }

  @Test
  void store_recordFromAnotherDevice_isRejectedAndKept() throws IOException {
    LogStore s = LogStore.open(dir, CLOCK, 1);
    List<String> lines = new ArrayList<>();
    lines.add(record("dev-1", 1));
    lines.add(record("dev-2", 2));
    lines.add("not json");
    lines.add("{\"schema\":99,\"kind\":\"decision\",\"device\":\"dev-1\",\"seq\":3}");
    lines.add(record("dev-1", 99));
    StoreResult r = s.store(new IncomingBatch("dev-1", "b1", 1, 3, 0, lines));
    assertThat(r.written()).isEqualTo(1);
    assertThat(r.rejected()).isEqualTo(4);
    String rejected = new String(Files.readAllBytes(files(dir, "rejected").get(0)));
    assertThat(rejected).contains("does not match topic device dev-1")
        .contains("not JSON").contains("outside batch range").contains("schema");
    assertThat(s.contains("dev-2", 2)).isFalse();
  }

  @Test
  void gaps_evictionsReportedByDevice_areCountedNotLost() throws IOException {
    LogStore s = LogStore.open(dir, CLOCK, 1);
    s.store(batch("dev-1", "b1", 1, 10, 0));
    // 11..20 evicted on the device, 21..22 lost in transit, 23..30 arrive
    s.store(batch("dev-1", "b3", 23, 30, 10));
    DeviceGaps g = s.gaps().get("dev-1");
    assertThat(g.stored()).isEqualTo(18);
    assertThat(g.missing()).isEqualTo(12);
    assertThat(g.evicted()).isEqualTo(10);
    assertThat(g.lost()).isEqualTo(2);
    // the eviction count survives a restart
    assertThat(LogStore.open(dir, CLOCK, 1).gaps().get("dev-1").evicted()).isEqualTo(10);
  }

  @Test
  void gaps_numbersSkippedByARestart_areUnusedNotLost() throws IOException {
    LogStore s = LogStore.open(dir, CLOCK, 1);
    s.store(batch("dev-1", "b1", 1, 10, 0));
    List<long[]> unused = new ArrayList<>();
    unused.add(new long[] {11, 64});
    List<String> lines = new ArrayList<>();
    for (long q = 65; q <= 70; q++) {
      lines.add(record("dev-1", q));
    }
    s.store(new IncomingBatch("dev-1", "b2", 65, 70, 0, lines, unused));
    DeviceGaps g = s.gaps().get("dev-1");
    assertThat(g.missing()).isEqualTo(54);
    assertThat(g.unused()).isEqualTo(54);
    assertThat(g.lost()).isZero();
    assertThat(LogStore.open(dir, CLOCK, 1).gaps().get("dev-1").lost()).isZero();
  }

  @Test
  void incomingBatch_unsafeIds_areRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new IncomingBatch("../etc", "b", 1, 1, 0, new ArrayList<>()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device id");
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new IncomingBatch("d", "b/x", 1, 1, 0, new ArrayList<>()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch_id");
  }

  static String policyEvent(String device, long seq, double threshold) {
    dev.tandem.runtime.policy.Policy p = dev.tandem.runtime.policy.Policy.builder().version(seq)
        .mode(dev.tandem.runtime.policy.Mode.CASCADE).threshold(threshold).deadlineMs(200).build();
    return RecordCodec.encode(dev.tandem.runtime.record.PolicyEventRecord.builder().device(device).seq(seq)
        .timeMs(1L).event(dev.tandem.runtime.record.PolicyEventRecord.Event.APPLIED).reason("update")
        .policy(p).build());
  }

  @Test
  void store_policyEvent_keepsTheRecordWithItsHash_andTheContentOncePerStore() throws IOException {
    LogStore s = LogStore.open(dir, CLOCK, 1);
    String a = policyEvent("dev-1", 1, 0.8);
    String sameContentOtherDevice = policyEvent("dev-2", 1, 0.8);
    s.store(new IncomingBatch("dev-1", "b1", 1, 1, 0, List.of(a)));
    s.store(new IncomingBatch("dev-2", "b1", 1, 1, 0, List.of(sameContentOtherDevice)));
    assertThat(files(dir, "policies")).hasSize(1);
    String stored = Files.readAllLines(dir.resolve("records/date=2026-11-20/dev-1/b1.jsonl")).get(0);
    assertThat(stored).contains("\"policy_hash\"").doesNotContain("\"policy\":");
    dev.tandem.runtime.record.PolicyEventRecord r =
        (dev.tandem.runtime.record.PolicyEventRecord) RecordCodec.decode(stored);
    assertThat(Files.readAllLines(files(dir, "policies").get(0)).get(0))
        .isEqualTo(((dev.tandem.runtime.record.PolicyEventRecord) RecordCodec.decode(a)).policy().get());
    assertThat(files(dir, "policies").get(0).getFileName().toString()).isEqualTo(r.policyHash() + ".json");
  }

  @Test
  void store_unknownKind_isFiledUnderRejectedWithItsReason() throws IOException {
    LogStore s = LogStore.open(dir, CLOCK, 1);
    String line = "{\"schema\":1,\"kind\":\"telemetry\",\"id\":\"dev-1:1\",\"device\":\"dev-1\",\"seq\":1}";
    StoreResult r = s.store(new IncomingBatch("dev-1", "b1", 1, 1, 0, List.of(line)));
    assertThat(r.rejected()).isEqualTo(1);
    List<String> rej = Files.readAllLines(dir.resolve("rejected/date=2026-11-20/dev-1/b1.jsonl"));
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(rej.get(0)).getAsJsonObject();
    assertThat(o.get("reason").getAsString()).contains("unknown record kind 'telemetry'");
    assertThat(o.get("line").getAsString()).isEqualTo(line);
  }
}
