package dev.tandem.workload.testing;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.Random;

/** Tiny stand-ins for a sentence encoder: same inputs and output names, a few hundred bytes. */
public final class TinyEncoders {
  private TinyEncoders() {}

  /**
   * {@code last_hidden_state = Gather(table, input_ids)} with a seeded random table [vocab, dim],
   * plus the attention mask and token type ids as (unused) inputs, at the given opset.
   */
  public static byte[] embeddingLookup(int opset, int vocab, int dim, long seed) {
    Random r = new Random(seed);
    TensorProto.Builder table = TensorProto.newBuilder().setName("table")
        .setDataType(TensorProto.DataType.FLOAT_VALUE).addDims(vocab).addDims(dim);
    for (int i = 0; i < vocab * dim; i++) {
      table.addFloatData((float) r.nextGaussian());
    }
    GraphProto g = GraphProto.newBuilder().setName("tiny_encoder")
        .addInput(input("input_ids"))
        .addInput(input("attention_mask"))
        .addInput(input("token_type_ids"))
        .addInitializer(table)
        .addNode(NodeProto.newBuilder().setOpType("Gather").setName("lookup")
            .addInput("table").addInput("input_ids").addOutput("last_hidden_state"))
        .addOutput(ValueInfoProto.newBuilder().setName("last_hidden_state").setType(type(
            TensorProto.DataType.FLOAT_VALUE, TensorShapeProto.newBuilder().addDim(param("batch_size"))
                .addDim(param("sequence_length")).addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(dim)))))
        .build();
    return ModelProto.newBuilder().setIrVersion(opset >= 13 ? 7 : 6).setProducerName("tandem-test")
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset))
        .setGraph(g).build().toByteArray();
  }

  private static ValueInfoProto input(String name) {
    return ValueInfoProto.newBuilder().setName(name).setType(type(TensorProto.DataType.INT64_VALUE,
        TensorShapeProto.newBuilder().addDim(param("batch_size")).addDim(param("sequence_length")))).build();
  }

  private static TensorShapeProto.Dimension param(String name) {
    return TensorShapeProto.Dimension.newBuilder().setDimParam(name).build();
  }

  private static TypeProto type(int elem, TensorShapeProto.Builder shape) {
    return TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elem).setShape(shape)).build();
  }
}
