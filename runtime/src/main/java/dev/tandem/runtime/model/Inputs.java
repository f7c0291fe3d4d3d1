package dev.tandem.runtime.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A typed builder of model inputs:
 *
 * <pre>{@code
 * List<Tensor> inputs = Inputs.builder()
 *     .addInt64("input_ids", ids, 1, ids.length)
 *     .addFloat32("features", features, 1, 4)
 *     .build();
 * }</pre>
 *
 * <p>Each method copies its values, so the caller may reuse its arrays and buffers. Shapes are
 * checked against the number of values here; names, element types and shapes are checked against
 * the model by {@link ModelSession#run}. Not thread-safe; the built list is immutable.
 */
public final class Inputs {
  private Inputs() {}

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a list of input tensors; fails fast on a repeated name or a shape that does not fit. */
  public static final class Builder {
    private final List<Tensor> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    private Builder() {}

    /** A float32 input; {@code shape} defaults to a vector of {@code values.length}. */
    public Builder addFloat32(String name, float[] values, long... shape) {
      return add(Tensor.ofFloats(name, Objects.requireNonNull(values, "values"), shape));
    }

    /** An int64 input; {@code shape} defaults to a vector of {@code values.length}. */
    public Builder addInt64(String name, long[] values, long... shape) {
      return add(Tensor.ofLongs(name, Objects.requireNonNull(values, "values"), shape));
    }

    /** An int32 input; {@code shape} defaults to a vector of {@code values.length}. */
    public Builder addInt32(String name, int[] values, long... shape) {
      return add(Tensor.ofInts(name, Objects.requireNonNull(values, "values"), shape));
    }

    /** A uint8 input (each byte read as 0..255); {@code shape} defaults to a vector. */
    public Builder addUint8(String name, byte[] values, long... shape) {
      return add(Tensor.ofBytes(name, ElementType.UINT8, Objects.requireNonNull(values, "values"), shape));
    }

    /** An int8 input; {@code shape} defaults to a vector of {@code values.length}. */
    public Builder addInt8(String name, byte[] values, long... shape) {
      return add(Tensor.ofBytes(name, ElementType.INT8, Objects.requireNonNull(values, "values"), shape));
    }

    /**
     * An input from a buffer's remaining bytes (heap or direct), read in the buffer's own byte
     * order ({@link ByteBuffer#order()}), so a buffer filled through {@code asFloatBuffer()} after
     * {@code order(ByteOrder.nativeOrder())} gives the values that were written. The buffer's
     * position is not changed.
     *
     * @throws IllegalArgumentException if the byte count does not fit the shape and type
     */
    public Builder addDirect(String name, ElementType type, ByteBuffer data, long... shape) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(data, "data");
      Objects.requireNonNull(shape, "shape");
      ByteBuffer src = data.duplicate().order(data.order());
      if (src.order() == ByteOrder.LITTLE_ENDIAN || type.byteSize() == 1) {
        return add(Tensor.of(name, type, shape, src));
      }
      // Big-endian source: swap each element into the little-endian layout Tensor carries.
      int n = src.remaining();
      int size = type.byteSize();
      if (n % size != 0) {
        throw new IllegalArgumentException("tensor '" + name + "': " + n + " bytes is not a whole number of " + type
            + " elements");
      }
      ByteBuffer le = ByteBuffer.allocate(n);
      byte[] element = new byte[size];
      for (int i = 0; i < n; i += size) {
        src.get(element);
        for (int j = size - 1; j >= 0; j--) {
          le.put(element[j]);
        }
      }
      ((java.nio.Buffer) le).flip();
      return add(Tensor.of(name, type, shape, le));
    }

    /**
     * Adds a ready tensor.
     *
     * @throws IllegalArgumentException if an input of the same name was already added
     */
    public Builder add(Tensor tensor) {
      Objects.requireNonNull(tensor, "tensor");
      if (!names.add(tensor.name())) {
        throw new IllegalArgumentException("input '" + tensor.name() + "' added twice");
      }
      tensors.add(tensor);
      return this;
    }

    /** The inputs added so far, in order, as an immutable list. */
    public List<Tensor> build() {
      return Collections.unmodifiableList(new ArrayList<>(tensors));
    }
  }
}
