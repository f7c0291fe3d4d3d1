package dev.tandem.agent.smoke;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.model.TensorSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTestTest {

  @Test
  void values_classifierProbabilities_areTakenAsTheyAre() {
    float[] p = {0.25f, 0.75f};

    assertThat(SmokeTest.values(Tensor.ofFloats("probabilities", p, 1, 2))).containsExactly(p);
  }

  @Test
  void values_tokenStates_areMeanPooledAndNormalised() {
    // Two tokens of width 2: mean (2, 0) -> normalised (1, 0); mean (1, 1) -> (0.707, 0.707).
    float[] states = {3, 1, 1, -1};

    assertThat(SmokeTest.values(Tensor.ofFloats("last_hidden_state", states, 1, 2, 2)))
        .containsExactly(new float[] {1, 0}, Offset.offset(1e-6f));
  }

  @Test
  void values_batchOfTwo_isRejected() {
    assertThatThrownBy(() -> SmokeTest.values(Tensor.ofFloats("p", new float[4], 2, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[2, 2]");
  }

  @Test
  void outputIndex_prefersProbabilities_thenTheFirst_andRejectsUnknownNames() {
    List<TensorSpec> outs = Arrays.asList(
        TensorSpec.of("logits", ElementType.FLOAT32, -1, 2),
        TensorSpec.of("probabilities", ElementType.FLOAT32, -1, 2));

    assertThat(SmokeTest.outputIndex(outs, null)).isEqualTo(1);
    assertThat(SmokeTest.outputIndex(outs, "logits")).isZero();
    assertThat(SmokeTest.outputIndex(outs.subList(0, 1), null)).isZero();
    assertThatThrownBy(() -> SmokeTest.outputIndex(outs, "embedding"))
        .hasMessageContaining("[logits, probabilities]");
  }

  @Test
  void buildEntry_readsTheNamedModelOfAManifest(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("models.json"), ("{\"schema\":1,\"models\":["
        + "{\"name\":\"edge\",\"file\":\"edge.onnx\",\"tokenizer\":\"edge-tokenizer.json\",\"maxTokens\":128},"
        + "{\"name\":\"cloud\",\"file\":\"cloud.onnx\",\"tokenizer\":\"cloud-tokenizer.json\",\"maxTokens\":256}]}")
        .getBytes(StandardCharsets.UTF_8));

    SmokeTest.BuildEntry cloud = SmokeTest.BuildEntry.read(dir, "cloud");

    assertThat(cloud.model).isEqualTo(dir.resolve("cloud.onnx"));
    assertThat(cloud.tokenizer).isEqualTo(dir.resolve("cloud-tokenizer.json"));
    assertThat(cloud.maxTokens).isEqualTo(256);
    assertThatThrownBy(() -> SmokeTest.BuildEntry.read(dir, "edge-fp32"))
        .hasMessageContaining("[edge, cloud]");
  }

  @Test
  void readMessages_namesEachByGroupAndId_andStopsAtTheLimit(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("m.jsonl");
    Files.write(f, ("{\"id\":\"00001\",\"group\":\"spam-1\",\"text\":\"win\"}\n\n"
        + "{\"id\":\"00001\",\"group\":\"easy-ham-1\",\"text\":\"hi\"}\n"
        + "{\"id\":\"x\",\"text\":\"third\"}\n").getBytes(StandardCharsets.UTF_8));

    List<SmokeTest.Message> m = SmokeTest.readMessages(f, 2);

    assertThat(m).extracting(x -> x.id).containsExactly("spam-1/00001", "easy-ham-1/00001");
    assertThat(m).extracting(x -> x.text).containsExactly("win", "hi");
  }
}
