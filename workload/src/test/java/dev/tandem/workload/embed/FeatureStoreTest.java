package dev.tandem.workload.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.workload.corpus.Label;
import dev.tandem.workload.corpus.Message;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureStoreTest {
  @TempDir Path cache;

  private static List<Message> messages(int n, String prefix) {
    List<Message> m = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      m.add(new Message(prefix + i, "message number " + i + " about cheap " + prefix, i % 2 == 0 ? Label.HAM : Label.SPAM));
    }
    return m;
  }

  @Test
  void features_areComputedOnceThenReadFromTheCache() throws Exception {
    List<Message> m = messages(4, "a/");
    List<float[]> first = FeatureStore.features(cache, Encoder.MINILM_INT8, 32, m, 1, false);
    Path file = FeatureStore.file(cache, Encoder.MINILM_INT8, 32);
    long size = Files.size(file);
    assertThat(first).hasSize(4).allSatisfy(v -> assertThat(v).hasSize(Encoder.DIM));
    List<float[]> again = FeatureStore.features(cache, Encoder.MINILM_INT8, 32, m.subList(1, 3), 1, false);
    assertThat(Files.size(file)).isEqualTo(size);
    assertThat(again.get(0)).containsExactly(first.get(1));
    // A message whose text changed is embedded again.
    List<Message> changed = new ArrayList<>();
    changed.add(new Message("a/0", "a different text", Label.HAM));
    assertThat(FeatureStore.features(cache, Encoder.MINILM_INT8, 32, changed, 1, false).get(0))
        .isNotEqualTo(first.get(0));
    assertThat(Files.size(file)).isGreaterThan(size);
  }

  @Test
  void features_recordCutShortByAnInterruptedWriter_isIgnoredThenOverwritten() throws Exception {
    List<Message> m = messages(3, "b/");
    List<float[]> first = FeatureStore.features(cache, Encoder.MINILM_INT8, 32, m, 1, false);
    Path file = FeatureStore.file(cache, Encoder.MINILM_INT8, 32);
    long size = Files.size(file);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(size - 100); // the last record loses its tail
    }
    assertThat(FeatureStore.read(file)).hasSize(2);
    List<float[]> second = FeatureStore.features(cache, Encoder.MINILM_INT8, 32, m, 1, false);
    assertThat(second.get(2)).containsExactly(first.get(2));
    assertThat(FeatureStore.read(file)).hasSize(3);
    assertThat(Files.size(file)).isEqualTo(size);
  }
}
