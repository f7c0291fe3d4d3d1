package dev.tandem.workload.embed;

import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.text.TextInput;
import java.util.List;

/**
 * One sentence encoder in ONNX Runtime: text to its pooled, L2-normalised vector, computed the
 * way a device computes it: one message at a time, truncated to {@code maxTokens}, never padded
 * (the int8 model's output depends on padding).
 *
 * <p>Not for concurrent use by many threads (a single session would serialise them anyway on a
 * small CPU). Loading costs a model read and a session (a second for bge-small); each call
 * runs the model once.
 */
public final class Embedder implements AutoCloseable {
  private final Encoder encoder;
  private final int maxTokens;
  private final TextInput text;
  private final ModelSession session;

  public Embedder(Encoder encoder, int maxTokens, int intraOpThreads) {
    this.encoder = encoder;
    this.maxTokens = maxTokens;
    this.text = encoder.textInput(maxTokens);
    this.session = ModelSession.builder().bytes(encoder.modelBytes()).intraOpThreads(intraOpThreads).build();
  }

  public Encoder encoder() {
    return encoder;
  }

  public int maxTokens() {
    return maxTokens;
  }

  /** The pooled, normalised vector of {@code text} (length {@link Encoder#DIM}). */
  public float[] embed(String text) {
    List<Tensor> in = this.text.tensors(text);
    List<Tensor> out = session.run(in);
    Tensor hidden = out.get(0);
    int dim = (int) hidden.dim(2);
    return encoder.pooling().pool(hidden.toFloatArray(), attentionMask(in), dim);
  }

  private static long[] attentionMask(List<Tensor> inputs) {
    for (Tensor t : inputs) {
      if (t.name().equals("attention_mask")) {
        return t.toLongArray();
      }
    }
    throw new IllegalStateException("the text input gave no attention_mask: " + inputs);
  }

  @Override
  public void close() {
    session.close();
  }
}
