package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.capture.Capture;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.LocalModelOffloader;
import dev.tandem.runtime.testing.TinyModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TandemCaptureTest {
  static final float[] CONFIDENT = {5, 0, 0, 0};
  static final float[] UNSURE = {1, 1.2f, 0, 0};
  static final Policy CASCADE = Policy.builder().version(1).threshold(0.8).deadlineMs(400).build();
  static final Instant DAY0 = Instant.parse("2026-11-20T10:00:00Z");

  @TempDir Path dir;

  static List<Tensor> x(float... v) {
    return Collections.singletonList(Tensor.ofFloats(TinyModels.FEATURES, v, 1, 4));
  }

  Tandem tandem(Policy p, Capture c, Instant now) {
    Tandem.Builder b = Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny")
        .deviceId("dev-1").fleet("test").policy(p).spool(Spool.builder(dir.resolve("spool")).build())
        .random(new Random(7)).clock(Clock.fixed(now, ZoneOffset.UTC))
        .offloader(new LocalModelOffloader(TinyModels.classifier()));
    if (c != null) {
      b.capture(c);
    }
    return b.build();
  }

  static String base64(float[] v) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return Base64.getEncoder().encodeToString(b.array());
  }

  List<Path> files(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toList());
    }
  }

  @Test
  void offByDefault_noInputIsKeptAnywhereInTheSpool() throws Exception {
    Policy shadow = CASCADE.toBuilder().exploration(1.0, ExplorationKind.SHADOW).build();
    float[] distinct = {1, 1.2f, 0.123f, 0.456f};
    try (Tandem t = tandem(shadow, null, DAY0)) {
      assertThat(t.infer(x(distinct)).route()).isEqualTo(Route.CLOUD);
      assertThat(t.infer(x(CONFIDENT)).route()).isEqualTo(Route.SHADOW);
    }
    assertThat(dir.resolve("spool").resolve("captures")).doesNotExist();
    for (Path f : files(dir)) {
      String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(content).as(f.toString()).doesNotContain(base64(distinct)).doesNotContain("data_base64")
          .doesNotContain("0.123").doesNotContain("0.456");
      ByteBuffer raw = ByteBuffer.wrap(Base64.getDecoder().decode(base64(new float[] {0.123f, 0.456f})));
      assertThat(content).doesNotContain(new String(raw.array(), StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void capturesExactlyTheSelectedDecisions() throws Exception {
    Capture c = Capture.builder().enabled(true).offloaded(true).build();
    Decision cloud;
    Decision edge;
    try (Tandem t = tandem(CASCADE, c, DAY0)) {
      cloud = t.infer(x(UNSURE));
      edge = t.infer(x(CONFIDENT));
    }
    assertThat(cloud.route()).isEqualTo(Route.CLOUD);
    assertThat(edge.route()).isEqualTo(Route.EDGE);
    List<Path> kept = files(dir.resolve("spool").resolve("captures"));
    assertThat(kept).hasSize(1);
    Path f = kept.get(0);
    assertThat(f.getParent().getFileName().toString()).isEqualTo("date=2026-11-20");
    JsonObject o = JsonParser.parseString(new String(Files.readAllBytes(f), StandardCharsets.UTF_8)).getAsJsonObject();
    assertThat(o.get("decision_id").getAsString()).isEqualTo(cloud.id());
    assertThat(o.getAsJsonArray("reasons").get(0).getAsString()).isEqualTo("offloaded");
    JsonObject in = o.getAsJsonArray("inputs").get(0).getAsJsonObject();
    assertThat(in.get("name").getAsString()).isEqualTo(TinyModels.FEATURES);
    assertThat(in.get("type").getAsString()).isEqualTo("float32");
    assertThat(in.get("data_base64").getAsString()).isEqualTo(base64(UNSURE));
  }

  @Test
  void belowConfidenceAndShadowSelectTheirOwn() throws Exception {
    Policy shadow = CASCADE.toBuilder().exploration(1.0, ExplorationKind.SHADOW).build();
    Capture c = Capture.builder().enabled(true).shadow(true).build();
    try (Tandem t = tandem(shadow, c, DAY0)) {
      t.infer(x(UNSURE));
      t.infer(x(CONFIDENT));
    }
    List<Path> kept = files(dir.resolve("spool").resolve("captures"));
    assertThat(kept).hasSize(1);
    String json = new String(Files.readAllBytes(kept.get(0)), StandardCharsets.UTF_8);
    assertThat(json).contains("\"shadow\"").contains(base64(CONFIDENT));
  }

  @Test
  void capturesPastRetentionAreDeletedOnTheDevice() throws Exception {
    Capture c = Capture.builder().enabled(true).belowConfidence(0.9).retention(Duration.ofDays(7)).build();
    try (Tandem t = tandem(CASCADE, c, DAY0)) {
      t.infer(x(UNSURE));
    }
    Path captures = dir.resolve("spool").resolve("captures");
    assertThat(files(captures)).hasSize(1);
    try (Tandem t = tandem(CASCADE, c, DAY0.plus(Duration.ofDays(6)))) {
      assertThat(files(captures)).as("day 7 of 7: kept").hasSize(1);
    }
    try (Tandem t = tandem(CASCADE, c, DAY0.plus(Duration.ofDays(7)))) {
      assertThat(files(captures)).as("day 8: deleted").isEmpty();
    }
  }

  @Test
  void enablingWithoutASelectionIsRefused() {
    assertThatThrownBy(() -> Capture.builder().enabled(true).build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("selects no decisions");
    assertThatThrownBy(() -> Capture.builder().retention(Duration.ofHours(3)).build())
        .hasMessageContaining("at least one day");
  }
}
