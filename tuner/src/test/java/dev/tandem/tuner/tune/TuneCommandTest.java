package dev.tandem.tuner.tune;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.relay.collect.Compactor;
import dev.tandem.relay.collect.IncomingBatch;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.tuner.cli.TandemTune;
import dev.tandem.tuner.store.DeviceLog;
import dev.tandem.tuner.store.LoggedDecision;
import dev.tandem.tuner.synth.SyntheticFleet;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneCommandTest {
  @TempDir static Path shared;
  @TempDir Path dir;
  static Path store;
  static final SyntheticFleet fleet = SyntheticFleet.builder().devices(30).decisionsPerDevice(200).seed(11)
      .exploration(0.2, dev.tandem.runtime.policy.ExplorationKind.SHADOW)
      .labels(0.5, SyntheticFleet.Labelling.RANDOM).build();

  /** The fleet through the real collector's store: day 1 compacted to Parquet, day 2 as JSON lines. */
  @BeforeAll
  static void writeStore() throws IOException {
    store = shared.resolve("store");
    for (int i = 0; i < fleet.devices(); i++) {
      DeviceLog log = fleet.device(i);
      List<String> lines = new ArrayList<>();
      lines.add(RecordCodec.encode(log.policyEvents().get(0)));
      for (LoggedDecision d : log.decisions()) {
        lines.add(RecordCodec.encode(d.record()));
        if (d.labelled()) {
          lines.add(RecordCodec.encode(dev.tandem.runtime.record.AmendmentRecord.label(log.device(),
              d.record().seq() + 100_000, d.record().timeMs(), d.record().id(), d.label())));
        }
      }
      int half = lines.size() / 2;
      LogStore.open(store, day("2026-11-20"), 1).store(new IncomingBatch(log.device(), "b1", 1, 1_000_000, 0,
          lines.subList(0, half)));
      LogStore.open(store, day("2026-11-21"), 1).store(new IncomingBatch(log.device(), "b2", 1, 1_000_000, 0,
          lines.subList(half, lines.size())));
    }
    Compactor.compact(store, "2026-11-20");
  }

  static Clock day(String d) {
    return Clock.fixed(Instant.parse(d + "T12:00:00Z"), ZoneOffset.UTC);
  }

  int run(ByteArrayOutputStream out, ByteArrayOutputStream err, String... args) {
    PrintStream o = System.out;
    PrintStream e = System.err;
    System.setOut(new PrintStream(out, true));
    System.setErr(new PrintStream(err, true));
    try {
      return TandemTune.commandLine().execute(args);
    } finally {
      System.setOut(o);
      System.setErr(e);
    }
  }

  @Test
  void tune_writesTheCheapestPolicyMeetingTheObjective_withCandidatesAndSummary() throws IOException {
    Path out = dir.resolve("out");
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code = run(o, e, "tune", "--store", store.toString(), "--min-accuracy", "0.9", "--out", out.toString());
    assertThat(code).as(e.toString()).isZero();
    Policy p = Policy.fromJson(new String(Files.readAllBytes(out.resolve("policy.json")), StandardCharsets.UTF_8));
    assertThat(p.edgeModelHash()).isEqualTo(fleet.policy().edgeModelHash());
    assertThat(p.toBuilder().threshold(0.8).build()).isEqualTo(fleet.policy());
    JsonObject s = JsonParser.parseString(new String(Files.readAllBytes(out.resolve("summary.json")),
        StandardCharsets.UTF_8)).getAsJsonObject();
    assertThat(s.getAsJsonObject("replay_identity").get("mismatches").getAsLong()).isZero();
    assertThat(s.getAsJsonObject("replay_identity").get("checked").getAsLong()).isEqualTo(6000);
    assertThat(s.get("quality_metric").getAsString()).isEqualTo("accuracy");
    assertThat(s.getAsJsonObject("fleet").getAsJsonObject("selection").get("met").getAsBoolean()).isTrue();
    assertThat(s.getAsJsonObject("fleet").getAsJsonArray("candidates").size()).isBetween(90, 101);
    List<String> csv = Files.readAllLines(out.resolve("candidates.csv"));
    assertThat(csv.size() - 1).isEqualTo(s.getAsJsonObject("fleet").getAsJsonArray("candidates").size());
    assertThat(o.toString()).contains("recommended threshold").contains("replay identity: 6000 of 6000 reproduced");
    assertThat(e.toString()).contains("read 30 devices, 6,000 decisions");
  }

  @Test
  void tune_impossibleObjective_namesItAndTheNearest_andWritesNoPolicy() throws IOException {
    Path out = dir.resolve("out");
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    int code = run(o, new ByteArrayOutputStream(), "tune", "--store", store.toString(), "--min-accuracy", "0.99",
        "--max-cost-per-1k", "0.05", "--out", out.toString());
    assertThat(code).isEqualTo(3);
    assertThat(out.resolve("policy.json")).doesNotExist();
    assertThat(o.toString()).contains("NOT MET").contains("--min-accuracy 0.99").contains("nearest: threshold");
    JsonObject sel = JsonParser.parseString(new String(Files.readAllBytes(out.resolve("summary.json")),
        StandardCharsets.UTF_8)).getAsJsonObject().getAsJsonObject("fleet").getAsJsonObject("selection");
    assertThat(sel.get("met").getAsBoolean()).isFalse();
    assertThat(sel.getAsJsonArray("unmet").toString()).contains("--min-accuracy");
    assertThat(sel.has("nearest_threshold")).isTrue();
  }

  @Test
  void tune_bySegment_andOtherSignals_emitTheSchemasOverrides() throws IOException {
    Path out = dir.resolve("seg");
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    int code = run(new ByteArrayOutputStream(), e, "tune", "--store", store.toString(), "--by-segment",
        "--candidates", "20", "--target-offload", "0.4", "--out", out.toString());
    assertThat(code).as(e.toString()).isZero();
    Policy p = Policy.fromJson(new String(Files.readAllBytes(out.resolve("policy.json")), StandardCharsets.UTF_8));
    assertThat(p.segments()).isNotEmpty();
    assertThat(p.segments()).allMatch(s -> s.network().isPresent() && s.deviceClass().isPresent());
    Path ent = dir.resolve("entropy");
    code = run(new ByteArrayOutputStream(), e, "tune", "--store", store.toString(), "--signal", "entropy",
        "--candidates", "20", "--max-offload", "0.5", "--out", ent.toString());
    assertThat(code).as(e.toString()).isZero();
    Policy pe = Policy.fromJson(new String(Files.readAllBytes(ent.resolve("policy.json")), StandardCharsets.UTF_8));
    assertThat(pe.signal().jsonName()).isEqualTo("entropy");
  }

  @Test
  void tune_badInput_clearErrors() throws IOException {
    ByteArrayOutputStream e = new ByteArrayOutputStream();
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThat(run(new ByteArrayOutputStream(), e, "tune", "--store", empty.toString(), "--out",
        dir.resolve("o1").toString())).isEqualTo(2);
    assertThat(e.toString()).contains("holds no records");

    Path other = dir.resolve("other.json");
    Files.write(other, fleet.policy().toBuilder().edgeModelHash("ab".repeat(32)).build().toJson()
        .getBytes(StandardCharsets.UTF_8));
    e.reset();
    assertThat(run(new ByteArrayOutputStream(), e, "tune", "--store", store.toString(), "--policy", other.toString(),
        "--out", dir.resolve("o2").toString())).isEqualTo(2);
    assertThat(e.toString()).contains("edge-model hash " + "ab".repeat(32) + " matches no record");

    e.reset();
    assertThat(run(new ByteArrayOutputStream(), e, "tune", "--store", store.toString(), "--from", "2027-01-01",
        "--out", dir.resolve("o3").toString())).isEqualTo(2);
    assertThat(e.toString()).contains("no decision records received from 2027-01-01");

    e.reset();
    assertThat(run(new ByteArrayOutputStream(), e, "tune", "--store", store.toString(), "--signal", "logit",
        "--out", dir.resolve("o4").toString())).isEqualTo(2);
    assertThat(e.toString()).contains("--signal must be max_prob, margin or entropy");
  }
}
