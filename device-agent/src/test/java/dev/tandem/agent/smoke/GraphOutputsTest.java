package dev.tandem.agent.smoke;

import static dev.tandem.runtime.testing.OnnxGraphs.floatTensor;
import static dev.tandem.runtime.testing.OnnxGraphs.model;
import static dev.tandem.runtime.testing.OnnxGraphs.node;
import static dev.tandem.runtime.testing.OnnxGraphs.valueInfo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.tandem.runtime.testing.TinyModels;
import java.util.Arrays;
import java.util.Collections;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class GraphOutputsTest {

  @Test
  void nodeOutputs_areInNodeOrder_withoutEmptyOptionalOutputs() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("g");
    g.addInput(valueInfo("x", TensorProto.DataType.FLOAT, 1, 4));
    g.addInitializer(floatTensor("k", new float[] {2, 2, 2, 2}, 4));
    g.addNode(node("Mul", "m", new String[] {"x", "k"}, "scaled"));
    g.addNode(node("Dropout", "d", new String[] {"scaled"}, "kept", ""));
    g.addNode(node("Tanh", "t", new String[] {"kept"}, "y"));
    g.addOutput(valueInfo("y", TensorProto.DataType.FLOAT, 1, 4));
    byte[] bytes = model(g);

    assertThat(GraphOutputs.nodeOutputs(bytes)).containsExactly("scaled", "kept", "y");
    assertThat(GraphOutputs.graphOutputs(bytes)).containsExactly("y");
    assertThat(GraphOutputs.graphInputs(bytes)).containsExactly("x");
  }

  @Test
  void withOutputs_appendsNamedOutputs_andKeepsEverythingElse() throws Exception {
    byte[] bytes = TinyModels.classifier();

    byte[] traced = GraphOutputs.withOutputs(bytes, Arrays.asList("extra_a", "extra_b"));

    ModelProto before = ModelProto.parseFrom(bytes);
    ModelProto after = ModelProto.parseFrom(traced);
    assertThat(after.getGraph().getOutputList().stream().map(ValueInfoProto::getName).collect(Collectors.toList()))
        .containsExactly(TinyModels.PROBABILITIES, TinyModels.LOGITS, "extra_a", "extra_b");
    assertThat(after.getGraph().getOutput(2).hasType()).isFalse();
    assertThat(after.toBuilder().setGraph(after.getGraph().toBuilder().removeOutput(3).removeOutput(2)).build())
        .isEqualTo(before);
    assertThat(ModelProto.parseFrom(GraphOutputs.withOutputs(bytes, Collections.emptyList()))).isEqualTo(before);
  }

  @Test
  void malformedBytes_areRejectedWithAMessage() {
    byte[] bytes = TinyModels.classifier();
    byte[] truncated = Arrays.copyOf(bytes, bytes.length - 7);

    assertThatThrownBy(() -> GraphOutputs.nodeOutputs(truncated))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not an ONNX model");
    assertThatThrownBy(() -> GraphOutputs.withOutputs(new byte[] {0x08, 0x08}, Collections.singletonList("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no graph");
  }
}
