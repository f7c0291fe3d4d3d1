package dev.tandem.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.tandem.runtime.testing.ReferenceModels;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reference int8 MiniLM model (WORKLOAD.md) through {@link ModelSession}, read from its jar. */
class MiniLmIntegrationTest {
  private static ModelSession session;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = MiniLmIntegrationTest.class.getClassLoader().getResourceAsStream(ReferenceModels.MINILM_INT8)) {
      session = ModelSession.builder().stream(in).intraOpThreads(1).build();
    }
  }

  @AfterAll
  static void close() {
    session.close();
  }

  private static List<Tensor> inputs(long[] ids) {
    return Inputs.builder()
        .addInt64("input_ids", ids, 1, ids.length)
        .addInt64("attention_mask", ones(ids.length), 1, ids.length)
        .addInt64("token_type_ids", new long[ids.length], 1, ids.length)
        .build();
  }

  private static long[] ones(int n) {
    long[] a = new long[n];
    java.util.Arrays.fill(a, 1);
    return a;
  }

  /** Mean over tokens, L2-normalised: the MiniLM sentence embedding. */
  private static double[] embed(String text) {
    long[] ids = ReferenceModels.wholeWordIds(text);
    Tensor hidden = session.run(inputs(ids)).get(0);
    float[] h = hidden.toFloatArray();
    int dim = (int) hidden.dim(2);
    double[] e = new double[dim];
    for (int t = 0; t < ids.length; t++) {
      for (int d = 0; d < dim; d++) {
        e[d] += h[t * dim + d] / ids.length;
      }
    }
    double norm = 0;
    for (double x : e) {
      norm += x * x;
    }
    for (int d = 0; d < dim; d++) {
      e[d] /= Math.sqrt(norm);
    }
    return e;
  }

  private static double cosine(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void info_declaresTheBertInputsAndHash() {
    ModelInfo info = session.info();
    assertThat(info.inputs()).extracting(TensorSpec::name)
        .containsExactlyInAnyOrder("input_ids", "attention_mask", "token_type_ids");
    assertThat(info.inputs()).allSatisfy(s -> {
      assertThat(s.type()).isEqualTo(ElementType.INT64);
      assertThat(s.shape()).containsExactly(-1, -1);
    });
    assertThat(info.outputs().get(0).name()).isEqualTo("last_hidden_state");
    assertThat(info.outputs().get(0).shape()).containsExactly(-1, -1, 384);
    assertThat(info.sha256()).hasSize(64);
  }

  @Test
  void run_matchesBareOrtSessionBitForBit() throws Exception {
    long[] ids = ReferenceModels.wholeWordIds("the cat sat on the mat");
    float[] ours = session.run(inputs(ids)).get(0).toFloatArray();

    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(1);
      try (OrtSession bare = env.createSession(ReferenceModels.miniLmInt8(), options)) {
        long[] shape = {1, ids.length};
        Map<String, OnnxTensor> in = new HashMap<>();
        in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
        in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(ones(ids.length)), shape));
        in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(new long[ids.length]), shape));
        try (OrtSession.Result r = bare.run(in)) {
          FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
          float[] theirs = new float[fb.remaining()];
          fb.get(theirs);
          assertThat(ours).containsExactly(theirs);
        } finally {
          for (OnnxTensor t : in.values()) {
            t.close();
          }
        }
      }
    }
  }

  @Test
  void run_embeddingsPlaceSimilarSentencesCloser() {
    double[] dog = embed("my dog likes to play in the park");
    double[] puppy = embed("the puppy loves playing outside");
    double[] market = embed("the stock market fell sharply today");
    assertThat(cosine(dog, puppy)).isGreaterThan(cosine(dog, market) + 0.1);
  }
}
