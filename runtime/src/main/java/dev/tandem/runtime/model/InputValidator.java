package dev.tandem.runtime.model;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Checks given tensors against a model's declared inputs; package-private. */
final class InputValidator {
  private InputValidator() {}

  /**
   * Returns the given tensors by name after checking them against {@code declared}.
   *
   * @throws InvalidInputException on the first mismatch, in the model's input order
   */
  static Map<String, Tensor> check(List<TensorSpec> declared, List<Tensor> given) {
    if (given == null) {
      throw new NullPointerException("inputs");
    }
    Map<String, TensorSpec> byName = new HashMap<>();
    for (TensorSpec s : declared) {
      byName.put(s.name(), s);
    }
    Map<String, Tensor> out = new HashMap<>();
    for (Tensor t : given) {
      if (t == null) {
        throw new NullPointerException("inputs contain null");
      }
      TensorSpec spec = byName.get(t.name());
      if (spec == null) {
        throw new InvalidInputException(t.name(), "input '" + t.name() + "': given "
            + TensorSpec.describe(t.type(), t.shape()) + ", but the model has no such input; it expects "
            + describeAll(declared));
      }
      if (out.put(t.name(), t) != null) {
        throw new InvalidInputException(t.name(), "input '" + t.name() + "': given more than once; the model expects it once as "
            + spec.describe());
      }
      checkOne(spec, t);
    }
    for (TensorSpec s : declared) {
      if (!out.containsKey(s.name())) {
        throw new InvalidInputException(s.name(), "input '" + s.name() + "': missing; the model expects "
            + s.describe());
      }
    }
    return out;
  }

  private static void checkOne(TensorSpec spec, Tensor t) {
    long[] shape = t.shape();
    String prefix = "input '" + t.name() + "': given " + TensorSpec.describe(t.type(), shape)
        + ", the model expects " + spec.describe() + ": ";
    if (t.type() != spec.type()) {
      throw new InvalidInputException(t.name(), prefix + "element type " + t.type().wireName() + " is not "
          + spec.type().wireName());
    }
    if (shape.length != spec.rank()) {
      throw new InvalidInputException(t.name(), prefix + "rank " + shape.length + " is not " + spec.rank());
    }
    long[] expected = spec.shape();
    for (int i = 0; i < shape.length; i++) {
      if (expected[i] >= 0 && shape[i] != expected[i]) {
        throw new InvalidInputException(t.name(), prefix + "dimension " + i + " is " + shape[i] + ", not " + expected[i]);
      }
    }
  }

  private static String describeAll(List<TensorSpec> specs) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < specs.size(); i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append('\'').append(specs.get(i).name()).append("' ").append(specs.get(i).describe());
    }
    return b.toString();
  }
}
