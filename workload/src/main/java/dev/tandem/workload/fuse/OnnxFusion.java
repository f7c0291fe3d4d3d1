package dev.tandem.workload.fuse;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tandem.workload.embed.Pooling;
import dev.tandem.workload.head.Head;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Fuses a sentence encoder, its pooling, L2 normalisation and a logistic-regression head into
 * one ONNX graph: {@code input_ids}, {@code attention_mask}, {@code token_type_ids} (int64
 * [batch, seq]) in, {@code probabilities} (float [batch, 2]: ham, spam) out.
 *
 * <p>Design: the encoder's graph is kept as it is and nodes are appended after its {@code
 * last_hidden_state}:
 *
 * <pre>
 * mean: Cast(mask) -> Unsqueeze -> Mul(hidden) -> ReduceSum(seq) / Max(ReduceSum(mask), 1e-9)
 * cls:  Gather(hidden, index 0 on the seq axis)
 * then: x / Max(Sqrt(ReduceSum(x*x)), 1e-12) -> Gemm(W, b) -> Softmax
 * </pre>
 *
 * The two-class head is written as logits {@code [0, w.x + b]}, whose softmax is {@code
 * [1 - sigmoid, sigmoid]}. Unsqueeze and ReduceSum take their axes as attributes before opset
 * 13 and as inputs from 13 on; both forms are written according to the model's opset.
 */
public final class OnnxFusion {
  /** Name of the fused graph's output. */
  public static final String OUTPUT = "probabilities";
  private static final String HIDDEN = "last_hidden_state";
  private static final String P = "tandem_";

  private OnnxFusion() {}

  /**
   * The fused model's bytes.
   *
   * @param encoderModel the encoder's ONNX bytes (output {@code last_hidden_state})
   * @param metadata key/value pairs written into the model's metadata_props
   * @throws IllegalArgumentException if the model cannot be parsed or has no {@code
   *     last_hidden_state} output, or the head's width differs from the hidden size
   */
  public static byte[] fuse(byte[] encoderModel, Pooling pooling, Head head, Map<String, String> metadata) {
    ModelProto model;
    try {
      model = ModelProto.parseFrom(encoderModel);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
    long opset = 0;
    for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        opset = o.getVersion();
      }
    }
    GraphProto.Builder g = model.getGraph().toBuilder();
    ValueInfoProto hiddenInfo = null;
    for (ValueInfoProto o : g.getOutputList()) {
      if (o.getName().equals(HIDDEN)) {
        hiddenInfo = o;
      }
    }
    if (hiddenInfo == null) {
      throw new IllegalArgumentException("the model has no '" + HIDDEN + "' output");
    }
    TensorShapeProto.Dimension batchDim = hiddenInfo.getType().getTensorType().getShape().getDim(0);
    long hiddenSize = hiddenInfo.getType().getTensorType().getShape().getDim(2).getDimValue();
    if (hiddenSize != head.dim()) {
      throw new IllegalArgumentException("hidden size " + hiddenSize + " but the head has " + head.dim() + " weights");
    }
    boolean axesAsInput = opset >= 13;

    String pooled;
    if (pooling == Pooling.MEAN) {
      g.addNode(node("Cast", new String[] {"attention_mask"}, P + "mask_f")
          .addAttribute(intAttr("to", TensorProto.DataType.FLOAT_VALUE)));
      g.addNode(withAxes(g, "Unsqueeze", new String[] {P + "mask_f"}, P + "mask_u", new long[] {2}, axesAsInput, null));
      g.addNode(node("Mul", new String[] {HIDDEN, P + "mask_u"}, P + "masked"));
      g.addNode(withAxes(g, "ReduceSum", new String[] {P + "masked"}, P + "summed", new long[] {1}, axesAsInput, 0L));
      g.addNode(withAxes(g, "ReduceSum", new String[] {P + "mask_u"}, P + "count", new long[] {1}, axesAsInput, 0L));
      g.addInitializer(floatScalar(P + "mask_eps", Pooling.MASK_EPSILON));
      g.addNode(node("Max", new String[] {P + "count", P + "mask_eps"}, P + "count_c"));
      g.addNode(node("Div", new String[] {P + "summed", P + "count_c"}, P + "pooled"));
    } else {
      g.addInitializer(TensorProto.newBuilder().setName(P + "cls_index")
          .setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(0).build());
      g.addNode(node("Gather", new String[] {HIDDEN, P + "cls_index"}, P + "pooled")
          .addAttribute(intAttr("axis", 1)));
    }
    pooled = P + "pooled";
    g.addNode(node("Mul", new String[] {pooled, pooled}, P + "squares"));
    g.addNode(withAxes(g, "ReduceSum", new String[] {P + "squares"}, P + "sum_squares", new long[] {1}, axesAsInput, 1L));
    g.addNode(node("Sqrt", new String[] {P + "sum_squares"}, P + "norm"));
    g.addInitializer(floatScalar(P + "norm_eps", Pooling.NORM_EPSILON));
    g.addNode(node("Max", new String[] {P + "norm", P + "norm_eps"}, P + "norm_c"));
    g.addNode(node("Div", new String[] {pooled, P + "norm_c"}, P + "normalized"));

    int d = head.dim();
    float[] w = new float[2 * d];
    double[] hw = head.weights();
    for (int j = 0; j < d; j++) {
      w[d + j] = (float) hw[j]; // row 0 (ham) stays zero
    }
    g.addInitializer(floats(P + "head_weight", w, 2, d));
    g.addInitializer(floats(P + "head_bias", new float[] {0f, (float) head.bias()}, 2));
    g.addNode(node("Gemm", new String[] {P + "normalized", P + "head_weight", P + "head_bias"}, P + "logits")
        .addAttribute(intAttr("transB", 1)));
    g.addNode(node("Softmax", new String[] {P + "logits"}, OUTPUT).addAttribute(intAttr("axis", 1)));

    g.clearOutput();
    g.addOutput(ValueInfoProto.newBuilder().setName(OUTPUT).setType(TypeProto.newBuilder()
        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE)
            .setShape(TensorShapeProto.newBuilder().addDim(batchDim)
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(2))))));
    ModelProto.Builder out = model.toBuilder().setGraph(g);
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      out.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
    }
    return out.build().toByteArray();
  }

  private static NodeProto.Builder node(String op, String[] inputs, String output) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
    for (String i : inputs) {
      n.addInput(i);
    }
    return n;
  }

  private static NodeProto.Builder withAxes(GraphProto.Builder g, String op, String[] inputs, String output,
      long[] axes, boolean axesAsInput, Long keepDims) {
    NodeProto.Builder n = node(op, inputs, output);
    if (axesAsInput) {
      String name = output + "_axes";
      TensorProto.Builder t = TensorProto.newBuilder().setName(name)
          .setDataType(TensorProto.DataType.INT64_VALUE).addDims(axes.length);
      for (long a : axes) {
        t.addInt64Data(a);
      }
      g.addInitializer(t);
      n.addInput(name);
    } else {
      AttributeProto.Builder a = AttributeProto.newBuilder().setName("axes").setType(AttributeProto.AttributeType.INTS);
      for (long x : axes) {
        a.addInts(x);
      }
      n.addAttribute(a);
    }
    if (keepDims != null) {
      n.addAttribute(intAttr("keepdims", keepDims));
    }
    return n;
  }

  private static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  private static TensorProto floatScalar(String name, float value) {
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addFloatData(value).build();
  }

  private static TensorProto floats(String name, float[] values, long... dims) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
        .setRawData(ByteString.copyFrom(b.array()));
    for (long d : dims) {
      t.addDims(d);
    }
    return t.build();
  }
}
