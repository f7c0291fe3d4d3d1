package dev.tandem.agent.smoke;

import static dev.tandem.runtime.testing.OnnxGraphs.floatTensor;
import static dev.tandem.runtime.testing.OnnxGraphs.intAttribute;
import static dev.tandem.runtime.testing.OnnxGraphs.model;
import static dev.tandem.runtime.testing.OnnxGraphs.node;
import static dev.tandem.runtime.testing.OnnxGraphs.valueInfo;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.testing.ReferenceModels;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class IntermediateTraceTest {
  @TempDir Path dir;

  /**
   * x float[1, 4] -> x * 1e-3 ("scaled") -> * 1000 ("amplified") -> Tanh ("squashed") ->
   * ReduceSum ("total", the graph output); Shape(x) is an int64 side output the trace leaves out.
   * A change of 1e-3 in x moves "scaled" by 1e-6 and "amplified" by 1e-3.
   */
  private Path chain() throws Exception {
    GraphProto.Builder g = GraphProto.newBuilder().setName("chain");
    g.addInput(valueInfo("x", TensorProto.DataType.FLOAT, 1, 4));
    g.addInitializer(floatTensor("small", new float[] {1e-3f}, 1));
    g.addInitializer(floatTensor("large", new float[] {1000f}, 1));
    g.addNode(node("Mul", "scale", new String[] {"x", "small"}, "scaled"));
    g.addNode(node("Mul", "amplify", new String[] {"scaled", "large"}, "amplified"));
    g.addNode(node("Tanh", "squash", new String[] {"amplified"}, "squashed"));
    g.addNode(node("Shape", "shape", new String[] {"x"}, "x_shape"));
    g.addNode(node("ReduceSum", "sum", new String[] {"squashed"}, "total")
        .toBuilder().addAttribute(intAttribute("keepdims", 1)).build());
    g.addOutput(valueInfo("total", TensorProto.DataType.FLOAT, 1, 1));
    g.addOutput(valueInfo("x_shape", TensorProto.DataType.INT64, 2));
    Path p = dir.resolve("chain.onnx");
    Files.write(p, model(g));
    return p;
  }

  private static List<Tensor> input(float... x) {
    return Collections.singletonList(Tensor.ofFloats("x", x, 1, 4));
  }

  @Test
  void run_recordsEveryFloatNodeOutput_inGraphOrder_andComputesTheModelsFunction() throws Exception {
    Path m = chain();
    float[] x = {0.1f, -0.2f, 0.5f, 1.5f};

    TraceDump dump = IntermediateTrace.run(m, input(x), "one");

    assertThat(dump.tensors).extracting(e -> e.name).containsExactly("scaled", "amplified", "squashed", "total");
    assertThat(dump.arch).isEqualTo(System.getProperty("os.arch"));
    assertThat(dump.id).isEqualTo("one");
    assertThat(dump.modelSha256).isEqualTo(IntermediateTrace.sha256(Files.readAllBytes(m)));
    assertThat(dump.graphSha256).hasSize(64);
    assertThat(dump.tensors.get(2).shape).containsExactly(1, 4);
    try (ModelSession s = ModelSession.builder().path(m).intraOpThreads(1).build()) {
      float[] expected = s.run(input(x)).get(0).toFloatArray();
      assertThat(dump.tensors.get(3).values).containsExactly(expected, Offset.offset(1e-6f));
    }
  }

  @Test
  void traceComparedWithItself_hasNoDifferences() throws Exception {
    Path m = chain();
    TraceDump a = IntermediateTrace.run(m, input(0.1f, -0.2f, 0.5f, 1.5f), "one");
    TraceDump b = IntermediateTrace.run(m, input(0.1f, -0.2f, 0.5f, 1.5f), "one");

    TraceComparison c = TraceComparison.of(a, b, 1e-4);

    assertThat(c.identical()).isTrue();
    assertThat(c.rows()).allSatisfy(r -> assertThat(r.differing).isZero());
    assertThat(c.firstDiffering()).isEmpty();
    assertThat(c.report())
        .contains("optimized graph sha256: identical")
        .contains("first differing tensor: none (every tensor is bit-identical)");
  }

  @Test
  void perturbedInput_showsTheFirstDifferingTensor_andTheFirstAboveTheThreshold() throws Exception {
    Path m = chain();
    TraceDump a = IntermediateTrace.run(m, input(0.1f, -0.2f, 0.5f, 1.5f), "one");
    TraceDump b = IntermediateTrace.run(m, input(0.1f, -0.2f, 0.501f, 1.5f), "one");

    TraceComparison c = TraceComparison.of(a, b, 1e-4);

    assertThat(c.identical()).isFalse();
    assertThat(c.firstDiffering()).hasValueSatisfying(r -> {
      assertThat(r.name).isEqualTo("scaled");
      assertThat(r.differing).isEqualTo(1);
      assertThat(r.maxAbsDiff).isCloseTo(1e-6, Offset.offset(1e-8));
    });
    assertThat(c.firstAboveThreshold()).hasValueSatisfying(r -> {
      assertThat(r.name).isEqualTo("amplified");
      assertThat(r.maxAbsDiff).isCloseTo(1e-3, Offset.offset(1e-5));
    });
    assertThat(c.report())
        .contains("first differing tensor: scaled (1 of 4 elements differ")
        .contains("first tensor differing by more than 1.0e-04: amplified");
  }

  @Test
  void commandLine_tracesAMessageById_andTraceCompareExitsZeroOnIdenticalTraces() throws Exception {
    // input_ids -> float -> * 0.5: a text model as small as it gets.
    GraphProto.Builder g = GraphProto.newBuilder().setName("ids");
    g.addInput(valueInfo("input_ids", TensorProto.DataType.INT64, 1, "tokens"));
    g.addInitializer(floatTensor("half", new float[] {0.5f}, 1));
    g.addNode(node("Cast", "cast", new String[] {"input_ids"}, "ids_f")
        .toBuilder().addAttribute(intAttribute("to", TensorProto.DataType.FLOAT.getNumber())).build());
    g.addNode(node("Mul", "mul", new String[] {"ids_f", "half"}, "halved"));
    g.addOutput(valueInfo("halved", TensorProto.DataType.FLOAT, 1, "tokens"));
    Path model = dir.resolve("ids.onnx");
    Files.write(model, model(g));
    Path tokenizer = dir.resolve("tokenizer.json");
    try (InputStream in = ReferenceModels.class.getClassLoader().getResourceAsStream(ReferenceModels.MINILM_TOKENIZER)) {
      Files.copy(in, tokenizer);
    }
    Path messages = dir.resolve("m.jsonl");
    Files.write(messages, ("{\"id\":\"1\",\"group\":\"ham\",\"text\":\"hello\"}\n"
        + "{\"id\":\"2\",\"group\":\"ham\",\"text\":\"hello world\"}\n").getBytes(StandardCharsets.UTF_8));
    Path out = dir.resolve("t.dump");

    int rc = new CommandLine(new SmokeTest()).execute("trace", "--model", model.toString(),
        "--tokenizer", tokenizer.toString(), "--messages", messages.toString(), "--id", "ham/2",
        "--out", out.toString());

    assertThat(rc).isZero();
    TraceDump dump = TraceDump.read(out);
    assertThat(dump.id).isEqualTo("ham/2");
    assertThat(dump.tensors).extracting(e -> e.name).containsExactly("ids_f", "halved");
    long[] ids = ReferenceModels.wholeWordIds("hello world");
    float[] halved = new float[ids.length];
    for (int i = 0; i < ids.length; i++) {
      halved[i] = ids[i] * 0.5f;
    }
    assertThat(dump.tensors.get(1).values).containsExactly(halved);

    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int same;
    try {
      System.setOut(new PrintStream(captured, true, "UTF-8"));
      same = new CommandLine(new SmokeTest()).execute("trace-compare", out.toString(), out.toString());
    } finally {
      System.setOut(stdout);
    }
    assertThat(same).isZero();
    assertThat(captured.toString("UTF-8")).contains("trace of 'ham/2'").contains("halved");
    assertThat(new CommandLine(new SmokeTest()).execute("trace", "--model", model.toString(),
        "--tokenizer", tokenizer.toString(), "--messages", messages.toString(), "--id", "ham/3",
        "--out", out.toString())).isNotZero();
  }

  @Test
  void dump_roundTripsThroughAFile() throws Exception {
    TraceDump d = new TraceDump("aarch64", "g/1", "aa", "bb", Arrays.asList(
        new TraceDump.Entry("t0", new long[] {1, 2}, new float[] {1.5f, Float.NaN}),
        new TraceDump.Entry("t1", new long[] {}, new float[] {-0f})));
    Path f = dir.resolve("d.dump");

    d.write(f);
    TraceDump r = TraceDump.read(f);

    assertThat(r.arch).isEqualTo("aarch64");
    assertThat(r.id).isEqualTo("g/1");
    assertThat(r.modelSha256).isEqualTo("aa");
    assertThat(r.graphSha256).isEqualTo("bb");
    assertThat(r.tensors).extracting(e -> e.name).containsExactly("t0", "t1");
    assertThat(r.tensors.get(0).shape).containsExactly(1, 2);
    assertThat(Float.floatToIntBits(r.tensors.get(0).values[1])).isEqualTo(Float.floatToIntBits(Float.NaN));
    assertThat(Float.floatToIntBits(r.tensors.get(1).values[0])).isEqualTo(Float.floatToIntBits(-0f));
    assertThat(TraceComparison.of(d, r, 1e-4).identical()).isTrue();
  }

  @Test
  void comparison_reportsMissingAndReshapedTensorsAsProblems() {
    TraceDump a = new TraceDump("amd64", "m", "s", "g", Arrays.asList(
        new TraceDump.Entry("same", new long[] {2}, new float[] {1, 2}),
        new TraceDump.Entry("reshaped", new long[] {2}, new float[] {1, 2}),
        new TraceDump.Entry("only_a", new long[] {1}, new float[] {1})));
    TraceDump b = new TraceDump("aarch64", "m", "s", "h", Arrays.asList(
        new TraceDump.Entry("same", new long[] {2}, new float[] {1, 2}),
        new TraceDump.Entry("reshaped", new long[] {1, 2}, new float[] {1, 2}),
        new TraceDump.Entry("only_b", new long[] {1}, new float[] {1})));

    TraceComparison c = TraceComparison.of(a, b, 1e-4);

    assertThat(c.rows()).extracting(r -> r.name).containsExactly("same");
    assertThat(c.problems()).hasSize(3)
        .anySatisfy(p -> assertThat(p).contains("'only_a' is only in the reference"))
        .anySatisfy(p -> assertThat(p).contains("'only_b' is only in the candidate"))
        .anySatisfy(p -> assertThat(p).contains("'reshaped' has shape [2] vs [1, 2]"));
    assertThat(c.identical()).isFalse();
    assertThat(c.report()).contains("optimized graph sha256: DIFFERENT (g vs h)");
  }
}
