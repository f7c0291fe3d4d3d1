package dev.tandem.runtime.signal;

import dev.tandem.runtime.model.Tensor;
import java.util.List;

/**
 * Turns a model's outputs into the confidence {@link Signals} a policy decides on. Plug in an
 * implementation for outputs that are not class scores (a detector's boxes, a regressor's
 * variance); {@link ClassificationScorer} covers classifiers.
 *
 * <p>Implementations must be thread-safe and pure: the same outputs give the same signals.
 */
public interface SignalScorer {
  /**
   * The signals of one answer.
   *
   * @param outputs the model's outputs, as {@code ModelSession.run} returns them
   * @throws IllegalArgumentException if the outputs are not what this scorer reads
   */
  Signals score(List<Tensor> outputs);
}
