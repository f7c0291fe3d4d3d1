package dev.tandem.runtime.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a loaded model declares: its inputs and outputs in the model's order, and the SHA-256 of
 * the model's bytes, the identity by which policies and decision records name the edge model.
 * Immutable.
 */
public final class ModelInfo {
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;
  private final String sha256;

  private ModelInfo(List<TensorSpec> inputs, List<TensorSpec> outputs, String sha256) {
    this.inputs = inputs;
    this.outputs = outputs;
    this.sha256 = sha256;
  }

  /**
   * A model description.
   *
   * @throws IllegalArgumentException if the hash is not 64 lower-case hex digits
   */
  public static ModelInfo of(List<TensorSpec> inputs, List<TensorSpec> outputs, String sha256) {
    Objects.requireNonNull(sha256, "sha256");
    if (!sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256 must be 64 lower-case hex digits, got '" + sha256 + "'");
    }
    return new ModelInfo(
        Collections.unmodifiableList(new ArrayList<>(inputs)),
        Collections.unmodifiableList(new ArrayList<>(outputs)),
        sha256);
  }

  /** The declared inputs, in the model's order (unmodifiable). */
  public List<TensorSpec> inputs() {
    return inputs;
  }

  /** The declared outputs, in the model's order (unmodifiable). */
  public List<TensorSpec> outputs() {
    return outputs;
  }

  /** Lower-case hex SHA-256 of the model's bytes. */
  public String sha256() {
    return sha256;
  }

  /**
   * The input with this name.
   *
   * @throws IllegalArgumentException naming the unknown input and the declared ones
   */
  public TensorSpec input(String name) {
    return find(inputs, name, "input");
  }

  /**
   * The output with this name.
   *
   * @throws IllegalArgumentException naming the unknown output and the declared ones
   */
  public TensorSpec output(String name) {
    return find(outputs, name, "output");
  }

  private static TensorSpec find(List<TensorSpec> specs, String name, String what) {
    for (TensorSpec s : specs) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("the model has no " + what + " '" + name + "': its " + what + "s are " + names(specs));
  }

  static List<String> names(List<TensorSpec> specs) {
    List<String> names = new ArrayList<>(specs.size());
    for (TensorSpec s : specs) {
      names.add(s.name());
    }
    return names;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ModelInfo)) {
      return false;
    }
    ModelInfo m = (ModelInfo) o;
    return inputs.equals(m.inputs) && outputs.equals(m.outputs) && sha256.equals(m.sha256);
  }

  @Override
  public int hashCode() {
    return Objects.hash(inputs, outputs, sha256);
  }

  @Override
  public String toString() {
    return "ModelInfo{sha256=" + sha256 + ", inputs=" + inputs + ", outputs=" + outputs + "}";
  }
}
