package dev.tandem.agent.simulate;

import dev.tandem.runtime.CloudInput;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.text.WordPieceTokenizer;
import java.util.List;
import java.util.Objects;

/**
 * How a device turns a text into model inputs: the edge model's tensors (its tokenizer, its
 * token budget, one message unpadded) and, when the cloud model has its own tokenizer or budget,
 * the cloud's input, built only if the decision is offloaded. The one place where the fleet
 * simulation and the demo turn text into tensors. Immutable and thread-safe.
 */
public final class TextInputs {
  /** Bytes per token of an encoded text: three int64 tensors (ids, attention mask, type ids). */
  static final int BYTES_PER_TOKEN = 3 * Long.BYTES;

  private final WordPieceTokenizer edgeTokenizer;
  private final int edgeMaxTokens;
  private final WordPieceTokenizer cloudTokenizer;
  private final int cloudMaxTokens;

  private TextInputs(WordPieceTokenizer edgeTokenizer, int edgeMaxTokens, WordPieceTokenizer cloudTokenizer,
      int cloudMaxTokens) {
    this.edgeTokenizer = Objects.requireNonNull(edgeTokenizer, "edgeTokenizer");
    if (edgeMaxTokens < 2) {
      throw new IllegalArgumentException("the edge's token budget must be >= 2, was " + edgeMaxTokens);
    }
    if (cloudTokenizer != null && cloudMaxTokens < 2) {
      throw new IllegalArgumentException("the cloud's token budget must be >= 2, was " + cloudMaxTokens);
    }
    this.edgeMaxTokens = edgeMaxTokens;
    this.cloudTokenizer = cloudTokenizer;
    this.cloudMaxTokens = cloudMaxTokens;
  }

  /** Text for an edge model only: an offload sends the cloud the edge's own tensors. */
  public static TextInputs edgeOnly(WordPieceTokenizer edge, int edgeMaxTokens) {
    return new TextInputs(edge, edgeMaxTokens, null, 0);
  }

  /** Text for an edge and a cloud model, each with its own tokenizer and token budget. */
  public static TextInputs of(WordPieceTokenizer edge, int edgeMaxTokens, WordPieceTokenizer cloud,
      int cloudMaxTokens) {
    return new TextInputs(edge, edgeMaxTokens, Objects.requireNonNull(cloud, "cloud"), cloudMaxTokens);
  }

  /** The edge model's input for {@code text}. */
  public List<Tensor> edge(String text) {
    return edgeTokenizer.encode(text, edgeMaxTokens).toTensors();
  }

  /**
   * The cloud model's input for {@code text}, or {@code null} when the cloud takes the edge's
   * tensors. Built lazily, on offload only. The size the policy sees is as many tokens as the
   * edge's encoding when that was not truncated (exact when both tokenizers share a vocabulary,
   * as the reference models do), else the cloud's full budget.
   *
   * @param edgeTokens how many tokens the edge's encoding of {@code text} has
   */
  public CloudInput cloud(String text, int edgeTokens) {
    if (cloudTokenizer == null) {
      return null;
    }
    int tokens = edgeTokens < edgeMaxTokens ? Math.min(edgeTokens, cloudMaxTokens) : cloudMaxTokens;
    return CloudInput.lazy((long) tokens * BYTES_PER_TOKEN,
        () -> cloudTokenizer.encode(text, cloudMaxTokens).toTensors());
  }

  /** Whether the cloud gets its own input. */
  public boolean cloudHasOwnInput() {
    return cloudTokenizer != null;
  }

  public int edgeMaxTokens() {
    return edgeMaxTokens;
  }

  /** The cloud's token budget, 0 when the cloud takes the edge's tensors. */
  public int cloudMaxTokens() {
    return cloudMaxTokens;
  }
}
