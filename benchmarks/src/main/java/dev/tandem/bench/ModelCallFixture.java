package dev.tandem.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tandem.runtime.model.Inputs;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.testing.ReferenceModels;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One model loaded twice, as a bare {@link OrtSession} and as a {@link ModelSession}, with the
 * same inputs prepared for each; both with one intra-op thread.
 */
final class ModelCallFixture implements AutoCloseable {
  /** The models benchmarked: {@code tiny} (Gemm + Softmax, batch 1), {@code minilm-int8} (8 tokens). */
  static final String[] MODELS = {"tiny", "minilm-int8"};

  private final OrtSession bare;
  private final Map<String, OnnxTensor> bareInputs = new HashMap<>();
  private final ModelSession tandem;
  private final List<Tensor> tandemInputs;

  ModelCallFixture(String model) throws OrtException {
    OrtEnvironment env = dev.tandem.runtime.internal.model.OrtEnvironments.get();
    byte[] bytes;
    Inputs.Builder inputs = Inputs.builder();
    if (model.equals("tiny")) {
      bytes = TinyModels.classifier();
      float[] x = {1, 2, 3, 4};
      long[] shape = {1, 4};
      bareInputs.put(TinyModels.FEATURES, OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape));
      inputs.addFloat32(TinyModels.FEATURES, x, shape);
    } else if (model.equals("minilm-int8")) {
      bytes = ReferenceModels.miniLmInt8();
      long[] ids = ReferenceModels.wholeWordIds("the cat sat on the mat");
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1);
      long[] types = new long[ids.length];
      long[] shape = {1, ids.length};
      bareInputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
      bareInputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
      bareInputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
      inputs.addInt64("input_ids", ids, shape).addInt64("attention_mask", mask, shape).addInt64("token_type_ids", types, shape);
    } else {
      throw new IllegalArgumentException("unknown model '" + model + "': expected one of " + Arrays.toString(MODELS));
    }
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      bare = env.createSession(bytes, options);
    }
    tandem = ModelSession.builder().bytes(bytes).intraOpThreads(1).build();
    tandemInputs = inputs.build();
  }

  /**
   * {@code OrtSession.run} on input tensors created once, the first output copied to a
   * {@code float[]}, the result closed: the least any caller does.
   */
  float[] bare() throws OrtException {
    try (OrtSession.Result r = bare.run(bareInputs)) {
      FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
      float[] values = new float[out.remaining()];
      out.get(values);
      return values;
    }
  }

  /** {@code ModelSession.run}: validation, input copies, the run, every output copied out. */
  List<Tensor> tandem() {
    return tandem.run(tandemInputs);
  }

  @Override
  public void close() throws OrtException {
    tandem.close();
    bare.close();
    for (OnnxTensor t : bareInputs.values()) {
      t.close();
    }
  }
}
