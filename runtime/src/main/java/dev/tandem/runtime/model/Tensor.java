package dev.tandem.runtime.model;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable named tensor: element type, shape and its elements as little-endian bytes in
 * row-major order. The one tensor currency of Tandem: model inputs and outputs, frames on the
 * wire and the relay's batches all carry this type.
 *
 * <p>Instances are thread-safe. {@link #data()} returns a read-only view, never a copy.
 */
public final class Tensor {
  private final String name;
  private final ElementType type;
  private final long[] shape;
  private final ByteBuffer data;

  private Tensor(String name, ElementType type, long[] shape, ByteBuffer data) {
    this.name = name;
    this.type = type;
    this.shape = shape;
    this.data = data;
  }

  /**
   * A tensor over a copy of {@code littleEndianData}'s remaining bytes.
   *
   * @throws IllegalArgumentException if the name is empty, a dimension is negative, or the byte
   *     count does not equal the element count times the element size
   */
  public static Tensor of(String name, ElementType type, long[] shape, ByteBuffer littleEndianData) {
    Objects.requireNonNull(littleEndianData, "littleEndianData");
    long[] s = checkShape(name, type, shape);
    long expected = elementCount(s) * type.byteSize();
    if (littleEndianData.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + littleEndianData.remaining() + " bytes given, shape "
              + Arrays.toString(s) + " of " + type + " needs " + expected);
    }
    ByteBuffer copy = ByteBuffer.allocate(littleEndianData.remaining());
    copy.put(littleEndianData.duplicate());
    ((Buffer) copy).flip(); // Buffer's flip(): ByteBuffer's covariant override is missing on Android
    return new Tensor(name, type, s, copy.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
  }

  /**
   * A tensor that takes ownership of {@code littleEndianData}'s remaining bytes without copying;
   * for this package's code that has just made a private copy (model outputs).
   */
  static Tensor adopt(String name, ElementType type, long[] shape, ByteBuffer littleEndianData) {
    long[] s = checkShape(name, type, shape);
    long expected = elementCount(s) * type.byteSize();
    if (littleEndianData.remaining() != expected) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + littleEndianData.remaining() + " bytes given, shape "
              + Arrays.toString(s) + " of " + type + " needs " + expected);
    }
    return new Tensor(name, type, s, littleEndianData.slice().asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
  }

  /** A float32 tensor; {@code shape} defaults to a vector of {@code values.length}. */
  public static Tensor ofFloats(String name, float[] values, long... shape) {
    long[] s = defaultShape(values.length, shape);
    ByteBuffer b = allocate(name, ElementType.FLOAT32, s, values.length);
    b.asFloatBuffer().put(values);
    return wrap(name, ElementType.FLOAT32, s, b);
  }

  /** An int64 tensor; {@code shape} defaults to a vector of {@code values.length}. */
  public static Tensor ofLongs(String name, long[] values, long... shape) {
    long[] s = defaultShape(values.length, shape);
    ByteBuffer b = allocate(name, ElementType.INT64, s, values.length);
    b.asLongBuffer().put(values);
    return wrap(name, ElementType.INT64, s, b);
  }

  /** An int32 tensor; {@code shape} defaults to a vector of {@code values.length}. */
  public static Tensor ofInts(String name, int[] values, long... shape) {
    long[] s = defaultShape(values.length, shape);
    ByteBuffer b = allocate(name, ElementType.INT32, s, values.length);
    b.asIntBuffer().put(values);
    return wrap(name, ElementType.INT32, s, b);
  }

  /** A uint8 or int8 tensor; {@code shape} defaults to a vector of {@code values.length}. */
  public static Tensor ofBytes(String name, ElementType type, byte[] values, long... shape) {
    if (type.byteSize() != 1) {
      throw new IllegalArgumentException("tensor '" + name + "': ofBytes takes uint8 or int8, not " + type);
    }
    long[] s = defaultShape(values.length, shape);
    ByteBuffer b = allocate(name, type, s, values.length);
    b.put(values);
    ((Buffer) b).flip();
    return wrap(name, type, s, b);
  }

  public String name() {
    return name;
  }

  public ElementType type() {
    return type;
  }

  /** A copy of the shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** Number of dimensions. */
  public int rank() {
    return shape.length;
  }

  /** Size of dimension {@code i}. */
  public long dim(int i) {
    return shape[i];
  }

  public long elementCount() {
    return elementCount(shape);
  }

  public int byteLength() {
    return data.capacity();
  }

  /** A read-only little-endian view of the elements, positioned at 0. */
  public ByteBuffer data() {
    return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The same data under another name. */
  public Tensor withName(String newName) {
    checkShape(newName, type, shape);
    return new Tensor(newName, type, shape, data);
  }

  /** The elements as floats; only for float32 tensors. */
  public float[] toFloatArray() {
    requireType(ElementType.FLOAT32);
    float[] out = new float[(int) elementCount()];
    data().asFloatBuffer().get(out);
    return out;
  }

  /** The elements as longs; only for int64 tensors. */
  public long[] toLongArray() {
    requireType(ElementType.INT64);
    long[] out = new long[(int) elementCount()];
    data().asLongBuffer().get(out);
    return out;
  }

  /** The elements as ints; only for int32 tensors. */
  public int[] toIntArray() {
    requireType(ElementType.INT32);
    int[] out = new int[(int) elementCount()];
    data().asIntBuffer().get(out);
    return out;
  }

  /** The raw little-endian bytes (a copy). */
  public byte[] toByteArray() {
    byte[] out = new byte[byteLength()];
    data().get(out);
    return out;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Tensor)) {
      return false;
    }
    Tensor t = (Tensor) o;
    return name.equals(t.name) && type == t.type && Arrays.equals(shape, t.shape) && data().equals(t.data());
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, type, Arrays.hashCode(shape), data());
  }

  @Override
  public String toString() {
    return "Tensor{" + name + ", " + type + Arrays.toString(shape) + "}";
  }

  private void requireType(ElementType expected) {
    if (type != expected) {
      throw new IllegalStateException("tensor '" + name + "' is " + type + ", not " + expected);
    }
  }

  private static long[] defaultShape(int length, long[] shape) {
    return shape == null || shape.length == 0 ? new long[] {length} : shape.clone();
  }

  private static ByteBuffer allocate(String name, ElementType type, long[] shape, int length) {
    checkShape(name, type, shape);
    if (elementCount(shape) != length) {
      throw new IllegalArgumentException(
          "tensor '" + name + "': " + length + " values given, shape " + Arrays.toString(shape)
              + " holds " + elementCount(shape));
    }
    return ByteBuffer.allocate(Math.multiplyExact(length, type.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static Tensor wrap(String name, ElementType type, long[] shape, ByteBuffer b) {
    ((Buffer) b).position(0);
    ((Buffer) b).limit(b.capacity());
    return new Tensor(name, type, shape, b.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN));
  }

  private static long[] checkShape(String name, ElementType type, long[] shape) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("tensor name must not be empty");
    }
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(shape, "shape");
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "tensor '" + name + "': dimension " + d + " in shape " + Arrays.toString(shape) + " is negative");
      }
    }
    long bytes = elementCount(shape) * type.byteSize();
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("tensor '" + name + "': " + bytes + " bytes exceed 2 GiB");
    }
    return shape.clone();
  }

  private static long elementCount(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }
}
