package dev.tandem.relay.testing;

import static dev.tandem.runtime.testing.OnnxGraphs.floatTensor;
import static dev.tandem.runtime.testing.OnnxGraphs.intAttribute;
import static dev.tandem.runtime.testing.OnnxGraphs.longTensor;
import static dev.tandem.runtime.testing.OnnxGraphs.model;
import static dev.tandem.runtime.testing.OnnxGraphs.node;
import static dev.tandem.runtime.testing.OnnxGraphs.valueInfo;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.tandem.runtime.testing.TinyModels;
import java.util.Random;

/**
 * Models for the relay's tests, built in code: a masked mean-pooling text classifier with a
 * dynamic sequence dimension (the shape of a BERT-style cloud model, small), and a deliberately
 * slow model to fill queues.
 */
public final class RelayTestModels {
  /** Inputs and outputs of {@link #maskedPoolClassifier()}. */
  public static final String INPUT_IDS = "input_ids";
  public static final String ATTENTION_MASK = "attention_mask";
  public static final String LOGITS = "logits";
  public static final String PROBABILITIES = "probabilities";
  /** Vocabulary size of {@link #maskedPoolClassifier()}. */
  public static final int VOCAB = 32;
  /** Width of {@link #slow(int)}'s input and output. */
  public static final int SLOW_WIDTH = 1024;

  private RelayTestModels() {}

  /**
   * {@code input_ids int64[batch, seq]} and {@code attention_mask int64[batch, seq]}: embeds the
   * ids (a seeded {@code [32, 4]} table), averages the embeddings where the mask is 1, and
   * classifies the mean with the tiny classifier's weights into {@code logits} and {@code
   * probabilities} ({@code [batch, 3]}). Padding ids with anything and the mask with 0 leaves
   * the answer unchanged, as in BERT.
   */
  public static byte[] maskedPoolClassifier() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("masked-pool-classifier");
    g.addInput(valueInfo(INPUT_IDS, TensorProto.DataType.INT64, "batch", "seq"));
    g.addInput(valueInfo(ATTENTION_MASK, TensorProto.DataType.INT64, "batch", "seq"));
    Random r = new Random(7);
    float[] emb = new float[VOCAB * 4];
    for (int i = 0; i < emb.length; i++) {
      emb[i] = (float) r.nextGaussian();
    }
    g.addInitializer(floatTensor("E", emb, VOCAB, 4));
    g.addInitializer(floatTensor("W", TinyModels.CLASSIFIER_WEIGHTS, 4, 3));
    g.addInitializer(floatTensor("B", TinyModels.CLASSIFIER_BIAS, 3));
    g.addInitializer(longTensor("axis1", new long[] {1}, 1));
    g.addInitializer(longTensor("axis2", new long[] {2}, 1));
    g.addNode(node("Gather", new String[] {"E", INPUT_IDS}, "emb"));
    g.addNode(node("Cast", new String[] {ATTENTION_MASK}, "maskf").toBuilder()
        .addAttribute(intAttribute("to", TensorProto.DataType.FLOAT.getNumber())).build());
    g.addNode(node("Unsqueeze", new String[] {"maskf", "axis2"}, "mask3"));
    g.addNode(node("Mul", new String[] {"emb", "mask3"}, "masked"));
    g.addNode(node("ReduceSum", new String[] {"masked", "axis1"}, "summed").toBuilder()
        .addAttribute(intAttribute("keepdims", 0)).build());
    g.addNode(node("ReduceSum", new String[] {"maskf", "axis1"}, "count").toBuilder()
        .addAttribute(intAttribute("keepdims", 1)).build());
    g.addNode(node("Div", new String[] {"summed", "count"}, "pooled"));
    g.addNode(node("Gemm", new String[] {"pooled", "W", "B"}, LOGITS));
    g.addNode(node("Softmax", new String[] {LOGITS}, PROBABILITIES).toBuilder()
        .addAttribute(intAttribute("axis", 1)).build());
    g.addOutput(valueInfo(LOGITS, TensorProto.DataType.FLOAT, "batch", 3));
    g.addOutput(valueInfo(PROBABILITIES, TensorProto.DataType.FLOAT, "batch", 3));
    return model(g);
  }

  /**
   * {@code x float32[1, 1024]} through {@code layers} 1024x1024 MatMuls (with Tanh) to {@code y}:
   * milliseconds per run on one thread, to build queues in tests.
   */
  public static byte[] slow(int layers) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("slow");
    g.addInput(valueInfo("x", TensorProto.DataType.FLOAT, 1, SLOW_WIDTH));
    Random r = new Random(11);
    float[] w = new float[SLOW_WIDTH * SLOW_WIDTH];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) (r.nextGaussian() / Math.sqrt(SLOW_WIDTH));
    }
    g.addInitializer(floatTensor("W", w, SLOW_WIDTH, SLOW_WIDTH));
    String prev = "x";
    for (int i = 0; i < layers; i++) {
      String mm = "mm" + i;
      String out = i == layers - 1 ? "y" : "h" + i;
      g.addNode(node("MatMul", new String[] {prev, "W"}, mm));
      g.addNode(node("Tanh", new String[] {mm}, out));
      prev = out;
    }
    g.addOutput(valueInfo("y", TensorProto.DataType.FLOAT, 1, SLOW_WIDTH));
    return model(g);
  }
}
