package dev.tandem.workload.embed;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.tandem.runtime.text.Encoding;
import dev.tandem.runtime.text.WordPieceTokenizer;
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
    WordPieceTokenizer ours = WordPieceTokenizer.fromFile(json);
    Map<String, String> options = new HashMap<>();
    options.put("truncation", "true");
    options.put("padding", "false");
    options.put("maxLength", Integer.toString(maxTokens));
    List<String> mismatches = new ArrayList<>();
    int truncated = 0;
    try (HuggingFaceTokenizer djl = HuggingFaceTokenizer.newInstance(json, options)) {
      for (Message m : CorpusFixture.corpus().messages()) {
        ai.djl.huggingface.tokenizers.Encoding expected = djl.encode(m.text());
        Encoding actual = ours.encode(m.text(), maxTokens);
        if (!java.util.Arrays.equals(actual.ids(), expected.getIds())
            || !java.util.Arrays.equals(actual.attentionMask(), expected.getAttentionMask())
            || !java.util.Arrays.equals(actual.typeIds(), expected.getTypeIds())) {
          mismatches.add(m.id());
        }
        if (actual.length() == maxTokens) {
          truncated++;
        }
      }
    }
    assertThat(mismatches).as("messages whose encoding differs").isEmpty();
    assertThat(truncated).as("truncation is exercised").isGreaterThan(1000);
  }
}
