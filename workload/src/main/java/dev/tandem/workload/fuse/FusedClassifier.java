package dev.tandem.workload.fuse;

import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.text.TextInput;
import java.nio.file.Path;
import java.util.List;

/**
 * A fused classifier in the runtime's {@link ModelSession}, as a device or the relay runs it:
 * text -> token ids (truncated, unpadded) -> {@code probabilities} [ham, spam].
 *
 * <p>{@link #probabilities} may be called from many threads (the session allows it); the cost
 * is one tokenization and one model run per call.
 */
public final class FusedClassifier implements AutoCloseable {
  private final TextInput text;
  private final ModelSession session;

  /** {@code text}: the model's tokenizer with its length budget. */
  public FusedClassifier(Path model, TextInput text, int intraOpThreads) {
    this.text = text;
    this.session = ModelSession.builder().path(model).intraOpThreads(intraOpThreads).build();
  }

  /** [P(ham), P(spam)] of {@code text}. */
  public float[] probabilities(String text) {
    List<Tensor> out = session.run(this.text.tensors(text));
    return out.get(0).toFloatArray();
  }

  public ModelSession session() {
    return session;
  }

  @Override
  public void close() {
    session.close();
  }
}
