package dev.tandem.runtime.model;

import java.util.Objects;

/**
 * What a model declares for one input or output: its name, element type and shape, where
 * {@code -1} marks a dynamic dimension. Immutable.
 */
public final class TensorSpec {
  private final String name;
  private final ElementType type;
  private final long[] shape;

  private TensorSpec(String name, ElementType type, long[] shape) {
    this.name = name;
    this.type = type;
    this.shape = shape;
  }

  /**
   * A spec; dimensions below 0 are normalised to {@code -1} (dynamic).
   *
   * @throws IllegalArgumentException if the name is empty
   */
  public static TensorSpec of(String name, ElementType type, long... shape) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("tensor spec name must not be empty");
    }
    Objects.requireNonNull(type, "type");
    long[] s = Objects.requireNonNull(shape, "shape").clone();
    for (int i = 0; i < s.length; i++) {
      if (s[i] < 0) {
        s[i] = -1;
      }
    }
    return new TensorSpec(name, type, s);
  }

  public String name() {
    return name;
  }

  public ElementType type() {
    return type;
  }

  /** A copy of the declared shape; {@code -1} marks a dynamic dimension. */
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  /** Whether dimension {@code i} is dynamic. */
  public boolean isDynamic(int i) {
    return shape[i] < 0;
  }

  /** The type and shape as messages show them, e.g. {@code int64[-1, 128]}. */
  public String describe() {
    return describe(type, shape);
  }

  static String describe(ElementType type, long[] shape) {
    StringBuilder b = new StringBuilder(type.wireName()).append('[');
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        b.append(", ");
      }
      b.append(shape[i]);
    }
    return b.append(']').toString();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof TensorSpec)) {
      return false;
    }
    TensorSpec s = (TensorSpec) o;
    return name.equals(s.name) && type == s.type && java.util.Arrays.equals(shape, s.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, java.util.Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + ": " + describe();
  }
}
