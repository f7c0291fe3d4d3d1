package dev.tandem.runtime.testing;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Locale;

/**
 * Small builders over the ONNX protobuf classes (from {@code tribuo-util-onnx}), for the tiny
 * models tests build in code: nodes, attributes, initializers, typed inputs and outputs, and the
 * serialized model (IR 8, default opset 13).
 */
public final class OnnxGraphs {
  private OnnxGraphs() {}

  /** The serialized model around {@code graph}. */
  public static byte[] model(GraphProto.Builder graph) {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("tandem-tests")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  /** A node with an explicit name. */
  public static NodeProto node(String op, String name, String[] inputs, String... outputs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
    for (String i : inputs) {
      n.addInput(i);
    }
    for (String o : outputs) {
      n.addOutput(o);
    }
    return n.build();
  }

  /** A node with one output, named after its operator and that output (unique in a graph). */
  public static NodeProto node(String op, String[] inputs, String output) {
    return node(op, op.toLowerCase(Locale.ROOT) + "_" + output, inputs, output);
  }

  public static AttributeProto intAttribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
  }

  /** A float32 initializer. */
  public static TensorProto floatTensor(String name, float[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (float v : values) {
      t.addFloatData(v);
    }
    return t.build();
  }

  /** An int64 initializer. */
  public static TensorProto longTensor(String name, long[] values, long... dims) {
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber());
    for (long d : dims) {
      t.addDims(d);
    }
    for (long v : values) {
      t.addInt64Data(v);
    }
    return t.build();
  }

  /**
   * A typed graph input or output. Each dimension is a number (fixed; a negative one is the
   * dynamic dimension {@code batch}) or a string (a named dynamic dimension).
   */
  public static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... shape) {
    TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
    for (Object d : shape) {
      if (d instanceof String) {
        s.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam((String) d));
      } else {
        long v = ((Number) d).longValue();
        s.addDim(v < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
            : TensorShapeProto.Dimension.newBuilder().setDimValue(v));
      }
    }
    TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(s).build();
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
  }

  /** {@link #valueInfo(String, TensorProto.DataType, Object...)} over a {@code long[]} shape. */
  public static ValueInfoProto valueInfo(String name, TensorProto.DataType type, long[] shape) {
    Object[] dims = new Object[shape.length];
    for (int i = 0; i < shape.length; i++) {
      dims[i] = shape[i];
    }
    return valueInfo(name, type, dims);
  }
}
