package dev.tandem.runtime.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.tandem.runtime.model.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pure-Java tokenizer against HuggingFace's (through DJL) on the MiniLM tokenizer.json. */
class WordPieceTokenizerTest {
  private static final String RESOURCE = "/all-minilm-l6-v2-q-tokenizer.json";

  @TempDir static Path dir;
  private static Path json;
  private static WordPieceTokenizer ours;
  private static HuggingFaceTokenizer djl128;
  private static HuggingFaceTokenizer djl16;

  @BeforeAll
  static void load() throws IOException {
    json = dir.resolve("tokenizer.json");
    try (InputStream in = WordPieceTokenizerTest.class.getResourceAsStream(RESOURCE)) {
      Files.copy(in, json, StandardCopyOption.REPLACE_EXISTING);
    }
    ours = WordPieceTokenizer.fromFile(json);
    djl128 = djl(json, 128);
    djl16 = djl(json, 16);
  }

  @AfterAll
  static void close() {
    djl128.close();
    djl16.close();
  }

  /** DJL with the file's own truncation and padding overridden: truncate to max, never pad. */
  static HuggingFaceTokenizer djl(Path tokenizerJson, int maxLength) throws IOException {
    Map<String, String> options = new HashMap<>();
    options.put("truncation", "true");
    options.put("padding", "false");
    options.put("maxLength", Integer.toString(maxLength));
    return HuggingFaceTokenizer.newInstance(tokenizerJson, options);
  }

  private static void assertSame(String text) {
    assertSame(text, djl128, 128);
    assertSame(text, djl16, 16);
  }

  private static void assertSame(String text, HuggingFaceTokenizer djl, int max) {
    ai.djl.huggingface.tokenizers.Encoding expected = djl.encode(text);
    Encoding actual = ours.encode(text, max);
    assertThat(actual.ids()).as("ids of %s at %d", text, max).containsExactly(expected.getIds());
    assertThat(actual.attentionMask()).as("mask of %s", text).containsExactly(expected.getAttentionMask());
    assertThat(actual.typeIds()).as("type ids of %s", text).containsExactly(expected.getTypeIds());
  }

  @Test
  void encode_plainSentence_matchesHuggingFace() {
    assertSame("Hello world! This is a simple test of the tokenizer.");
  }

  @Test
  void encode_emptyAndBlank_giveOnlySpecialTokens() {
    assertThat(ours.encode("", 128).ids()).containsExactly(101, 102);
    assertSame("");
    assertSame("   \t\n ");
  }

  @Test
  void encode_accentsCaseAndUnicode_matchHuggingFace() {
    assertSame("Café Ünïcödé naïve résumé ÀÉÎÕÜ İstanbul ǅ ß ẞ");
    assertSame("Ελληνικά ΣΊΣΥΦΟΣ русский текст עברית العربية हिन्दी");
    assertSame("中文字符和日本語のテキスト 한국어 𠀀𠀁");
    assertSame("emoji 😀👍🏽 and symbols €£¥ © ® ™ ° ± × ÷ ½ → ∞");
  }

  @Test
  void encode_controlAndSpaceCharacters_matchHuggingFace() {
    assertSame("tab\there\u000bvt\u000cff\u0085nel\u00a0nbsp\u2003em\u200bzwsp\u200dzwj\u0000nul\ufffdrep\u0007bel");
    assertSame("soft\u00adhyphen private\ue000use \u202fnarrow \u3000ideo line\u2028sep");
    // Unassigned code points stay (as [UNK]); supplementary private use is removed.
    assertSame("a \u0379 b \u05f8\u07b5 c \udb83\ude39 d");
  }

  @Test
  void encode_punctuationAndUrls_matchHuggingFace() {
    assertSame("http://www.example.com/path?a=1&b=2#frag $100.00 (50%) <b>bold</b> a_b `x` ^~|\\");
    assertSame("“quoted” ‘single’ — dash – en … ellipsis ¡hola! ¿qué? «guillemets»");
  }

  @Test
  void encode_longAndUnknownWords_matchHuggingFace() {
    StringBuilder longWord = new StringBuilder();
    for (int i = 0; i < 101; i++) {
      longWord.append('a');
    }
    assertSame(longWord.toString() + " " + longWord.substring(1) + " supercalifragilisticexpialidocious");
    assertSame("qqqqxzzjjj unbelievably antidisestablishmentarianism ☃☃");
  }

  @Test
  void encode_specialTokensInText_areMatchedRaw() {
    assertSame("before [CLS] middle [SEP] after [MASK][PAD][UNK] [cls] [ SEP ]");
  }

  @Test
  void encode_longText_truncatesWithoutPadding() {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      b.append("word").append(i).append(' ');
    }
    Encoding e = ours.encode(b.toString(), 128);
    assertThat(e.length()).isEqualTo(128);
    assertThat(e.ids()[127]).isEqualTo(102);
    assertSame(b.toString());
    assertThat(ours.encode("short", 128).length()).isEqualTo(3);
  }

  @Test
  void encode_randomText_matchesHuggingFace() {
    SplittableRandom random = new SplittableRandom(42);
    int[] pool = {'a', 'e', 'z', 'Q', ' ', ' ', '.', ',', '-', '\'', '\n', '1', '9', 'é', 'Ä', 'ß', 'ø',
        0x4E2D, 0x0301, 0x00A0, 0x200B, 0x2019, 0x1F600, 0x0130, '[', ']', 'U', 'N', 'K', '#'};
    for (int n = 0; n < 300; n++) {
      StringBuilder b = new StringBuilder();
      int len = random.nextInt(1, 200);
      for (int i = 0; i < len; i++) {
        b.appendCodePoint(pool[random.nextInt(pool.length)]);
      }
      assertSame(b.toString());
    }
  }

  @Test
  void toTensors_givesBatchOfOneNamedInputs() {
    List<Tensor> t = ours.encode("hello there", 128).toTensors();
    assertThat(t).extracting(Tensor::name).containsExactly("input_ids", "attention_mask", "token_type_ids");
    assertThat(t.get(0).shape()).containsExactly(1, 4);
    assertThat(t.get(0).toLongArray()).containsExactly(101, 7592, 2045, 102);
  }

  @Test
  void padTo_appendsPadIdsWithZeroMask() {
    Encoding e = ours.encode("hello", 128).padTo(6, ours.padId());
    assertThat(e.ids()).containsExactly(101, 7592, 102, 0, 0, 0);
    assertThat(e.attentionMask()).containsExactly(1, 1, 1, 0, 0, 0);
    assertThatThrownBy(() -> e.padTo(2, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shorter");
  }

  @Test
  void encode_maxTokensBelowSpecials_throws() {
    assertThatThrownBy(() -> ours.encode("x", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxTokens 1");
  }

  @Test
  void fromJson_unsupportedModel_throwsNamingTheField() {
    assertThatThrownBy(() -> WordPieceTokenizer.fromJson(new StringReader(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{}},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"}}")))
        .isInstanceOf(TokenizerFormatException.class)
        .hasMessageContaining("model.type is 'BPE'");
    assertThatThrownBy(() -> WordPieceTokenizer.fromJson(new StringReader("[1,2]")))
        .isInstanceOf(TokenizerFormatException.class);
    assertThat(Arrays.asList(ours.vocabSize())).containsExactly(30522);
    // Through the public API, a tokenizer that does not load is a model that does not load.
    assertThatThrownBy(() -> TextInput.fromJson(new java.io.ByteArrayInputStream(
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{}},\"pre_tokenizer\":{\"type\":\"BertPreTokenizer\"}}"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8)), 128))
        .isInstanceOf(dev.tandem.runtime.model.ModelLoadException.class)
        .hasMessageContaining("model.type is 'BPE'");
  }
}
