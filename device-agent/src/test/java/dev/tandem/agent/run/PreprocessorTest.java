package dev.tandem.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.input.InferRequest;
import dev.tandem.agent.input.InvalidRequestException;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.testing.ReferenceModels;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreprocessorTest {
  @TempDir Path dir;

  @Test
  void text_isTokenizedWithTheModelsTokenizer_truncatedAndUnpadded() throws Exception {
    try (InputStream in = ReferenceModels.class.getClassLoader().getResourceAsStream(ReferenceModels.MINILM_TOKENIZER)) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
    AgentConfig c = AgentConfig.parse("{\"device_id\":\"d\",\"fleet\":\"f\",\"model\":{\"name\":\"m\",\"path\":\"m.onnx\"},"
        + "\"preprocessing\":{\"kind\":\"text\",\"tokenizer\":\"tokenizer.json\",\"max_length\":8},"
        + "\"policy\":{\"file\":\"p.json\",\"subscribe\":false},\"upload\":{\"enabled\":false},\"spool\":{\"dir\":\"s\"}}", dir);
    Preprocessor p = new Preprocessor(c);

    List<Tensor> t = p.tensors(InferRequest.parse("{\"text\": \"hello world\"}"));
    assertThat(t).extracting(Tensor::name).containsExactly("input_ids", "attention_mask", "token_type_ids");
    assertThat(t.get(0).toLongArray()).containsExactly(ReferenceModels.wholeWordIds("hello world"));
    assertThat(t.get(1).toLongArray()).containsOnly(1L);

    List<Tensor> longText = p.tensors(InferRequest.parse(
        "{\"text\": \"one two three four five six seven eight nine ten\"}"));
    assertThat(longText.get(0).shape()).containsExactly(1, 8);
    assertThat(longText.get(0).toLongArray()[7]).isEqualTo(ReferenceModels.wholeWordIds("one")[2]); // [SEP]

    assertThatThrownBy(() -> p.tensors(InferRequest.parse("{\"inputs\": [{\"name\":\"x\",\"type\":\"int64\","
        + "\"shape\":[1],\"data\":[1]}]}"))).isInstanceOf(InvalidRequestException.class).hasMessageContaining("text");
  }
}
