package dev.tandem.relay.serve;

import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Stacks several requests' inputs into one batch and splits a batch's outputs back.
 *
 * <p>Design: dimension 0 is the batch dimension; a request may carry one or more rows. Every
 * other dimension that differs between requests (a dynamic sequence length) is padded to the
 * batch's longest with the input's pad value, so a masked model (BERT-style {@code
 * attention_mask} padded with 0) computes the same answer as at batch size 1. Outputs are cut
 * back along dimension 0 by each request's row count; an output whose first dimension is not
 * the batch's row count goes whole to every request.
 */
final class Batches {
  private Batches() {}

  /**
   * Stacks {@code requests} (each a list of inputs in the same order, same names and types).
   *
   * @param padValues the pad value per input position
   */
  static List<Tensor> stack(List<List<Tensor>> requests, double[] padValues) {
    if (requests.size() == 1) {
      return requests.get(0);
    }
    List<Tensor> first = requests.get(0);
    List<Tensor> out = new ArrayList<>(first.size());
    for (int k = 0; k < first.size(); k++) {
      out.add(stackOne(requests, k, padValues[k]));
    }
    return out;
  }

  private static Tensor stackOne(List<List<Tensor>> requests, int k, double pad) {
    Tensor t0 = requests.get(0).get(k);
    int rank = t0.rank();
    ElementType type = t0.type();
    long[] target = new long[rank];
    boolean padded = false;
    for (List<Tensor> r : requests) {
      Tensor t = r.get(k);
      if (t.rank() != rank || t.type() != type) {
        throw new IllegalArgumentException("input " + t.name() + " differs in rank or type within a batch");
      }
      target[0] += t.dim(0);
      for (int j = 1; j < rank; j++) {
        if (target[j] != 0 && target[j] != t.dim(j)) {
          padded = true;
        }
        target[j] = Math.max(target[j], t.dim(j));
      }
    }
    int size = type.byteSize();
    long total = 1;
    for (long d : target) {
      total = Math.multiplyExact(total, d);
    }
    ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(total * size)).order(ByteOrder.LITTLE_ENDIAN);
    if (padded) {
      fill(buf, type, pad);
    }
    long rowElems = total / Math.max(1, target[0]);
    long rowOffset = 0;
    for (List<Tensor> r : requests) {
      Tensor t = r.get(k);
      copyPadded(t, target, buf, rowOffset * rowElems * size);
      rowOffset += t.dim(0);
    }
    buf.position(0);
    return Tensor.of(t0.name(), type, target, buf);
  }

  /** Copies {@code t} into {@code dst} at {@code base} as if its shape were {@code target} (dims 1..). */
  private static void copyPadded(Tensor t, long[] target, ByteBuffer dst, long base) {
    int size = t.type().byteSize();
    long[] s = t.shape();
    int rank = s.length;
    ByteBuffer src = t.data();
    if (rank == 0 || Arrays.equals(Arrays.copyOfRange(s, 1, rank), Arrays.copyOfRange(target, 1, rank))) {
      dst.position(Math.toIntExact(base));
      dst.put(src);
      return;
    }
    // Copy innermost runs: each run of s[rank-1] elements lands at its padded offset.
    long runs = t.elementCount() / s[rank - 1];
    int runBytes = Math.toIntExact(s[rank - 1] * size);
    long[] idx = new long[rank - 1];
    for (long r = 0; r < runs; r++) {
      long off = 0;
      for (int j = 0; j < rank - 1; j++) {
        off = off * target[j] + idx[j];
      }
      off = off * target[rank - 1];
      ByteBuffer run = src.duplicate();
      run.position(Math.toIntExact(r * runBytes));
      run.limit(Math.toIntExact(r * runBytes + runBytes));
      dst.position(Math.toIntExact(base + off * size));
      dst.put(run);
      for (int j = rank - 2; j >= 0; j--) {
        if (++idx[j] < s[j]) {
          break;
        }
        idx[j] = 0;
      }
    }
  }

  private static void fill(ByteBuffer buf, ElementType type, double pad) {
    int n = buf.capacity() / type.byteSize();
    for (int i = 0; i < n; i++) {
      switch (type) {
        case FLOAT32:
          buf.putFloat((float) pad);
          break;
        case INT64:
          buf.putLong((long) pad);
          break;
        case INT32:
          buf.putInt((int) pad);
          break;
        default:
          buf.put((byte) pad);
          break;
      }
    }
    buf.position(0);
  }

  /** Cuts {@code outputs} back into per-request lists by the requests' row counts. */
  static List<List<Tensor>> split(List<Tensor> outputs, long[] rows) {
    List<List<Tensor>> out = new ArrayList<>(rows.length);
    if (rows.length == 1) {
      out.add(outputs);
      return out;
    }
    long totalRows = 0;
    for (long r : rows) {
      totalRows += r;
    }
    for (int i = 0; i < rows.length; i++) {
      out.add(new ArrayList<>(outputs.size()));
    }
    for (Tensor o : outputs) {
      if (o.rank() == 0 || o.dim(0) != totalRows) {
        for (List<Tensor> l : out) {
          l.add(o);
        }
        continue;
      }
      long[] shape = o.shape();
      int rowBytes = Math.toIntExact(o.byteLength() / Math.max(1, totalRows));
      long offset = 0;
      for (int i = 0; i < rows.length; i++) {
        ByteBuffer b = o.data();
        b.position(Math.toIntExact(offset * rowBytes));
        b.limit(Math.toIntExact((offset + rows[i]) * rowBytes));
        shape[0] = rows[i];
        out.get(i).add(Tensor.of(o.name(), o.type(), shape, b));
        offset += rows[i];
      }
    }
    return out;
  }
}
