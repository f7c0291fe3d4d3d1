package dev.tandem.runtime.text;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A pure-Java BERT WordPiece tokenizer read from a HuggingFace {@code tokenizer.json}: the
 * {@code BertNormalizer}, the {@code BertPreTokenizer}, the {@code WordPiece} model, added
 * (special) tokens and the single-sequence post-processor ({@code [CLS] text [SEP]}). It gives
 * the same ids as the HuggingFace tokenizers library for these components.
 *
 * <p>Truncation and padding are the caller's decision, not the file's: {@link #encode(String,
 * int)} truncates to the given length and never pads (some files, e.g. all-MiniLM-L6-v2's, carry
 * a fixed padding to 128 that would otherwise change a dynamically quantized model's output).
 *
 * <p>Instances are immutable and thread-safe. Loading parses a 700 KB JSON (tens of ms);
 * encoding costs microseconds per word.
 */
final class WordPieceTokenizer {
  private final Map<String, Integer> vocab;
  private final String unkToken;
  private final int unkId;
  private final String continuingPrefix;
  private final int maxInputCharsPerWord;
  private final boolean cleanText;
  private final boolean handleChineseChars;
  private final boolean stripAccents;
  private final boolean lowercase;
  private final String[] addedContents;
  private final int[] addedIds;
  private final long[] prefixIds;
  private final long[] prefixTypes;
  private final long[] suffixIds;
  private final long[] suffixTypes;
  private final long sequenceType;
  private final long padId;

  private WordPieceTokenizer(JsonObject root) {
    JsonObject model = object(root, "model");
    requireType(model, "model", "WordPiece");
    JsonObject v = object(model, "vocab");
    Map<String, Integer> m = new HashMap<>(v.size() * 2);
    for (Map.Entry<String, JsonElement> e : v.entrySet()) {
      m.put(e.getKey(), e.getValue().getAsInt());
    }
    vocab = Collections.unmodifiableMap(m);
    unkToken = string(model, "unk_token", "[UNK]");
    Integer unk = vocab.get(unkToken);
    if (unk == null) {
      throw new TokenizerFormatException("model.unk_token '" + unkToken + "' is not in the vocabulary");
    }
    unkId = unk;
    continuingPrefix = string(model, "continuing_subword_prefix", "##");
    maxInputCharsPerWord = model.has("max_input_chars_per_word")
        ? model.get("max_input_chars_per_word").getAsInt() : 100;

    JsonObject norm = optionalObject(root, "normalizer");
    if (norm == null) {
      cleanText = false;
      handleChineseChars = false;
      stripAccents = false;
      lowercase = false;
    } else {
      requireType(norm, "normalizer", "BertNormalizer");
      cleanText = bool(norm, "clean_text", true);
      handleChineseChars = bool(norm, "handle_chinese_chars", true);
      lowercase = bool(norm, "lowercase", true);
      // HuggingFace: strip_accents null follows lowercase.
      JsonElement sa = norm.get("strip_accents");
      stripAccents = sa == null || sa.isJsonNull() ? lowercase : sa.getAsBoolean();
    }
    JsonObject pre = optionalObject(root, "pre_tokenizer");
    if (pre == null) {
      throw new TokenizerFormatException("pre_tokenizer is missing; BertPreTokenizer expected");
    }
    requireType(pre, "pre_tokenizer", "BertPreTokenizer");

    List<String> contents = new ArrayList<>();
    List<Integer> ids = new ArrayList<>();
    JsonElement added = root.get("added_tokens");
    if (added != null && added.isJsonArray()) {
      for (JsonElement e : added.getAsJsonArray()) {
        JsonObject t = e.getAsJsonObject();
        String content = t.get("content").getAsString();
        if (bool(t, "normalized", false) || bool(t, "single_word", false)
            || bool(t, "lstrip", false) || bool(t, "rstrip", false)) {
          throw new TokenizerFormatException("added_tokens '" + content
              + "': normalized, single_word, lstrip and rstrip must be false");
        }
        if (!content.isEmpty()) {
          contents.add(content);
          ids.add(t.get("id").getAsInt());
        }
      }
    }
    addedContents = contents.toArray(new String[0]);
    addedIds = new int[ids.size()];
    for (int i = 0; i < addedIds.length; i++) {
      addedIds[i] = ids.get(i);
    }

    List<long[]> prefix = new ArrayList<>();
    List<long[]> suffix = new ArrayList<>();
    long seqType = 0;
    JsonObject post = optionalObject(root, "post_processor");
    if (post != null) {
      String type = string(post, "type", "");
      if (type.equals("TemplateProcessing")) {
        JsonObject special = optionalObject(post, "special_tokens");
        boolean seenSequence = false;
        for (JsonElement item : post.getAsJsonArray("single")) {
          JsonObject o = item.getAsJsonObject();
          if (o.has("Sequence")) {
            seenSequence = true;
            seqType = o.getAsJsonObject("Sequence").get("type_id").getAsLong();
          } else if (o.has("SpecialToken")) {
            JsonObject st = o.getAsJsonObject("SpecialToken");
            String name = st.get("id").getAsString();
            long typeId = st.get("type_id").getAsLong();
            JsonObject def = special == null ? null : optionalObject(special, name);
            if (def == null) {
              throw new TokenizerFormatException("post_processor.special_tokens lacks '" + name + "'");
            }
            for (JsonElement id : def.getAsJsonArray("ids")) {
              (seenSequence ? suffix : prefix).add(new long[] {id.getAsLong(), typeId});
            }
          } else {
            throw new TokenizerFormatException("post_processor.single: unknown item " + o);
          }
        }
      } else if (type.equals("BertProcessing")) {
        JsonArray cls = post.getAsJsonArray("cls");
        JsonArray sep = post.getAsJsonArray("sep");
        prefix.add(new long[] {cls.get(1).getAsLong(), 0});
        suffix.add(new long[] {sep.get(1).getAsLong(), 0});
      } else {
        throw new TokenizerFormatException(
            "post_processor.type '" + type + "' is not supported; TemplateProcessing or BertProcessing expected");
      }
    }
    prefixIds = column(prefix, 0);
    prefixTypes = column(prefix, 1);
    suffixIds = column(suffix, 0);
    suffixTypes = column(suffix, 1);
    sequenceType = seqType;

    JsonObject padding = optionalObject(root, "padding");
    if (padding != null && padding.has("pad_id")) {
      padId = padding.get("pad_id").getAsLong();
    } else {
      Integer pad = vocab.get("[PAD]");
      padId = pad == null ? 0 : pad;
    }
  }

  /**
   * Reads a tokenizer.json (UTF-8).
   *
   * @throws TokenizerFormatException if the JSON is malformed or names a component this class
   *     does not implement
   */
  public static WordPieceTokenizer fromJson(Reader json) {
    try {
      JsonElement root = JsonParser.parseReader(json);
      if (!root.isJsonObject()) {
        throw new TokenizerFormatException("tokenizer.json: a JSON object expected");
      }
      return new WordPieceTokenizer(root.getAsJsonObject());
    } catch (JsonParseException | IllegalStateException | UnsupportedOperationException
        | NullPointerException e) {
      throw new TokenizerFormatException("tokenizer.json: " + e.getMessage(), e);
    }
  }

  /** Reads a tokenizer.json from a stream (UTF-8); does not close it. */
  public static WordPieceTokenizer fromJson(InputStream json) {
    return fromJson(new InputStreamReader(json, StandardCharsets.UTF_8));
  }

  /**
   * Reads a tokenizer.json file.
   *
   * @throws IOException if the file cannot be read
   */
  public static WordPieceTokenizer fromFile(Path tokenizerJson) throws IOException {
    try (Reader r = Files.newBufferedReader(tokenizerJson, StandardCharsets.UTF_8)) {
      return fromJson(r);
    }
  }

  /** The id of the padding token (the file's padding.pad_id, else [PAD]'s id, else 0). */
  public long padId() {
    return padId;
  }

  /** Number of entries in the WordPiece vocabulary. */
  public int vocabSize() {
    return vocab.size();
  }

  /**
   * Tokenizes {@code text} as one sequence with its special tokens, truncated on the right so
   * that at most {@code maxTokens} tokens (special tokens included) remain. Not padded: the
   * attention mask is all ones.
   *
   * @throws IllegalArgumentException if {@code maxTokens} cannot hold the special tokens
   */
  public Encoding encode(String text, int maxTokens) {
    int specials = prefixIds.length + suffixIds.length;
    if (maxTokens < specials) {
      throw new IllegalArgumentException(
          "maxTokens " + maxTokens + " is less than the " + specials + " special tokens");
    }
    List<Integer> tokens = tokenIds(text, maxTokens - specials);
    int n = specials + tokens.size();
    long[] ids = new long[n];
    long[] mask = new long[n];
    long[] types = new long[n];
    int k = 0;
    for (int i = 0; i < prefixIds.length; i++, k++) {
      ids[k] = prefixIds[i];
      types[k] = prefixTypes[i];
    }
    for (int t : tokens) {
      ids[k] = t;
      types[k++] = sequenceType;
    }
    for (int i = 0; i < suffixIds.length; i++, k++) {
      ids[k] = suffixIds[i];
      types[k] = suffixTypes[i];
    }
    java.util.Arrays.fill(mask, 1L);
    return new Encoding(ids, mask, types);
  }

  /** Token ids of {@code text} without special tokens, stopping once {@code limit} are found. */
  private List<Integer> tokenIds(String text, int limit) {
    List<Integer> out = new ArrayList<>();
    int segmentStart = 0;
    int i = 0;
    while (i < text.length() && out.size() < limit) {
      int match = -1;
      int matchLength = 0;
      for (int a = 0; a < addedContents.length; a++) {
        String c = addedContents[a];
        if (c.length() > matchLength && text.startsWith(c, i)) {
          match = a;
          matchLength = c.length();
        }
      }
      if (match >= 0) {
        // Added tokens are matched on the raw text, before normalization (leftmost-longest).
        wordPieces(normalize(text.substring(segmentStart, i)), out, limit);
        if (out.size() < limit) {
          out.add(addedIds[match]);
        }
        i += matchLength;
        segmentStart = i;
      } else {
        i++;
      }
    }
    if (segmentStart < text.length() && out.size() < limit) {
      wordPieces(normalize(text.substring(segmentStart)), out, limit);
    }
    return out;
  }

  /** The BertNormalizer: clean, pad CJK characters, strip accents, lowercase. */
  String normalize(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (cleanText) {
        if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
          continue;
        }
        if (isWhitespace(cp)) {
          cp = ' ';
        }
      }
      if (handleChineseChars && isChinese(cp)) {
        b.append(' ').appendCodePoint(cp).append(' ');
      } else {
        b.appendCodePoint(cp);
      }
    }
    String r = b.toString();
    if (stripAccents) {
      String nfd = Normalizer.normalize(r, Normalizer.Form.NFD);
      b.setLength(0);
      for (int i = 0; i < nfd.length(); ) {
        int cp = nfd.codePointAt(i);
        i += Character.charCount(cp);
        if (Character.getType(cp) != Character.NON_SPACING_MARK) {
          b.appendCodePoint(cp);
        }
      }
      r = b.toString();
    }
    if (lowercase) {
      b.setLength(0);
      for (int i = 0; i < r.length(); ) {
        int cp = r.codePointAt(i);
        i += Character.charCount(cp);
        if (cp == 0x130) {
          b.append("i\u0307"); // the one unconditional multi-character lowercase mapping
        } else {
          b.appendCodePoint(Character.toLowerCase(cp));
        }
      }
      r = b.toString();
    }
    return r;
  }

  /** BertPreTokenizer (split on whitespace, isolate punctuation) then WordPiece per word. */
  private void wordPieces(String normalized, List<Integer> out, int limit) {
    int wordStart = -1;
    int i = 0;
    while (i < normalized.length() && out.size() < limit) {
      int cp = normalized.codePointAt(i);
      int next = i + Character.charCount(cp);
      if (isWhitespace(cp) || isPunctuation(cp)) {
        if (wordStart >= 0) {
          word(normalized.substring(wordStart, i), out, limit);
          wordStart = -1;
        }
        if (!isWhitespace(cp) && out.size() < limit) {
          word(normalized.substring(i, next), out, limit);
        }
      } else if (wordStart < 0) {
        wordStart = i;
      }
      i = next;
    }
    if (wordStart >= 0 && out.size() < limit) {
      word(normalized.substring(wordStart), out, limit);
    }
  }

  /** Greedy longest-match-first WordPiece of one word; the whole word is [UNK] if any piece is. */
  private void word(String word, List<Integer> out, int limit) {
    int chars = word.codePointCount(0, word.length());
    if (chars > maxInputCharsPerWord) {
      out.add(unkId);
      return;
    }
    List<Integer> pieces = new ArrayList<>();
    int start = 0;
    while (start < word.length()) {
      int end = word.length();
      Integer found = null;
      while (start < end) {
        String sub = word.substring(start, end);
        if (start > 0) {
          sub = continuingPrefix + sub;
        }
        found = vocab.get(sub);
        if (found != null) {
          break;
        }
        end = word.offsetByCodePoints(end, -1);
      }
      if (found == null) {
        out.add(unkId);
        return;
      }
      pieces.add(found);
      start = end;
    }
    for (int p : pieces) {
      if (out.size() >= limit) {
        return;
      }
      out.add(p);
    }
  }

  /** Rust's char::is_whitespace (Unicode White_Space). */
  static boolean isWhitespace(int cp) {
    switch (cp) {
      case '\t': case '\n': case 0x0B: case 0x0C: case '\r': case ' ':
      case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
      case 0x3000:
        return true;
      default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
  }

  /**
   * Control in HuggingFace's sense: categories Cc, Cf, Co and Cs, except tab, LF and CR.
   * Unassigned code points (Cn) are kept, as HuggingFace keeps them (they become [UNK]).
   */
  static boolean isControl(int cp) {
    if (cp == '\t' || cp == '\n' || cp == '\r') {
      return false;
    }
    switch (Character.getType(cp)) {
      case Character.CONTROL:
      case Character.FORMAT:
      case Character.PRIVATE_USE:
      case Character.SURROGATE:
        return true;
      default:
        return false;
    }
  }

  /** ASCII punctuation (which includes symbols like $ + < = > ^ ` |) or a Unicode P* category. */
  static boolean isPunctuation(int cp) {
    if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)
        || (cp >= 123 && cp <= 126)) {
      return true;
    }
    switch (Character.getType(cp)) {
      case Character.CONNECTOR_PUNCTUATION:
      case Character.DASH_PUNCTUATION:
      case Character.START_PUNCTUATION:
      case Character.END_PUNCTUATION:
      case Character.INITIAL_QUOTE_PUNCTUATION:
      case Character.FINAL_QUOTE_PUNCTUATION:
      case Character.OTHER_PUNCTUATION:
        return true;
      default:
        return false;
    }
  }

  static boolean isChinese(int cp) {
    return (cp >= 0x4E00 && cp <= 0x9FFF)
        || (cp >= 0x3400 && cp <= 0x4DBF)
        || (cp >= 0x20000 && cp <= 0x2A6DF)
        || (cp >= 0x2A700 && cp <= 0x2B73F)
        || (cp >= 0x2B740 && cp <= 0x2B81F)
        || (cp >= 0x2B920 && cp <= 0x2CEAF)
        || (cp >= 0xF900 && cp <= 0xFAFF)
        || (cp >= 0x2F800 && cp <= 0x2FA1F);
  }

  private static long[] column(List<long[]> rows, int c) {
    long[] out = new long[rows.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = rows.get(i)[c];
    }
    return out;
  }

  private static JsonObject object(JsonObject o, String field) {
    JsonObject r = optionalObject(o, field);
    if (r == null) {
      throw new TokenizerFormatException("tokenizer.json: object '" + field + "' is missing");
    }
    return r;
  }

  private static JsonObject optionalObject(JsonObject o, String field) {
    JsonElement e = o.get(field);
    return e == null || !e.isJsonObject() ? null : e.getAsJsonObject();
  }

  private static void requireType(JsonObject o, String field, String expected) {
    String type = string(o, "type", "");
    if (!type.equals(expected)) {
      throw new TokenizerFormatException(
          field + ".type is '" + type + "'; only " + expected + " is supported");
    }
  }

  private static String string(JsonObject o, String field, String dflt) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? dflt : e.getAsString();
  }

  private static boolean bool(JsonObject o, String field, boolean dflt) {
    JsonElement e = o.get(field);
    return e == null || e.isJsonNull() ? dflt : e.getAsBoolean();
  }
}
