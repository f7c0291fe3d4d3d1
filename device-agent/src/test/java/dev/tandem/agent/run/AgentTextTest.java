package dev.tandem.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.output.OutputWriter;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.testing.ReferenceModels;
import dev.tandem.runtime.testing.TinyModels;
import dev.tandem.runtime.text.TextInput;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A text agent: the runtime tokenizes each request's text with the model's tokenizer, truncated and unpadded. */
class AgentTextTest {
  @TempDir Path dir;

  @Test
  void text_isTokenizedWithTheModelsTokenizer_truncatedAndUnpadded() throws Exception {
    TextInput tok;
    try (InputStream in = ReferenceModels.class.getClassLoader().getResourceAsStream(ReferenceModels.MINILM_TOKENIZER)) {
      Files.copy(in, dir.resolve("tokenizer.json"));
    }
    tok = TextInput.fromFile(dir.resolve("tokenizer.json"), 8);
    byte[] modelBytes = TinyModels.textClassifier(tok.vocabSize(), 5, true);
    Path model = dir.resolve("text.onnx");
    Files.write(model, modelBytes);
    Files.write(dir.resolve("policy.json"), Fleet.policy(1, Engines.sha256(model), 0.0)
        .getBytes(StandardCharsets.UTF_8));
    String cfg = "{\"device_id\": \"board-1\", \"fleet\": \"f\","
        + "\"model\": {\"name\": \"tiny\", \"path\": \"text.onnx\"},"
        + "\"preprocessing\": {\"kind\": \"text\", \"tokenizer\": \"tokenizer.json\", \"max_length\": 8},"
        + "\"policy\": {\"file\": \"policy.json\", \"subscribe\": false},"
        + "\"upload\": {\"enabled\": false}, \"spool\": {\"dir\": \"spool\"},"
        + "\"device_state\": {\"network_type\": \"wifi\", \"power_supply_dir\": \"none\"}}";
    String shortText = "hello world";
    String longText = "one two three four five six seven eight nine ten";
    try (Agent a = Agent.start(AgentConfig.parse(cfg, dir), new Agent.Options().output(OutputWriter.stdout()));
        ModelSession bare = ModelSession.builder().bytes(modelBytes).intraOpThreads(1).build()) {
      for (String text : List.of(shortText, longText)) {
        JsonObject o = JsonParser.parseString(a.submit("{\"text\": \"" + text + "\"}", "test")).getAsJsonObject();
        assertThat(o.get("route").getAsString()).isEqualTo("edge");
        float[] expected = bare.run(tok.tensors(text)).get(0).toFloatArray();
        JsonArray p = o.getAsJsonArray("probabilities");
        assertThat(new float[] {p.get(0).getAsFloat(), p.get(1).getAsFloat()}).containsExactly(expected);
      }
      // What the model was given: [CLS] hello world [SEP], and the long text cut to 8 tokens, unpadded.
      List<Tensor> shortIn = tok.tensors(shortText);
      assertThat(shortIn.get(0).toLongArray()).containsExactly(ReferenceModels.wholeWordIds(shortText));
      assertThat(shortIn.get(1).toLongArray()).containsOnly(1L);
      assertThat(bare.run(tok.tensors(longText)).get(1).toLongArray()).containsExactly(1, 8);

      String wrongKind = a.submit("{\"inputs\": [{\"name\":\"x\",\"type\":\"int64\",\"shape\":[1],\"data\":[1]}]}",
          "test");
      assertThat(JsonParser.parseString(wrongKind).getAsJsonObject().get("error").getAsString()).contains("text");
    }
  }
}
