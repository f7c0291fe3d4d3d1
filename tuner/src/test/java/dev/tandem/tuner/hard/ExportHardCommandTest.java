package dev.tandem.tuner.hard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.internal.capture.CaptureStore;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.tuner.cli.TandemTune;
import dev.tandem.tuner.observe.DecisionRow;
import dev.tandem.tuner.observe.SimulatedFleet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportHardCommandTest {
  static final LocalDate DAY0 = LocalDate.of(2026, 11, 20);

  @TempDir Path dir;

  List<DecisionRow> store(Path store) {
    SimulatedFleet.Output out = new SimulatedFleet().seed(21).devices(20).days(3).perDeviceDay(30)
        .policyOfDay(d -> SimulatedFleet.defaultPolicy(1, 0.8, 0.1)).generate();
    SimulatedFleet.writeStore(out, store);
    return out.rows();
  }

  /** What a collector files for a captured decision: its input, under the decision's receive date. */
  static void capture(Path store, DecisionRow r) throws IOException {
    Path d = store.resolve("captures").resolve("date=" + r.date()).resolve(r.device());
    Files.createDirectories(d);
    List<Tensor> input = List.of(Tensor.ofFloats("features", new float[] {r.seq(), 1, 2, 3}, 1, 4));
    Files.writeString(d.resolve(r.seq() + ".json"),
        CaptureStore.encode(r.device(), r.seq(), r.timeMs(), List.of("offloaded"), input));
  }

  static boolean askedCloud(DecisionRow r) {
    return "cloud".equals(r.decidedRoute()) || "shadow".equals(r.route()) || r.explored();
  }

  Map<String, JsonObject> export(Path store, String... extra) throws IOException {
    Path out = dir.resolve("hard.jsonl");
    String[] args = Stream.concat(Stream.of("export-hard", "--store", store.toString(), "--out", out.toString()),
        Stream.of(extra)).toArray(String[]::new);
    assertThat(TandemTune.commandLine().execute(args)).isZero();
    return Files.readAllLines(out).stream().map(l -> JsonParser.parseString(l).getAsJsonObject())
        .collect(Collectors.toMap(o -> o.get("decision_id").getAsString(), Function.identity()));
  }

  @Test
  void exportsExactlyTheAskedDecisionsWhereEdgeAndCloudDisagreedOrTheEdgeWasUnsure() throws Exception {
    Path store = dir.resolve("store");
    List<DecisionRow> rows = store(store);
    Set<String> expected = new HashSet<>();
    Set<String> disagree = new HashSet<>();
    for (DecisionRow r : rows) {
      boolean differ = r.cloudPrediction() >= 0 && r.cloudPrediction() != r.edgePrediction();
      if (askedCloud(r) && (differ || r.maxProb() < 0.6)) {
        expected.add(r.id());
      }
      if (askedCloud(r) && differ) {
        disagree.add(r.id());
      }
    }
    Map<String, JsonObject> got = export(store, "--today", DAY0.plusDays(2).toString());
    assertThat(got.keySet()).isEqualTo(expected);
    assertThat(expected).hasSizeGreaterThan(20);
    for (String id : disagree) {
      JsonObject o = got.get(id);
      assertThat(o.getAsJsonArray("hard").toString()).contains("disagree");
      assertThat(o.get("cloud_prediction").getAsInt()).isNotEqualTo(o.get("edge_prediction").getAsInt());
    }
    DecisionRow labelled = rows.stream().filter(r -> expected.contains(r.id()) && r.hasLabel()).findFirst()
        .orElseThrow();
    assertThat(got.get(labelled.id()).get("label").getAsInt()).isEqualTo(labelled.label());
    assertThat(got.values()).allMatch(o -> o.get("input_status").getAsString().equals("not_captured"));
  }

  @Test
  void withoutCaptureNoInputIsInTheStoreOrTheExport() throws Exception {
    Path store = dir.resolve("store");
    store(store);
    assertThat(store.resolve("captures")).doesNotExist();
    try (Stream<Path> s = Files.walk(store)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        assertThat(Files.readString(f, StandardCharsets.UTF_8)).doesNotContain("\"inputs\"")
            .doesNotContain("data_base64");
      }
    }
    Map<String, JsonObject> got = export(store);
    assertThat(got.values()).noneMatch(o -> o.has("input"));
  }

  @Test
  void capturesPastRetentionAreNeitherExportedNorKept() throws Exception {
    Path store = dir.resolve("store");
    List<DecisionRow> rows = store(store);
    List<DecisionRow> hard = HardExample.select(rows, 0.6).stream().map(HardExample::row).toList();
    DecisionRow old = hard.stream().filter(r -> r.date().equals(DAY0)).findFirst().orElseThrow();
    DecisionRow recent = hard.stream().filter(r -> r.date().equals(DAY0.plusDays(2))).findFirst().orElseThrow();
    DecisionRow confidentEdge = rows.stream().filter(r -> !askedCloud(r) && r.maxProb() > 0.9).findFirst()
        .orElseThrow();
    capture(store, old);
    capture(store, recent);
    capture(store, confidentEdge);
    // Seven-day retention, counted on the recent decision's receive day + 5: day 0 is past it.
    String today = DAY0.plusDays(7).toString();
    Map<String, JsonObject> got = export(store, "--capture-retention-days", "7", "--today", today);
    assertThat(got.get(recent.id()).get("input_status").getAsString()).isEqualTo("captured");
    assertThat(got.get(recent.id()).getAsJsonArray("input").get(0).getAsJsonObject().get("name").getAsString())
        .isEqualTo("features");
    assertThat(got.get(old.id()).get("input_status").getAsString()).isEqualTo("past_retention");
    assertThat(got.get(old.id()).has("input")).isFalse();
    assertThat(got).doesNotContainKey(confidentEdge.id());

    assertThat(TandemTune.commandLine().execute("purge-captures", "--store", store.toString(), "--retention-days",
        "7", "--today", today)).isZero();
    assertThat(store.resolve("captures").resolve("date=" + DAY0)).doesNotExist();
    assertThat(StoreCaptures.index(store)).containsOnlyKeys(recent.id());
    assertThat(store.resolve("records").resolve("date=" + DAY0)).isDirectory();
  }

  @Test
  void aStoreWithoutRecordsIsAClearError() {
    assertThat(TandemTune.commandLine().execute("export-hard", "--store", dir.toString(), "--out",
        dir.resolve("x.jsonl").toString())).isEqualTo(2);
    assertThat(TandemTune.commandLine().execute("purge-captures", "--store", dir.resolve("none").toString()))
        .isEqualTo(2);
  }
}
