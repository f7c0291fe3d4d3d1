package dev.tandem.workload.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.text.TextInput;
import dev.tandem.workload.corpus.Label;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.embed.Encoder;
import dev.tandem.workload.embed.Hashing;
import dev.tandem.workload.fuse.FusedClassifier;
import dev.tandem.workload.split.MessagesJsonl;
import dev.tandem.workload.split.Part;
import dev.tandem.workload.split.Split;
import dev.tandem.workload.testing.CorpusFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole build, end to end, on a 60-message subset in an empty cache. */
class ReferenceModelsTest {
  @TempDir Path cache;

  @Test
  void ensureBuilt_subset_buildsEverythingOnceAndFindsItAgain() throws Exception {
    BuildOptions options = BuildOptions.builder().subset(60).seed(3).fp32Edge(false).intraOpThreads(1)
        .corpusDir(CorpusFixture.packageDir()).build();
    BuiltModels built = ReferenceModels.ensureBuilt(cache, options);

    assertThat(built.dir()).startsWith(cache.resolve("models"));
    assertThat(built.models()).extracting(ModelEntry::name).containsExactly("edge", "cloud");
    ModelEntry edge = built.edge();
    ModelEntry cloud = built.cloud();
    assertThat(edge.encoder()).isEqualTo(Encoder.MINILM_INT8.modelName());
    assertThat(edge.maxTokens()).isEqualTo(128);
    assertThat(edge.batchable()).isFalse();
    assertThat(edge.pooling()).isEqualTo("mean");
    assertThat(cloud.encoder()).isEqualTo(Encoder.BGE_SMALL.modelName());
    assertThat(cloud.maxTokens()).isEqualTo(256);
    assertThat(cloud.batchable()).isTrue();
    assertThat(cloud.pooling()).isEqualTo("cls");
    for (ModelEntry m : built.models()) {
      assertThat(Hashing.sha256(Files.readAllBytes(m.file()))).isEqualTo(m.sha256());
      assertThat(m.calibrationAccuracy()).isBetween(0.0, 1.0);
      assertThat(m.testAccuracy()).isBetween(0.0, 1.0);
    }
    JsonObject manifest = JsonParser.parseString(
        new String(Files.readAllBytes(built.manifest()), StandardCharsets.UTF_8)).getAsJsonObject();
    assertThat(manifest.getAsJsonArray("models").get(0).getAsJsonObject().get("fusedMaxAbsDifference").getAsDouble())
        .isLessThan(ReferenceModels.FUSION_TOLERANCE);

    // The split covers the 60 messages once, and the JSON-lines parts hold the same ids.
    Split split = Split.read(built.split());
    Set<String> ids = new HashSet<>();
    for (Part p : Part.values()) {
      List<Message> part = MessagesJsonl.read(built.messages(p));
      assertThat(part).extracting(Message::id).containsExactlyElementsOf(split.ids(p));
      part.forEach(m -> ids.add(m.id()));
    }
    assertThat(ids).hasSize(manifest.getAsJsonObject("corpus").get("messages").getAsInt()).hasSizeBetween(58, 62);
    assertThat(split.ids(Part.TEST)).isNotEmpty();

    // The fused models run in the runtime like any model, and give probabilities.
    Message spam = MessagesJsonl.read(built.messages(Part.TRAIN)).stream()
        .filter(m -> m.label() == Label.SPAM).findFirst().orElseThrow();
    for (ModelEntry m : built.models()) {
      try (FusedClassifier c = new FusedClassifier(m.file(), TextInput.fromFile(m.tokenizer(), m.maxTokens()), 1)) {
        float[] p = c.probabilities(spam.text());
        assertThat(p).hasSize(2);
        assertThat(p[0] + p[1]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
      }
    }
    try (ModelSession s = ModelSession.builder().path(edge.file()).intraOpThreads(1).build()) {
      assertThat(s.info().sha256()).isEqualTo(edge.sha256());
    }

    // The benchmark runs on the build: five configurations, the fp32 twin's for latency only.
    String table = dev.tandem.workload.bench.LatencyBenchmark.run(built, 3, 1, false);
    assertThat(table.split("\n")).filteredOn(l -> l.startsWith("| edge") || l.startsWith("| cloud")).hasSize(5);
    assertThat(table).contains("| cloud | bge-small-en-v1.5 | 256 |").contains("n/a (latency only)");

    // A second call finds the build: nothing is rewritten.
    FileTime written = Files.getLastModifiedTime(built.manifest());
    BuiltModels again = ReferenceModels.ensureBuilt(cache, options);
    assertThat(again.dir()).isEqualTo(built.dir());
    assertThat(Files.getLastModifiedTime(again.manifest())).isEqualTo(written);
  }
}
