package dev.tandem.runtime.testing;

import static dev.tandem.runtime.testing.OnnxGraphs.floatTensor;
import static dev.tandem.runtime.testing.OnnxGraphs.intAttribute;
import static dev.tandem.runtime.testing.OnnxGraphs.model;
import static dev.tandem.runtime.testing.OnnxGraphs.node;
import static dev.tandem.runtime.testing.OnnxGraphs.valueInfo;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.tandem.runtime.model.ElementType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Tiny ONNX models built in code, with outputs small enough to check by hand. Shared with the
 * other modules' tests through the runtime test-jar. Every model uses the default ONNX domain at
 * opset 13; dynamic dimensions are named ({@code batch}).
 *
 * <p>{@link #main} writes {@code tiny-classifier.onnx} and {@code tiny-int64.onnx} into a folder,
 * for the command-line example in the README.
 */
public final class TinyModels {
  /** Input of {@link #classifier()}: float32 {@code [batch, 4]}. */
  public static final String FEATURES = "features";
  /** Output of {@link #classifier()}: softmax of the logits, float32 {@code [batch, 3]}. */
  public static final String PROBABILITIES = "probabilities";
  /** Output of {@link #classifier()}: float32 {@code [batch, 3]}. */
  public static final String LOGITS = "logits";

  /**
   * Weights of {@link #classifier()}, {@code [4, 3]} row-major: logits = features x W + B, so for
   * features {@code (a, b, c, d)} the logits are {@code (a + d, b + d + 0.5, c + d - 1)}.
   */
  public static final float[] CLASSIFIER_WEIGHTS = {
    1, 0, 0,
    0, 1, 0,
    0, 0, 1,
    1, 1, 1,
  };
  /** Bias of {@link #classifier()}. */
  public static final float[] CLASSIFIER_BIAS = {0f, 0.5f, -1f};

  /** Input of {@link #int64Doubler()}: int64 {@code [1, 4]}. */
  public static final String IDS = "ids";
  /** Output of {@link #int64Doubler()}: {@code ids + ids}, int64 {@code [1, 4]}. */
  public static final String DOUBLED = "doubled";
  /** Output of {@link #int64Doubler()}: the sum of all ids, int64 {@code [1, 1]}. */
  public static final String SUM = "sum";

  /** Second output of {@link #textClassifier}: the shape of its {@code input_ids}, int64 {@code [2]}. */
  public static final String INPUT_SHAPE = "input_shape";

  private TinyModels() {}

  /**
   * A 2-class bag-of-words text classifier over a BERT vocabulary: {@code input_ids},
   * {@code attention_mask} and {@code token_type_ids} (int64 [batch, tokens]; the last two
   * unused) to {@code probabilities} float32 [batch, 2], the softmax of the mean of each token's
   * two seeded random logits; and {@link #INPUT_SHAPE}, the shape of the ids it was given.
   *
   * @param withTypeIds whether it declares {@code token_type_ids}
   */
  public static byte[] textClassifier(int vocabSize, long seed, boolean withTypeIds) {
    java.util.Random r = new java.util.Random(seed);
    float[] table = new float[vocabSize * 2];
    for (int i = 0; i < table.length; i++) {
      table[i] = (float) (r.nextGaussian() * 3);
    }
    GraphProto.Builder g = GraphProto.newBuilder().setName("tiny-text-classifier");
    g.addInput(valueInfo("input_ids", TensorProto.DataType.INT64, -1, "tokens"));
    g.addInput(valueInfo("attention_mask", TensorProto.DataType.INT64, -1, "tokens"));
    if (withTypeIds) {
      g.addInput(valueInfo("token_type_ids", TensorProto.DataType.INT64, -1, "tokens"));
    }
    g.addInitializer(floatTensor("table", table, vocabSize, 2));
    g.addNode(node("Gather", "lookup", new String[] {"table", "input_ids"}, new String[] {"token_logits"}));
    g.addNode(node("ReduceMean", "mean", new String[] {"token_logits"}, new String[] {LOGITS}).toBuilder()
        .addAttribute(ai.onnx.proto.OnnxMl.AttributeProto.newBuilder().setName("axes")
            .setType(ai.onnx.proto.OnnxMl.AttributeProto.AttributeType.INTS).addInts(1))
        .addAttribute(intAttribute("keepdims", 0)).build());
    g.addNode(node("Softmax", "softmax", new String[] {LOGITS}, new String[] {PROBABILITIES})
        .toBuilder().addAttribute(intAttribute("axis", 1)).build());
    g.addNode(node("Shape", "shape", new String[] {"input_ids"}, new String[] {INPUT_SHAPE}));
    g.addOutput(valueInfo(PROBABILITIES, TensorProto.DataType.FLOAT, -1, 2));
    g.addOutput(valueInfo(INPUT_SHAPE, TensorProto.DataType.INT64, 2));
    return model(g);
  }

  /**
   * A 3-class linear classifier: {@code features float32[batch, 4]} through Gemm to
   * {@code logits float32[batch, 3]}, and Softmax (axis 1) to {@code probabilities}. Outputs in
   * order: probabilities, logits.
   */
  public static byte[] classifier() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("tiny-classifier");
    g.addInput(valueInfo(FEATURES, TensorProto.DataType.FLOAT, -1, 4));
    g.addInitializer(floatTensor("W", CLASSIFIER_WEIGHTS, 4, 3));
    g.addInitializer(floatTensor("B", CLASSIFIER_BIAS, 3));
    g.addNode(node("Gemm", "gemm", new String[] {FEATURES, "W", "B"}, new String[] {LOGITS}));
    g.addNode(node("Softmax", "softmax", new String[] {LOGITS}, new String[] {PROBABILITIES})
        .toBuilder().addAttribute(intAttribute("axis", 1)).build());
    g.addOutput(valueInfo(PROBABILITIES, TensorProto.DataType.FLOAT, -1, 3));
    g.addOutput(valueInfo(LOGITS, TensorProto.DataType.FLOAT, -1, 3));
    return model(g);
  }

  /**
   * An int64 model: {@code ids int64[1, 4]} to {@code doubled = ids + ids} ({@code [1, 4]}) and
   * {@code sum} of all ids ({@code [1, 1]}). Integer Add and ReduceSum are operators that
   * XNNPACK does not take, which makes this model a strict-mode refusal case.
   */
  public static byte[] int64Doubler() {
    GraphProto.Builder g = GraphProto.newBuilder().setName("tiny-int64");
    g.addInput(valueInfo(IDS, TensorProto.DataType.INT64, 1, 4));
    g.addNode(node("Add", "add", new String[] {IDS, IDS}, new String[] {DOUBLED}));
    g.addNode(node("ReduceSum", "sum", new String[] {IDS}, new String[] {SUM})
        .toBuilder().addAttribute(intAttribute("keepdims", 1)).build());
    g.addOutput(valueInfo(DOUBLED, TensorProto.DataType.INT64, 1, 4));
    g.addOutput(valueInfo(SUM, TensorProto.DataType.INT64, 1, 1));
    return model(g);
  }

  /**
   * {@code y = Identity(x)} for one element type; a negative dimension in {@code shape} is
   * dynamic.
   */
  public static byte[] identity(ElementType type, long... shape) {
    return identity(onnxType(type), shape);
  }

  /** An Identity model over float64, a type Tandem tensors do not carry. */
  public static byte[] float64Identity() {
    return identity(TensorProto.DataType.DOUBLE, 1, 2);
  }

  /** Writes {@code tiny-classifier.onnx} and {@code tiny-int64.onnx} into the folder {@code args[0]}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: TinyModels <output folder>");
    }
    Path dir = Files.createDirectories(Paths.get(args[0]));
    Files.write(dir.resolve("tiny-classifier.onnx"), classifier());
    Files.write(dir.resolve("tiny-int64.onnx"), int64Doubler());
  }

  private static byte[] identity(TensorProto.DataType type, long... shape) {
    GraphProto.Builder g = GraphProto.newBuilder().setName("identity-" + type.name().toLowerCase(java.util.Locale.ROOT));
    g.addInput(valueInfo("x", type, shape));
    g.addNode(node("Identity", "identity", new String[] {"x"}, new String[] {"y"}));
    g.addOutput(valueInfo("y", type, shape));
    return model(g);
  }

  private static TensorProto.DataType onnxType(ElementType type) {
    switch (type) {
      case FLOAT32:
        return TensorProto.DataType.FLOAT;
      case INT64:
        return TensorProto.DataType.INT64;
      case INT32:
        return TensorProto.DataType.INT32;
      case UINT8:
        return TensorProto.DataType.UINT8;
      case INT8:
        return TensorProto.DataType.INT8;
      default:
        throw new IllegalArgumentException("no ONNX type for " + type);
    }
  }
}
