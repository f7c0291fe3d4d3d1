package dev.tandem.tuner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.relay.collect.Compactor;
import dev.tandem.relay.collect.IncomingBatch;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.CloudResult;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.PolicyEventRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.record.RecordReplay;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.tuner.synth.SyntheticFleet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreReaderTest {
  @TempDir Path dir;

  static final SyntheticFleet FLEET = SyntheticFleet.builder().devices(4).decisionsPerDevice(30).seed(7).build();

  /** The device's records as lines: policy event, decisions, and a label and a late reply for two of them. */
  static List<String> lines(DeviceLog log) {
    List<String> out = new ArrayList<>();
    out.add(RecordCodec.encode(log.policyEvents().get(0)));
    long seq = 1000;
    for (LoggedDecision d : log.decisions()) {
      out.add(RecordCodec.encode(d.record()));
    }
    DecisionRecord first = log.decisions().get(0).record();
    DecisionRecord second = log.decisions().get(1).record();
    out.add(RecordCodec.encode(AmendmentRecord.label(log.device(), seq++, 1L, first.id(), 1)));
    out.add(RecordCodec.encode(AmendmentRecord.lateReply(log.device(), seq, 1L, second.id(),
        CloudResult.of(OffloadStatus.OK, "", 0, 900, -1, "r", "1", 0, 1, 1), 64)));
    return out;
  }

  static Clock day(String d) {
    return Clock.fixed(Instant.parse(d + "T12:00:00Z"), ZoneOffset.UTC);
  }

  /** Day 1: the first 20 decisions of each device; day 2: the rest and the amendments. */
  void writeStore() throws IOException {
    for (int i = 0; i < FLEET.devices(); i++) {
      DeviceLog log = FLEET.device(i);
      List<String> all = lines(log);
      List<String> one = new ArrayList<>(all.subList(0, 21));
      List<String> two = new ArrayList<>(all.subList(21, all.size()));
      two.add(all.get(5)); // a duplicate, re-sent after a lost ack, and stored again by a racing collector
      LogStore.open(dir, day("2026-11-20"), 1).store(new IncomingBatch(log.device(), "b1", 1, 21, 0, one));
      Files.createDirectories(dir.resolve("records/date=2026-11-21").resolve(log.device()));
      Files.write(dir.resolve("records/date=2026-11-21").resolve(log.device()).resolve("dup.jsonl"),
          List.of(all.get(5)), java.nio.file.StandardOpenOption.CREATE_NEW,
          java.nio.file.StandardOpenOption.WRITE);
      LogStore.open(dir, day("2026-11-21"), 1).store(new IncomingBatch(log.device(), "b2", 22, 1001, 0, two));
    }
  }

  static Map<String, DeviceLog> readAll(StoreQuery q) {
    Map<String, DeviceLog> out = new TreeMap<>();
    try (StoreReader r = StoreReader.open(q)) {
      r.forEachDevice(l -> out.put(l.device(), l));
    }
    return out;
  }

  @Test
  void jsonLinesAndCompactedParquet_readTheSame_inSequenceOrder_withAmendmentsJoined() throws IOException {
    writeStore();
    Map<String, DeviceLog> fromJson = readAll(StoreQuery.builder(dir).build());
    assertThat(fromJson).hasSize(4);
    for (DeviceLog log : fromJson.values()) {
      DeviceLog truth = FLEET.device(Integer.parseInt(log.device().substring(4)));
      assertThat(log.decisions()).hasSize(30);
      for (int j = 0; j < 30; j++) {
        DecisionRecord got = log.decisions().get(j).record();
        assertThat(got.seq()).isEqualTo(truth.decisions().get(j).record().seq());
        assertThat(RecordReplay.replays(FLEET.policy(), got)).isTrue();
      }
      assertThat(log.decisions().get(0).label()).isEqualTo(1);
      assertThat(log.decisions().get(1).lateReply()).isPresent();
      assertThat(log.decisions().get(2).labelled()).isFalse();
      assertThat(log.policyEvents()).hasSize(1);
    }
    // compact day 1 only: a mixed store
    Compactor.compact(dir, "2026-11-20");
    assertThat(dir.resolve("records/date=2026-11-20/records.parquet")).exists();
    Map<String, DeviceLog> mixed = readAll(StoreQuery.builder(dir).build());
    Compactor.compact(dir, "2026-11-21");
    Map<String, DeviceLog> parquet = readAll(StoreQuery.builder(dir).build());
    for (String d : fromJson.keySet()) {
      for (Map<String, DeviceLog> other : List.of(mixed, parquet)) {
        List<LoggedDecision> a = fromJson.get(d).decisions();
        List<LoggedDecision> b = other.get(d).decisions();
        assertThat(b).hasSameSizeAs(a);
        for (int j = 0; j < a.size(); j++) {
          assertThat(RecordCodec.encode(b.get(j).record())).isEqualTo(RecordCodec.encode(a.get(j).record()));
          assertThat(b.get(j).label()).isEqualTo(a.get(j).label());
          assertThat(b.get(j).lateReply().map(CloudResult::roundTripMs))
              .isEqualTo(a.get(j).lateReply().map(CloudResult::roundTripMs));
        }
        assertThat(other.get(d).policyEvents()).isEqualTo(fromJson.get(d).policyEvents());
      }
    }
  }

  /** Every decision as the column scan gives it: id to (context, decided, route, label, late answer, cost). */
  static Map<String, List<Object>> scanAll(StoreQuery q) {
    Map<String, List<Object>> out = new TreeMap<>();
    try (StoreReader r = StoreReader.open(q)) {
      r.scanDecisions(c -> {
        for (int d = 0; d < c.devices().size(); d++) {
          for (int i = c.deviceStart(d); i < c.deviceEnd(d); i++) {
            out.put(c.id(d, i), List.of(c.context(i), c.decided(i), c.route(i), c.label(i), c.lateReplyPrediction(i),
                c.edgeUsd(i) + c.networkUsd(i) + c.cloudUsd(i), c.latencyMs(i), c.timeMs(i), c.edgePrediction(i),
                String.valueOf(c.cloudStatus(i)), c.cloudPrediction(i), c.cloudRoundTripMs(i), c.edgeModelHash(i)));
          }
        }
      });
    }
    return out;
  }

  /** The same from whole records. */
  static Map<String, List<Object>> expected(StoreQuery q) {
    Map<String, List<Object>> out = new TreeMap<>();
    for (DeviceLog log : readAll(q).values()) {
      for (LoggedDecision ld : log.decisions()) {
        DecisionRecord r = ld.record();
        out.put(r.id(), List.of(r.context(), r.decided(), r.route(), ld.label(),
            ld.lateReply().filter(l -> l.status() == OffloadStatus.OK).map(CloudResult::prediction).orElse(-1),
            r.cost().edgeUsd() + r.cost().networkUsd() + r.cost().cloudUsd(), r.latencyMs(), r.timeMs(),
            r.edge().get().prediction(), String.valueOf(r.cloud().map(CloudResult::status).orElse(null)),
            r.cloud().map(CloudResult::prediction).orElse(-1), r.cloud().map(CloudResult::roundTripMs).orElse(-1.0),
            r.edgeModelHash()));
      }
    }
    return out;
  }

  @Test
  void columnScan_givesWhatWholeRecordsGive_jsonLinesMixedAndParquet() throws IOException {
    writeStore();
    List<StoreQuery> queries = List.of(StoreQuery.builder(dir).build(),
        StoreQuery.builder(dir).to(LocalDate.parse("2026-11-20")).build(),
        StoreQuery.builder(dir).from(LocalDate.parse("2026-11-21")).build());
    for (String compact : new String[] {null, "2026-11-20", "2026-11-21"}) {
      if (compact != null) {
        Compactor.compact(dir, compact);
      }
      for (StoreQuery q : queries) {
        Map<String, List<Object>> want = expected(q);
        assertThat(want).isNotEmpty();
        assertThat(scanAll(q)).as("compacted up to " + compact).isEqualTo(want);
      }
    }
    assertThat(scanAll(queries.get(0))).hasSize(120);
  }

  @Test
  void columnScan_namesTheFileAndLineOfARecordItCannotUse() throws IOException {
    writeStore();
    Path bad = dir.resolve("records/date=2026-11-21/dev-00001/zz.jsonl");
    String good = RecordCodec.encode(FLEET.device(1).decisions().get(0).record());
    Files.write(bad, List.of(good, good.replace("\"kind\":\"decision\"", "\"kind\":\"telemetry\"")));
    assertThatThrownBy(() -> scanAll(StoreQuery.builder(dir).build()))
        .isInstanceOf(StoreException.class).hasMessageContaining("zz.jsonl line 2")
        .hasMessageContaining("unknown record kind 'telemetry'");
    Files.write(bad, List.of("{\"schema\":2,\"kind\":\"decision\",\"id\":\"dev-00001:5000\"}"));
    assertThatThrownBy(() -> scanAll(StoreQuery.builder(dir).build()))
        .isInstanceOf(StoreException.class).hasMessageContaining("zz.jsonl line 1")
        .hasMessageContaining("record schema 2 is not supported");
    Files.write(bad, List.of(good.replace("\"seq\":2,", "\"seq\":\"two\",")));
    assertThatThrownBy(() -> scanAll(StoreQuery.builder(dir).build()))
        .isInstanceOf(StoreException.class).hasMessageContaining("zz.jsonl").hasMessageContaining("line 1");
  }

  @Test
  void dateRange_selectsDecisionsByReceiveDate_amendmentsStillJoin() throws IOException {
    writeStore();
    Map<String, DeviceLog> dayOne = readAll(StoreQuery.builder(dir).to(LocalDate.parse("2026-11-20")).build());
    assertThat(dayOne.get("dev-00000").decisions()).hasSize(20);
    Map<String, DeviceLog> dayTwo = readAll(StoreQuery.builder(dir).from(LocalDate.parse("2026-11-21")).build());
    assertThat(dayTwo.get("dev-00000").decisions()).hasSize(10);
    assertThat(dayTwo.get("dev-00000").policyEvents()).as("the policy in force at the range's start").hasSize(1);
    assertThat(dayOne.get("dev-00000").decisions().get(0).label()).as("label received on day 2").isEqualTo(1);
  }

  @Test
  void errors_sayWhatIsWrong() throws IOException {
    assertThatThrownBy(() -> StoreReader.open(StoreQuery.builder(dir).build()))
        .isInstanceOf(StoreException.class).hasMessageContaining("holds no records");
    writeStore();
    assertThatThrownBy(() -> readAll(StoreQuery.builder(dir).from(LocalDate.parse("2026-12-01")).build()))
        .isInstanceOf(StoreException.class).hasMessageContaining("no decision records received from 2026-12-01")
        .hasMessageContaining("2026-11-20 .. 2026-11-21");
    Path bad = dir.resolve("records/date=2026-11-21/dev-00001/zz.jsonl");
    Files.write(bad, List.of("{\"schema\":2,\"kind\":\"decision\",\"id\":\"dev-00001:5000\"}"));
    assertThatThrownBy(() -> readAll(StoreQuery.builder(dir).build()))
        .isInstanceOf(StoreException.class).hasMessageContaining("zz.jsonl line 1")
        .hasMessageContaining("record schema 2 is not supported");
  }

  @Test
  void bareSpoolDirectory_readsLikeAStore() throws IOException {
    DeviceLog log = FLEET.device(2);
    try (Spool spool = Spool.builder(dir).build()) {
      spool.append(log.policyEvents().get(0));
      for (LoggedDecision d : log.decisions()) {
        spool.append(d.record());
      }
      spool.append(AmendmentRecord.label(log.device(), 5000, 1L, log.decisions().get(3).record().id(), 0));
    }
    Map<String, DeviceLog> read = readAll(StoreQuery.builder(dir).build());
    assertThat(read.get(log.device()).decisions()).hasSize(30);
    assertThat(read.get(log.device()).decisions().get(3).label()).isZero();
    assertThat(read.get(log.device()).policyEvents()).hasSize(1);
    try (StoreReader r = StoreReader.open(StoreQuery.builder(dir).build())) {
      assertThat(r.isSpool()).isTrue();
      r.forEachDevice(l -> { });
      String hash = log.policyEvents().get(0).policyHash();
      assertThat(r.policy(hash)).contains(FLEET.policy());
    }
    assertThatThrownBy(() -> readAll(StoreQuery.builder(dir).from(LocalDate.parse("2026-11-21")).build()))
        .isInstanceOf(StoreException.class).hasMessageContaining("--from/--to do not apply");
  }

  @Test
  void policyContent_isFoundByHash_inTheStoresPoliciesDirectory() throws IOException {
    writeStore();
    String hash = PolicyEventRecord.contentHash(FLEET.policy());
    assertThat(dir.resolve("policies").resolve(hash + ".json")).exists();
    try (StoreReader r = StoreReader.open(StoreQuery.builder(dir).build())) {
      assertThat(r.policy(hash)).contains(FLEET.policy());
      assertThat(r.policy("00".repeat(32))).isEmpty();
    }
  }
}
