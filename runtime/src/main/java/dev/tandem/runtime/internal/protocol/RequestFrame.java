package dev.tandem.runtime.internal.protocol;

import dev.tandem.runtime.model.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An offload request on the wire: the model to run, the budget left when the device sent it, the
 * device's estimate of the one-way uplink time, and the input tensors. Immutable.
 *
 * <p>The relay's deadline is its receive time plus {@link #budgetMs()} minus twice
 * {@link #uplinkEstimateMs()} (see "Budgets, not clocks" in docs/protocol.md). A version-1
 * frame carries no uplink estimate; it decodes as 0.
 */
public final class RequestFrame {
  private final String model;
  private final long budgetMs;
  private final long uplinkEstimateMs;
  private final List<Tensor> inputs;

  private RequestFrame(String model, long budgetMs, long uplinkEstimateMs, List<Tensor> inputs) {
    this.model = model;
    this.budgetMs = budgetMs;
    this.uplinkEstimateMs = uplinkEstimateMs;
    this.inputs = inputs;
  }

  /**
   * A request frame.
   *
   * @throws IllegalArgumentException if the model name is empty, a time is negative, there are
   *     no inputs or two inputs share a name
   */
  public static RequestFrame of(String model, long budgetMs, long uplinkEstimateMs, List<Tensor> inputs) {
    if (model == null || model.isEmpty()) {
      throw new IllegalArgumentException("model must not be empty");
    }
    if (budgetMs < 0) {
      throw new IllegalArgumentException("budgetMs must be >= 0, was " + budgetMs);
    }
    if (uplinkEstimateMs < 0) {
      throw new IllegalArgumentException("uplinkEstimateMs must be >= 0, was " + uplinkEstimateMs);
    }
    Objects.requireNonNull(inputs, "inputs");
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException("a request needs at least one input tensor");
    }
    return new RequestFrame(model, budgetMs, uplinkEstimateMs, copyUnique("input", inputs));
  }

  /** The model the relay should run. */
  public String model() {
    return model;
  }

  /** Milliseconds left until the device's deadline when it sent the request. */
  public long budgetMs() {
    return budgetMs;
  }

  /** The device's estimate of the one-way uplink time, ms; 0 when unknown (or a v1 frame). */
  public long uplinkEstimateMs() {
    return uplinkEstimateMs;
  }

  /** The input tensors, in frame order. */
  public List<Tensor> inputs() {
    return inputs;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RequestFrame)) {
      return false;
    }
    RequestFrame r = (RequestFrame) o;
    return model.equals(r.model) && budgetMs == r.budgetMs && uplinkEstimateMs == r.uplinkEstimateMs
        && inputs.equals(r.inputs);
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, budgetMs, uplinkEstimateMs, inputs);
  }

  @Override
  public String toString() {
    return "RequestFrame{" + model + ", budget=" + budgetMs + "ms, uplink=" + uplinkEstimateMs
        + "ms, inputs=" + inputs + "}";
  }

  static List<Tensor> copyUnique(String what, List<Tensor> tensors) {
    List<Tensor> copy = new ArrayList<>(tensors.size());
    Set<String> names = new HashSet<>();
    for (Tensor t : tensors) {
      Objects.requireNonNull(t, what);
      if (!names.add(t.name())) {
        throw new IllegalArgumentException("two " + what + "s are named '" + t.name() + "'");
      }
      copy.add(t);
    }
    return Collections.unmodifiableList(copy);
  }
}
