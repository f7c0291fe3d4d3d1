package dev.tandem.workload.fuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WeightOnlyQuantizerTest {
  private static final int K = 64;
  private static final int N = 32;
  private static final int SMALL = 8;

  /** W1 [K, N] for MatMul, B [N, K] for Gemm with transB=1, bias [N], W3 [K, SMALL] (too small). */
  private static final class Weights {
    final float[] w1 = random(K * N, 1);
    final float[] b = random(N * K, 2);
    final float[] bias = random(N, 3);
    final float[] w3 = random(K * SMALL, 4);
  }

  @ParameterizedTest(name = "opset {0}")
  @ValueSource(ints = {11, 13, 17})
  void quantize_tinyModel_outputsWithinQuantizationBound(int opset) throws Exception {
    Weights w = new Weights();
    byte[] original = tinyModel(opset, w);
    WeightOnlyQuantizer.Result r = WeightOnlyQuantizer.quantize(original);
    byte[] quantized = r.model();
    assertThat(r.quantizedWeights()).containsExactly("W1", "B");
    assertThat(r.floatWeightBytes()).isEqualTo(4L * (K * N + N * K));

    float[] x = random(K, 9);
    float[][] expected = run(original, x);
    float[][] actual = run(quantized, x);
    // y = x.W: each dequantized weight is within scale[j]/2 of the original, so output j moves by
    // at most sum_k |x_k| * scale[j] / 2; the slack covers float32 summation order (K terms).
    float[] s1 = WeightOnlyQuantizer.scales(w.w1, K, N, 1);
    float[] s2 = WeightOnlyQuantizer.scales(w.b, N, K, 0);
    double sumAbsX = 0;
    for (float v : x) {
      sumAbsX += Math.abs(v);
    }
    boolean someDiffer = false;
    for (int j = 0; j < N; j++) {
      double slack = 4 * K * Math.ulp(1f) * sumAbsX * 4; // |w| < 4 for these weights
      assertThat((double) Math.abs(actual[0][j] - expected[0][j])).isLessThanOrEqualTo(sumAbsX * s1[j] / 2 + slack);
      assertThat((double) Math.abs(actual[1][j] - expected[1][j])).isLessThanOrEqualTo(sumAbsX * s2[j] / 2 + slack);
      someDiffer |= actual[0][j] != expected[0][j];
    }
    assertThat(someDiffer).as("quantization changed the weights at all").isTrue();
    assertThat(actual[2]).as("the small MatMul is untouched").containsExactly(expected[2]);
  }

  @Test
  void quantize_tinyModel_storesInt8WeightsAndLeavesTheRestAlone() throws Exception {
    Weights w = new Weights();
    byte[] original = tinyModel(13, w);
    byte[] quantized = WeightOnlyQuantizer.quantize(original).model();
    assertThat(quantized.length).isLessThan(original.length - 3 * K * N);

    ModelProto before = ModelProto.parseFrom(original);
    ModelProto after = ModelProto.parseFrom(quantized);
    Map<String, TensorProto> inits = new HashMap<>();
    for (TensorProto t : after.getGraph().getInitializerList()) {
      inits.put(t.getName(), t);
    }
    assertThat(inits).doesNotContainKeys("W1", "B");
    TensorProto q1 = inits.get("W1_quantized");
    assertThat(q1.getDataType()).isEqualTo(TensorProto.DataType.INT8_VALUE);
    assertThat(q1.getDimsList()).containsExactly((long) K, (long) N);
    assertThat(q1.getRawData().size()).isEqualTo(K * N);
    assertThat(inits.get("W1_zero_point").getRawData().toByteArray()).containsOnly((byte) 0).hasSize(N);
    // Every stored int8 value dequantizes to within half a step of its weight.
    float[] scale = floats(inits.get("W1_scale"));
    byte[] q = q1.getRawData().toByteArray();
    for (int k = 0; k < K; k++) {
      for (int j = 0; j < N; j++) {
        int i = k * N + j;
        assertThat(Math.abs(w.w1[i] - q[i] * scale[j])).isLessThanOrEqualTo(scale[j] / 2 * (1 + 1e-6f));
      }
    }
    assertThat(floats(inits.get("B_scale"))).hasSize(N); // Gemm transB=1: one scale per row of B
    for (TensorProto t : before.getGraph().getInitializerList()) {
      if (!t.getName().equals("W1") && !t.getName().equals("B")) {
        assertThat(inits.get(t.getName())).as(t.getName()).isEqualTo(t);
      }
    }
    List<String> ops = new ArrayList<>();
    for (NodeProto n : after.getGraph().getNodeList()) {
      ops.add(n.getOpType());
    }
    assertThat(ops).containsExactly("DequantizeLinear", "DequantizeLinear", "MatMul", "Gemm", "MatMul");
    assertThat(after.getOpsetImportList()).isEqualTo(before.getOpsetImportList());
  }

  @Test
  void quantize_belowOpset13_usesCastAndMul_computingTheDequantizedProduct() throws Exception {
    Weights w = new Weights();
    byte[] at11 = WeightOnlyQuantizer.quantize(tinyModel(11, w)).model();
    ModelProto m = ModelProto.parseFrom(at11);
    List<String> ops = new ArrayList<>();
    Map<String, TensorProto> inits = new HashMap<>();
    for (NodeProto n : m.getGraph().getNodeList()) {
      ops.add(n.getOpType());
    }
    for (TensorProto t : m.getGraph().getInitializerList()) {
      inits.put(t.getName(), t);
    }
    assertThat(ops).containsExactly("Cast", "Mul", "Cast", "Mul", "MatMul", "Gemm", "MatMul");
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(11);
    assertThat(inits.get("B_scale").getDimsList()).containsExactly((long) N, 1L); // broadcasts over B's rows
    // y1 is x times the dequantized weights float(q) * scale, up to float32 summation order.
    byte[] q = inits.get("W1_quantized").getRawData().toByteArray();
    float[] scale = floats(inits.get("W1_scale"));
    float[] x = random(K, 10);
    float[] y1 = run(at11, x)[0];
    for (int j = 0; j < N; j++) {
      double expected = 0;
      double magnitude = 0;
      for (int k = 0; k < K; k++) {
        float wq = q[k * N + j] * scale[j];
        expected += x[k] * wq;
        magnitude += Math.abs(x[k] * wq);
      }
      assertThat((double) y1[j]).isCloseTo(expected, org.assertj.core.data.Offset.offset(4 * K * Math.ulp(1f) * magnitude));
    }
  }

  @Test
  void quantize_roundsHalfToEvenAndClampsToSymmetricRange() {
    assertThat(WeightOnlyQuantizer.quantize(2.5f, 1f)).isEqualTo((byte) 2);
    assertThat(WeightOnlyQuantizer.quantize(3.5f, 1f)).isEqualTo((byte) 4);
    assertThat(WeightOnlyQuantizer.quantize(-2.5f, 1f)).isEqualTo((byte) -2);
    assertThat(WeightOnlyQuantizer.quantize(-1000f, 1f)).isEqualTo((byte) -127);
    assertThat(WeightOnlyQuantizer.scales(new float[] {0, 0, 0, -254}, 2, 2, 1)).containsExactly(1f, 2f);
  }

  @Test
  void quantize_notOnnx_throwsClearly() {
    assertThatThrownBy(() -> WeightOnlyQuantizer.quantize("hello, not a model".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an ONNX model");
    assertThatThrownBy(() -> WeightOnlyQuantizer.quantize(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an ONNX model");
  }

  @Test
  void quantize_nothingQualifies_returnsModelUnchanged() {
    byte[] model = ModelProto.newBuilder().setIrVersion(7)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(GraphProto.newBuilder().setName("g").addInput(vi("x", 1, 4))
            .addInitializer(tensor("W", random(16, 1), 4, 4))
            .addNode(NodeProto.newBuilder().setOpType("MatMul").addInput("x").addInput("W").addOutput("y"))
            .addOutput(vi("y", 1, 4)))
        .build().toByteArray();
    WeightOnlyQuantizer.Result r = WeightOnlyQuantizer.quantize(model);
    assertThat(r.quantizedWeights()).isEmpty();
    assertThat(r.model()).isEqualTo(model);
  }

  private static byte[] tinyModel(int opset, Weights w) {
    GraphProto g = GraphProto.newBuilder().setName("tiny")
        .addInput(vi("x", 1, K))
        .addInitializer(tensor("W1", w.w1, K, N))
        .addInitializer(tensor("B", w.b, N, K))
        .addInitializer(tensor("bias", w.bias, N))
        .addInitializer(tensor("W3", w.w3, K, SMALL))
        .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm1").addInput("x").addInput("W1").addOutput("y1"))
        .addNode(NodeProto.newBuilder().setOpType("Gemm").setName("gemm").addInput("x").addInput("B").addInput("bias")
            .addOutput("y2").addAttribute(AttributeProto.newBuilder().setName("transB")
                .setType(AttributeProto.AttributeType.INT).setI(1)))
        .addNode(NodeProto.newBuilder().setOpType("MatMul").setName("mm3").addInput("x").addInput("W3").addOutput("y3"))
        .addOutput(vi("y1", 1, N)).addOutput(vi("y2", 1, N)).addOutput(vi("y3", 1, SMALL))
        .build();
    return ModelProto.newBuilder().setIrVersion(7).setProducerName("tandem-test")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(g).build().toByteArray();
  }

  private static float[][] run(byte[] model, float[] x) throws Exception {
    try (ModelSession s = ModelSession.builder().bytes(model).intraOpThreads(1).build()) {
      List<Tensor> out = s.run(Collections.singletonList(Tensor.ofFloats("x", x, 1, K)));
      float[][] r = new float[out.size()][];
      for (int i = 0; i < r.length; i++) {
        r[i] = out.get(i).toFloatArray();
      }
      return r;
    }
  }

  private static float[] random(int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.max(-3.9, Math.min(3.9, r.nextGaussian()));
    }
    return v;
  }

  private static TensorProto tensor(String name, float[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
    for (long d : dims) {
      t.addDims(d);
    }
    for (float v : values) {
      t.addFloatData(v);
    }
    return t.build();
  }

  private static float[] floats(TensorProto t) {
    ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[b.remaining() / 4];
    b.asFloatBuffer().get(f);
    return f;
  }

  private static ValueInfoProto vi(String name, long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : dims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
  }
}
