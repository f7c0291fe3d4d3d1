package dev.tandem.relay.serve;

import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.model.TensorSpec;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a request's tensors against the model's inputs and the configured limits before ONNX
 * Runtime sees them: names, element types, ranks, fixed dimensions, the size of dynamic
 * dimensions, the row count against the batch size, and the total bytes.
 */
final class InputValidator {
  private InputValidator() {}

  /**
   * Returns the inputs in the model's input order.
   *
   * @throws Rejection with {@code bad_request} and the reason
   */
  static List<Tensor> check(List<Tensor> given, List<TensorSpec> specs, ModelConfig cfg) {
    Map<String, Tensor> byName = new HashMap<>();
    long bytes = 0;
    for (Tensor t : given) {
      if (byName.put(t.name(), t) != null) {
        throw bad("input '" + t.name() + "' is given twice");
      }
      bytes += t.byteLength();
    }
    if (bytes > cfg.maxInputBytes()) {
      throw bad("inputs hold " + bytes + " bytes, over the limit of " + cfg.maxInputBytes());
    }
    List<Tensor> ordered = new ArrayList<>(specs.size());
    long rows = -1;
    for (TensorSpec spec : specs) {
      Tensor t = byName.remove(spec.name());
      if (t == null) {
        throw bad("input '" + spec.name() + "' is missing; the model takes " + names(specs));
      }
      if (t.type() != spec.type()) {
        throw bad("input '" + spec.name() + "' is " + t.type() + ", the model takes " + spec.type());
      }
      long[] want = spec.shape();
      long[] got = t.shape();
      if (got.length != want.length) {
        throw bad("input '" + spec.name() + "' has shape " + Arrays.toString(got) + ", the model takes "
            + shape(want));
      }
      for (int j = 0; j < want.length; j++) {
        if (want[j] >= 0) {
          if (got[j] != want[j]) {
            throw bad("input '" + spec.name() + "' has shape " + Arrays.toString(got) + ", the model takes "
                + shape(want));
          }
        } else if (got[j] < 1) {
          throw bad("input '" + spec.name() + "' has an empty dimension " + j + " in " + Arrays.toString(got));
        } else if (j == 0 && cfg.batchable()) {
          if (got[0] > cfg.maxBatch()) {
            throw bad("input '" + spec.name() + "' has " + got[0] + " rows, over maxBatch " + cfg.maxBatch());
          }
        } else if (got[j] > cfg.maxDynamicDim()) {
          throw bad("input '" + spec.name() + "' dimension " + j + " is " + got[j] + ", over the limit of "
              + cfg.maxDynamicDim());
        }
      }
      if (want.length > 0 && cfg.batchable()) {
        if (rows >= 0 && got[0] != rows) {
          throw bad("inputs disagree on the batch dimension: '" + spec.name() + "' has " + got[0] + " rows, others " + rows);
        }
        rows = got[0];
      }
      ordered.add(t);
    }
    if (!byName.isEmpty()) {
      throw bad("unknown input(s) " + byName.keySet() + "; the model takes " + names(specs));
    }
    return ordered;
  }

  private static String shape(long[] s) {
    return Arrays.toString(s).replace("-1", "?");
  }

  private static List<String> names(List<TensorSpec> specs) {
    List<String> n = new ArrayList<>();
    for (TensorSpec s : specs) {
      n.add(s.name());
    }
    return n;
  }

  private static Rejection bad(String message) {
    return new Rejection(ReplyStatus.BAD_REQUEST, message);
  }
}
