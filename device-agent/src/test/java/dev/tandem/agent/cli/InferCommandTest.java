package dev.tandem.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.testing.TinyModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class InferCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = TandemAgent.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private List<JsonObject> lines() {
    List<JsonObject> lines = new ArrayList<>();
    for (String l : out.toString().split("\\R")) {
      if (!l.isEmpty()) {
        lines.add(JsonParser.parseString(l).getAsJsonObject());
      }
    }
    return lines;
  }

  private Path write(String name, byte[] model) throws Exception {
    return Files.write(dir.resolve(name), model);
  }

  @Test
  void infer_classifier_printsModelThenEachOutputWithSignals() throws Exception {
    Path model = write("tiny.onnx", TinyModels.classifier());
    int status = run("infer", "--model", model.toString(), "--input", "features:float32[1,4]=1,2,3,4");
    assertThat(status).as(err.toString()).isZero();
    List<JsonObject> lines = lines();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0).get("provider").getAsString()).isEqualTo("cpu");
    assertThat(lines.get(0).get("sha256").getAsString()).hasSize(64);

    JsonObject logits = lines.get(2);
    assertThat(logits.get("output").getAsString()).isEqualTo("logits");
    assertThat(logits.get("shape").toString()).isEqualTo("[1,3]");
    assertThat(logits.get("values").toString()).isEqualTo("[5.0,6.5,6.0]");
    JsonObject signals = logits.getAsJsonArray("signals").get(0).getAsJsonObject();
    double z = Math.exp(5) + Math.exp(6.5) + Math.exp(6);
    assertThat(signals.get("top1").getAsInt()).isEqualTo(1);
    assertThat(signals.get("max_prob").getAsDouble()).isCloseTo(Math.exp(6.5) / z, within(1e-6));
    assertThat(signals.get("margin").getAsDouble()).isCloseTo((Math.exp(6.5) - Math.exp(6)) / z, within(1e-6));

    // The probabilities output is scored as it is (auto), giving the same signals.
    JsonObject probs = lines.get(1).getAsJsonArray("signals").get(0).getAsJsonObject();
    assertThat(probs.get("max_prob").getAsDouble()).isCloseTo(signals.get("max_prob").getAsDouble(), within(1e-6));
  }

  @Test
  void infer_batchOfTwo_givesSignalsPerRow() throws Exception {
    Path model = write("tiny.onnx", TinyModels.classifier());
    assertThat(run("infer", "--model", model.toString(), "--input", "features:float32[2,4]=1,2,3,4,9,0,0,0")).isZero();
    JsonArray signals = lines().get(2).getAsJsonArray("signals");
    assertThat(signals).hasSize(2);
    assertThat(signals.get(1).getAsJsonObject().get("top1").getAsInt()).isEqualTo(0);
  }

  @Test
  void infer_int64Model_printsExactIntegers() throws Exception {
    Path model = write("int64.onnx", TinyModels.int64Doubler());
    assertThat(run("infer", "--model", model.toString(), "--input", "ids:int64[1,4]=1,2,3,4",
        "--providers", "xnnpack,cpu")).isZero();
    List<JsonObject> lines = lines();
    assertThat(lines.get(1).get("values").toString()).isEqualTo("[2,4,6,8]");
    assertThat(lines.get(1).has("signals")).isFalse();
    assertThat(lines.get(2).get("values").toString()).isEqualTo("[10]");
    assertThat(lines.get(0).getAsJsonArray("attempts")).hasSize(2);
  }

  @Test
  void infer_inputNotMatchingModel_exitsOneWithTheValidationMessage() throws Exception {
    Path model = write("int64.onnx", TinyModels.int64Doubler());
    assertThat(run("infer", "--model", model.toString(), "--input", "ids:int32[1,4]=1,2,3,4")).isEqualTo(1);
    assertThat(err.toString().trim()).isEqualTo(
        "error: input 'ids': given int32[1, 4], the model expects int64[1, 4]: element type int32 is not int64");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void infer_malformedInputSpec_exitsTwoNamingTheProblem() throws Exception {
    Path model = write("int64.onnx", TinyModels.int64Doubler());
    assertThat(run("infer", "--model", model.toString(), "--input", "ids=1,2")).isEqualTo(2);
    assertThat(err.toString()).contains("--input 'ids=1,2': expected name:type[dims]=values, e.g. ids:int64[1,4]=1,2,3,4");
    err.getBuffer().setLength(0);
    assertThat(run("infer", "--model", model.toString(), "--input", "ids:int64[1,4]=1,2,x,4")).isEqualTo(2);
    assertThat(err.toString()).contains("--input 'ids': For input string: \"x\" is not a int64 value");
  }

  @Test
  void topLevel_listsSubcommands() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("infer");
  }
}
