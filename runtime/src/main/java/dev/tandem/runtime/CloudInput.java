package dev.tandem.runtime;

import dev.tandem.runtime.model.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The input the cloud model gets when a decision is offloaded, when it differs from the edge
 * model's (a larger image, a longer text). Either given at once, or built lazily, only when the
 * input is actually offloaded; a lazy input states its size up front, because the metered-network
 * and cost rules of the policy read it before deciding.
 */
public final class CloudInput {
  private final long bytes;
  private final List<Tensor> tensors;
  private final Supplier<List<Tensor>> supplier;

  private CloudInput(long bytes, List<Tensor> tensors, Supplier<List<Tensor>> supplier) {
    this.bytes = bytes;
    this.tensors = tensors;
    this.supplier = supplier;
  }

  /** Tensors ready now; their size is their byte length. */
  public static CloudInput of(List<Tensor> tensors) {
    List<Tensor> copy = Collections.unmodifiableList(new ArrayList<>(tensors));
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("a cloud input needs at least one tensor");
    }
    return new CloudInput(byteLength(copy), copy, null);
  }

  /**
   * Tensors built by {@code supplier} only if the decision is offloaded, on the deciding thread.
   *
   * @param approxBytes the size the policy assumes for the upload (the record holds it as
   *     {@code payload_bytes}; the real size is recorded as {@code bytes_up})
   */
  public static CloudInput lazy(long approxBytes, Supplier<List<Tensor>> supplier) {
    if (approxBytes < 0) {
      throw new IllegalArgumentException("approxBytes must be >= 0, was " + approxBytes);
    }
    return new CloudInput(approxBytes, null, Objects.requireNonNull(supplier, "supplier"));
  }

  /** The size the policy sees. */
  public long bytes() {
    return bytes;
  }

  /** The tensors, building them if lazy. @throws IllegalStateException if the supplier gives none */
  List<Tensor> build() {
    if (tensors != null) {
      return tensors;
    }
    List<Tensor> t = supplier.get();
    if (t == null || t.isEmpty()) {
      throw new IllegalStateException("the lazy cloud input supplier returned no tensors");
    }
    return t;
  }

  static long byteLength(List<Tensor> tensors) {
    long n = 0;
    for (Tensor t : tensors) {
      n += t.byteLength();
    }
    return n;
  }
}
