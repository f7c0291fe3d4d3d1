package dev.tandem.workload.fuse;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Weight-only int8 quantization of an fp32 ONNX model: the constant weights of MatMul (and Gemm)
 * nodes are stored as int8 with one float scale per output column, and a {@code
 * DequantizeLinear} node (below opset 13: Cast and Mul) turns them back into float weights in
 * front of the node. Activations
 * stay float; no other node or initializer is touched.
 *
 * <p>Which weights: a MatMul's input B, or a Gemm's input B, that is a float initializer of rank
 * 2 with at least {@link #MIN_ELEMENTS} elements. Quantization is symmetric per output column:
 * {@code scale[j] = max_k |w[k][j]| / 127}, {@code q = round-half-even(w / scale[j])}, zero
 * point 0 -- so every dequantized weight is within {@code scale[j] / 2} of the original. For a
 * Gemm with {@code transB=1} B is stored [N, K] and the output columns are its rows (axis 0).
 *
 * <p>Design: the int8 initializer is renamed ({@code <name>_quantized}) and the {@code
 * DequantizeLinear} node writes the original name, so every consumer of the weight sees the
 * float tensor it saw before. Per-axis {@code DequantizeLinear} needs opset 13. A model at a
 * lower opset is not re-versioned, because raising the opset import changes the meaning of
 * other operators (Unsqueeze, Squeeze, ReduceSum and Split take their axes as inputs from 13 on;
 * Softmax's default axis and its treatment of the other axes change at 13) -- the fp32 MiniLM
 * export is opset 11 and has both. There the weight is dequantized by the same arithmetic in
 * opset-1 operators instead: {@code Mul(Cast(q, float), scale)} with the scale shaped to
 * broadcast over the output columns ([N] for axis 1, [N, 1] for axis 0). With a zero point of 0
 * both operators compute {@code float(q) * scale}, bit for bit -- but ONNX Runtime treats them
 * differently at load: it constant-folds Cast and Mul into a float32 weight (fp32 arithmetic,
 * fp32 memory), while at its default optimization level it fuses {@code DequantizeLinear} and
 * MatMul into {@code MatMulNBits} with accuracy level 4, which quantizes the activations to int8
 * at run time (session option {@code session.qdq_matmulnbits_accuracy_level} changes that);
 * see docs/arm64.md.
 *
 * <p>Stateless and thread-safe; cost is one pass over the model's bytes.
 */
public final class WeightOnlyQuantizer {
  /** Smallest weight (in elements) that is quantized; small ones save little and lose accuracy. */
  public static final int MIN_ELEMENTS = 1024;
  /** The opset that per-axis {@code DequantizeLinear} needs. */
  public static final long MIN_OPSET = 13;

  private WeightOnlyQuantizer() {}

  /** The quantized model and what was done. */
  public static final class Result {
    private final byte[] model;
    private final List<String> quantized;
    private final long floatBytes;
    private final long int8Bytes;

    Result(byte[] model, List<String> quantized, long floatBytes, long int8Bytes) {
      this.model = model;
      this.quantized = quantized;
      this.floatBytes = floatBytes;
      this.int8Bytes = int8Bytes;
    }

    /** The quantized model's bytes (a copy). */
    public byte[] model() {
      return model.clone();
    }

    /** Names of the weights that were quantized, in graph order. */
    public List<String> quantizedWeights() {
      return quantized;
    }

    /** Bytes the quantized weights took as float32. */
    public long floatWeightBytes() {
      return floatBytes;
    }

    /** Bytes they take now: int8 values plus per-column scales and zero points. */
    public long int8WeightBytes() {
      return int8Bytes;
    }
  }

  /**
   * Quantizes a model's MatMul/Gemm weights.
   *
   * @param onnxModel an fp32 ONNX model's bytes, weights stored inside the file
   * @return the quantized model; if no weight qualifies, the model unchanged and an empty list
   * @throws IllegalArgumentException if the bytes are not an ONNX model, the model's default
   *     has no default-domain opset import, or a qualifying weight is stored as external data
   */
  public static Result quantize(byte[] onnxModel) {
    ModelProto model;
    try {
      model = ModelProto.parseFrom(onnxModel);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model: " + e.getMessage(), e);
    }
    // Protobuf parses many byte strings as an empty or odd message; a model has a graph.
    if (!model.hasGraph() || model.getGraph().getNodeCount() == 0) {
      throw new IllegalArgumentException("not an ONNX model: no graph with nodes");
    }
    long opset = -1;
    for (OnnxMl.OperatorSetIdProto o : model.getOpsetImportList()) {
      if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) {
        opset = o.getVersion();
      }
    }
    GraphProto graph = model.getGraph();
    Map<String, TensorProto> initializers = new LinkedHashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      initializers.put(t.getName(), t);
    }
    // Weight name -> axis of its output columns.
    Map<String, Integer> targets = new LinkedHashMap<>();
    for (NodeProto n : graph.getNodeList()) {
      boolean matMul = n.getOpType().equals("MatMul");
      boolean gemm = n.getOpType().equals("Gemm");
      if (!(matMul || gemm) || !n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx") || n.getInputCount() < 2) {
        continue;
      }
      TensorProto w = initializers.get(n.getInput(1));
      if (w == null || w.getDataType() != TensorProto.DataType.FLOAT_VALUE || w.getDimsCount() != 2
          || w.getDims(0) * w.getDims(1) < MIN_ELEMENTS) {
        continue;
      }
      int axis = gemm && intAttribute(n, "transB") == 1 ? 0 : 1;
      Integer before = targets.get(w.getName());
      if (before != null && before != axis) {
        continue; // shared by a transposed and an untransposed use: per-column scales cannot serve both
      }
      targets.put(w.getName(), axis);
    }
    if (targets.isEmpty()) {
      return new Result(onnxModel.clone(), new ArrayList<>(), 0, 0);
    }
    if (opset < 0) {
      throw new IllegalArgumentException("the model has no opset import for the default ONNX domain");
    }
    boolean dequantizeLinear = opset >= MIN_OPSET;
    GraphProto.Builder g = graph.toBuilder().clearInitializer().clearNode();
    List<NodeProto> dequantize = new ArrayList<>();
    List<String> quantized = new ArrayList<>();
    long floatBytes = 0;
    long int8Bytes = 0;
    for (TensorProto t : graph.getInitializerList()) {
      Integer axis = targets.get(t.getName());
      if (axis == null) {
        g.addInitializer(t);
        continue;
      }
      if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
        throw new IllegalArgumentException("weight '" + t.getName() + "' is stored as external data; "
            + "only weights inside the model file are supported");
      }
      int rows = Math.toIntExact(t.getDims(0));
      int cols = Math.toIntExact(t.getDims(1));
      float[] w = floats(t, rows * cols);
      int columns = axis == 1 ? cols : rows;
      float[] scale = scales(w, rows, cols, axis);
      byte[] q = new byte[w.length];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
          int i = r * cols + c;
          q[i] = quantize(w[i], scale[axis == 1 ? c : r]);
        }
      }
      String name = t.getName();
      String qName = unique(name + "_quantized", initializers);
      String sName = unique(name + "_scale", initializers);
      String zName = unique(name + "_zero_point", initializers);
      g.addInitializer(TensorProto.newBuilder().setName(qName).setDataType(TensorProto.DataType.INT8_VALUE)
          .addDims(rows).addDims(cols).setRawData(ByteString.copyFrom(q)));
      ByteBuffer sb = ByteBuffer.allocate(4 * columns).order(ByteOrder.LITTLE_ENDIAN);
      for (float s : scale) {
        sb.putFloat(s);
      }
      TensorProto.Builder scaleTensor = TensorProto.newBuilder().setName(sName)
          .setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(columns).setRawData(ByteString.copyFrom(sb.array()));
      if (dequantizeLinear) {
        g.addInitializer(scaleTensor);
        g.addInitializer(TensorProto.newBuilder().setName(zName).setDataType(TensorProto.DataType.INT8_VALUE)
            .addDims(columns).setRawData(ByteString.copyFrom(new byte[columns])));
        dequantize.add(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "_dequantize")
            .addInput(qName).addInput(sName).addInput(zName).addOutput(name)
            .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                .setI(axis))
            .build());
        int8Bytes += w.length + 5L * columns;
      } else {
        if (axis == 0) {
          scaleTensor.addDims(1);
        }
        g.addInitializer(scaleTensor);
        String cast = unique(name + "_int8_as_float", initializers);
        dequantize.add(NodeProto.newBuilder().setOpType("Cast").setName(name + "_cast").addInput(qName)
            .addOutput(cast).addAttribute(AttributeProto.newBuilder().setName("to")
                .setType(AttributeProto.AttributeType.INT).setI(TensorProto.DataType.FLOAT_VALUE))
            .build());
        dequantize.add(NodeProto.newBuilder().setOpType("Mul").setName(name + "_dequantize")
            .addInput(cast).addInput(sName).addOutput(name).build());
        int8Bytes += w.length + 4L * columns;
      }
      quantized.add(name);
      floatBytes += 4L * w.length;
    }
    // Old exports also list initializers as graph inputs (overridable); a weight that is now
    // computed by a node can no longer be fed, so it leaves the inputs.
    List<ValueInfoProto> inputs = new ArrayList<>(graph.getInputList());
    g.clearInput();
    for (ValueInfoProto in : inputs) {
      if (!targets.containsKey(in.getName())) {
        g.addInput(in);
      }
    }
    g.addAllNode(dequantize); // before every consumer: the node list must stay topologically sorted
    g.addAllNode(graph.getNodeList());
    byte[] out = model.toBuilder().setGraph(g).build().toByteArray();
    return new Result(out, quantized, floatBytes, int8Bytes);
  }

  /** {@code round-half-even(w / scale)}, clamped to [-127, 127]. */
  static byte quantize(float w, float scale) {
    double q = Math.rint(w / scale);
    return (byte) Math.max(-127, Math.min(127, q));
  }

  /** Per-column {@code max|w| / 127}; 1 for an all-zero column (its values quantize to 0 either way). */
  static float[] scales(float[] w, int rows, int cols, int axis) {
    int columns = axis == 1 ? cols : rows;
    float[] max = new float[columns];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        int j = axis == 1 ? c : r;
        max[j] = Math.max(max[j], Math.abs(w[r * cols + c]));
      }
    }
    float[] scale = new float[columns];
    for (int j = 0; j < columns; j++) {
      scale[j] = max[j] > 0 ? max[j] / 127f : 1f;
    }
    return scale;
  }

  private static float[] floats(TensorProto t, int n) {
    float[] w = new float[n];
    if (!t.getRawData().isEmpty()) {
      ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      if (b.remaining() != 4 * n) {
        throw new IllegalArgumentException("weight '" + t.getName() + "' has " + b.remaining()
            + " bytes of data for " + n + " floats");
      }
      b.asFloatBuffer().get(w);
    } else {
      if (t.getFloatDataCount() != n) {
        throw new IllegalArgumentException("weight '" + t.getName() + "' has " + t.getFloatDataCount()
            + " values for " + n + " elements");
      }
      for (int i = 0; i < n; i++) {
        w[i] = t.getFloatData(i);
      }
    }
    return w;
  }

  private static long intAttribute(NodeProto n, String name) {
    for (AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals(name)) {
        return a.getI();
      }
    }
    return 0;
  }

  private static String unique(String name, Map<String, TensorProto> taken) {
    String n = name;
    for (int i = 1; taken.containsKey(n); i++) {
      n = name + "_" + i;
    }
    return n;
  }
}
