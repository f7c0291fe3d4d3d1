package dev.tandem.runtime.text;

import dev.tandem.runtime.model.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The result of tokenizing one text: token ids, attention mask and token type ids, all of the
 * same length, ready to be fed to a BERT-style model as a batch of one.
 *
 * <p>Immutable and thread-safe; accessors return copies.
 */
final class Encoding {
  /** The input names BERT-style ONNX models use. */
  public static final String INPUT_IDS = "input_ids";
  public static final String ATTENTION_MASK = "attention_mask";
  public static final String TOKEN_TYPE_IDS = "token_type_ids";

  private final long[] ids;
  private final long[] attentionMask;
  private final long[] typeIds;

  Encoding(long[] ids, long[] attentionMask, long[] typeIds) {
    this.ids = ids;
    this.attentionMask = attentionMask;
    this.typeIds = typeIds;
  }

  /** Number of tokens, special tokens and padding included. */
  public int length() {
    return ids.length;
  }

  public long[] ids() {
    return ids.clone();
  }

  public long[] attentionMask() {
    return attentionMask.clone();
  }

  public long[] typeIds() {
    return typeIds.clone();
  }

  /**
   * This encoding padded on the right to {@code length} tokens with {@code padId}, mask 0 and
   * type 0; this encoding itself if it is already that long.
   *
   * @throws IllegalArgumentException if {@code length} is shorter than this encoding
   */
  public Encoding padTo(int length, long padId) {
    if (length < ids.length) {
      throw new IllegalArgumentException(
          "padTo: length " + length + " is shorter than the encoding (" + ids.length + " tokens)");
    }
    if (length == ids.length) {
      return this;
    }
    long[] i = Arrays.copyOf(ids, length);
    Arrays.fill(i, ids.length, length, padId);
    return new Encoding(i, Arrays.copyOf(attentionMask, length), Arrays.copyOf(typeIds, length));
  }

  /**
   * The three int64 tensors of shape [1, length], named {@link #INPUT_IDS}, {@link
   * #ATTENTION_MASK} and {@link #TOKEN_TYPE_IDS}, in that order.
   */
  public List<Tensor> toTensors() {
    long[] shape = {1, ids.length};
    List<Tensor> out = new ArrayList<>(3);
    out.add(Tensor.ofLongs(INPUT_IDS, ids, shape));
    out.add(Tensor.ofLongs(ATTENTION_MASK, attentionMask, shape));
    out.add(Tensor.ofLongs(TOKEN_TYPE_IDS, typeIds, shape));
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Encoding)) {
      return false;
    }
    Encoding e = (Encoding) o;
    return Arrays.equals(ids, e.ids)
        && Arrays.equals(attentionMask, e.attentionMask)
        && Arrays.equals(typeIds, e.typeIds);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Arrays.hashCode(ids) + Arrays.hashCode(attentionMask)) + Arrays.hashCode(typeIds);
  }

  @Override
  public String toString() {
    return "Encoding" + Arrays.toString(ids);
  }
}
