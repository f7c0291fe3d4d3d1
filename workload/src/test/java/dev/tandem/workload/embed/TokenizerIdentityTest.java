package dev.tandem.workload.embed;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.text.TextInput;
import dev.tandem.workload.corpus.Message;
import dev.tandem.workload.testing.CorpusFixture;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The runtime's pure-Java tokenizer gives exactly HuggingFace's ids (through DJL), mask and type
 * ids on every message of the corpus: the edge's tokenizer.json at 128 and 256 tokens, the
 * cloud's at 256 (both hold the same uncased vocabulary and components; only their own
 * truncation and padding settings differ, which both sides override).
 */
class TokenizerIdentityTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0} at {1} tokens")
  @CsvSource({
      "all-minilm-l6-v2-q-tokenizer.json, 128",
      "all-minilm-l6-v2-q-tokenizer.json, 256",
      "bge-small-en-v1.5-tokenizer.json, 256"})
  void encode_everyCorpusMessage_equalsHuggingFace(String resource, int maxTokens) throws IOException {
    Path json = dir.resolve(resource);
    try (InputStream in = getClass().getResourceAsStream("/" + resource)) {
      Files.copy(in, json);
    }
    TextInput ours = TextInput.fromFile(json, maxTokens);
    Map<String, String> options = new HashMap<>();
    options.put("truncation", "true");
    options.put("padding", "false");
    options.put("maxLength", Integer.toString(maxTokens));
    List<String> mismatches = new ArrayList<>();
    int truncated = 0;
    try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(json, options)) {
      for (Message m : CorpusFixture.corpus().messages()) {
        ai.djl.huggingface.tokenizers.Encoding expected = djl.encode(m.text());
        List<Tensor> actual = ours.tensors(m.text()); // input_ids, attention_mask, token_type_ids
        if (!java.util.Arrays.equals(actual.get(0).toLongArray(), expected.getIds())
            || !java.util.Arrays.equals(actual.get(1).toLongArray(), expected.getAttentionMask())
            || !java.util.Arrays.equals(actual.get(2).toLongArray(), expected.getTypeIds())) {
          mismatches.add(m.id());
        }
        if (actual.get(0).shape()[1] == maxTokens) {
          truncated++;
        }
      }
    }
    assertThat(mismatches).as("messages whose encoding differs").isEmpty();
    assertThat(truncated).as("truncation is exercised").isGreaterThan(1000);
  }
}
