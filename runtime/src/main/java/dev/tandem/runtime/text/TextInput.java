package dev.tandem.runtime.text;

import dev.tandem.runtime.model.ModelInfo;
import dev.tandem.runtime.model.ModelLoadException;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.model.TensorSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a BERT-style text model takes its text: a WordPiece tokenizer and a length budget. One
 * message at a time, truncated to {@link #maxTokens()} tokens (special tokens included) and never
 * padded, as a dynamically quantized model needs it; the tensors are {@code input_ids},
 * {@code attention_mask} and {@code token_type_ids} (int64, shape [1, tokens]), or those of them
 * the model declares ({@link #forModel}).
 *
 * <p>Give one to {@code Tandem.Builder.textInput} and {@code tandem.infer("some text")} works;
 * give the cloud model's own to {@code Tandem.Builder.cloudTextInput} when its tokenizer or budget
 * differs (the reference edge model reads 128 tokens, the cloud model 256).
 *
 * <p>Immutable and thread-safe.
 */
public final class TextInput {
  private static final List<String> ALL =
      Arrays.asList(Encoding.INPUT_IDS, Encoding.ATTENTION_MASK, Encoding.TOKEN_TYPE_IDS);

  private final WordPieceTokenizer tokenizer;
  private final int maxTokens;
  private final List<String> inputs;

  private TextInput(WordPieceTokenizer tokenizer, int maxTokens, List<String> inputs) {
    this.tokenizer = tokenizer;
    this.maxTokens = maxTokens;
    this.inputs = inputs;
  }

  /**
   * Text tokenized by {@code tokenizer}, truncated to {@code maxTokens} tokens.
   *
   * @throws IllegalArgumentException if {@code maxTokens} cannot hold one token besides the
   *     tokenizer's special tokens
   */
  static TextInput of(WordPieceTokenizer tokenizer, int maxTokens) {
    Objects.requireNonNull(tokenizer, "tokenizer");
    int least = tokenizer.encode("", Integer.MAX_VALUE).length() + 1;
    if (maxTokens < least) {
      throw new IllegalArgumentException("maxTokens must be at least " + least
          + " (the special tokens and one token of text), was " + maxTokens);
    }
    return new TextInput(tokenizer, maxTokens, ALL);
  }

  /**
   * Reads the model's {@code tokenizer.json}: text truncated to {@code maxTokens} tokens, special
   * tokens included.
   *
   * @throws IOException if the file cannot be read
   * @throws ModelLoadException if it is not a WordPiece tokenizer this runtime reads (the message
   *     names the field and the value found): the model's files do not load
   * @throws IllegalArgumentException if {@code maxTokens} cannot hold one token besides the
   *     special tokens
   */
  public static TextInput fromFile(Path tokenizerJson, int maxTokens) throws IOException {
    WordPieceTokenizer t;
    try {
      t = WordPieceTokenizer.fromFile(tokenizerJson);
    } catch (TokenizerFormatException e) {
      throw new ModelLoadException(tokenizerJson + ": " + e.getMessage(), e);
    }
    return of(t, maxTokens);
  }

  /**
   * As {@link #fromFile}, from a stream (an Android asset, say); does not close it.
   *
   * @throws ModelLoadException if it is not a WordPiece tokenizer this runtime reads
   */
  public static TextInput fromJson(InputStream tokenizerJson, int maxTokens) {
    WordPieceTokenizer t;
    try {
      t = WordPieceTokenizer.fromJson(tokenizerJson);
    } catch (TokenizerFormatException e) {
      throw new ModelLoadException(e.getMessage(), e);
    }
    return of(t, maxTokens);
  }

  /**
   * The same tokenizer with another length budget (the cloud model's, say).
   *
   * @throws IllegalArgumentException as {@link #fromFile}
   */
  public TextInput withMaxTokens(int maxTokens) {
    of(tokenizer, maxTokens); // the same checks
    return new TextInput(tokenizer, maxTokens, inputs);
  }

  /**
   * This input giving only the tensors {@code model} declares (a model without
   * {@code token_type_ids}, say).
   *
   * @throws IllegalArgumentException if the model does not take {@code input_ids}, or takes an
   *     input a tokenizer does not give
   */
  public TextInput forModel(ModelInfo model) {
    Set<String> declared = new LinkedHashSet<>();
    for (TensorSpec s : model.inputs()) {
      declared.add(s.name());
    }
    if (!declared.contains(Encoding.INPUT_IDS)) {
      throw new IllegalArgumentException("the model takes no '" + Encoding.INPUT_IDS + "' (its inputs: "
          + declared + "); a text input feeds " + ALL);
    }
    List<String> keep = new ArrayList<>();
    for (String name : ALL) {
      if (declared.remove(name)) {
        keep.add(name);
      }
    }
    if (!declared.isEmpty()) {
      throw new IllegalArgumentException("the model also takes " + declared + ", which a text input cannot give (it feeds "
          + ALL + ")");
    }
    return new TextInput(tokenizer, maxTokens, Collections.unmodifiableList(keep));
  }

  /** The size of the tokenizer's vocabulary: every id it gives is below it. */
  public int vocabSize() {
    return tokenizer.vocabSize();
  }

  /** Tokens per message at most, special tokens included. */
  public int maxTokens() {
    return maxTokens;
  }

  /** The names of the tensors {@link #tensors} gives, in order. */
  public List<String> inputNames() {
    return inputs;
  }

  /** {@code text} tokenized and truncated to {@link #maxTokens()}, unpadded. */
  Encoding encode(String text) {
    return tokenizer.encode(Objects.requireNonNull(text, "text"), maxTokens);
  }

  /**
   * The model's input tensors for {@code text}: tokenized, truncated to {@link #maxTokens()} and
   * never padded, in the order of {@link #inputNames()}; {@code input_ids} comes first, so its
   * length is the text's token count.
   */
  public List<Tensor> tensors(String text) {
    return tensors(encode(text));
  }

  /** The model's input tensors for an encoding. */
  List<Tensor> tensors(Encoding encoding) {
    List<Tensor> all = encoding.toTensors();
    if (inputs.size() == all.size()) {
      return all;
    }
    List<Tensor> out = new ArrayList<>(inputs.size());
    for (Tensor t : all) {
      if (inputs.contains(t.name())) {
        out.add(t);
      }
    }
    return out;
  }

  /** The byte length of the tensors of a {@code tokens}-token encoding (8 bytes per token and tensor). */
  public long byteLength(int tokens) {
    return 8L * tokens * inputs.size();
  }

  /** Whether the two turn every text into the same tensors (same tokenizer, budget and inputs). */
  public boolean sameAs(TextInput other) {
    return other != null && tokenizer == other.tokenizer && maxTokens == other.maxTokens && inputs.equals(other.inputs);
  }

  @Override
  public String toString() {
    return "TextInput{" + tokenizer.vocabSize() + " word pieces, " + maxTokens + " tokens, " + inputs + "}";
  }
}
