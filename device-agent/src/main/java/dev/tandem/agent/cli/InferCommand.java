package dev.tandem.agent.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Inputs;
import dev.tandem.runtime.model.InvalidInputException;
import dev.tandem.runtime.model.ModelLoadException;
import dev.tandem.runtime.model.ModelRunException;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.ProviderAttempt;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.model.TensorSpec;
import dev.tandem.runtime.signal.ClassificationScorer;
import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.runtime.signal.Signals;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tandem-agent infer}: loads a model, runs it once on the given inputs and prints JSON
 * lines: first the model (hash, active provider, provider attempts, declared inputs and outputs,
 * run time), then one line per output with its type, shape, values and, for float32 outputs of
 * rank 1 or 2, the confidence signals of each row.
 *
 * <p>Exit status: 0 on success, 1 when the model cannot be loaded or run or the inputs do not
 * match it (the message names the input), 2 on a malformed command line.
 */
@Command(
    name = "infer",
    mixinStandardHelpOptions = true,
    description = "Run an ONNX model once and print its outputs and their confidence signals as JSON lines.")
final class InferCommand implements Callable<Integer> {
  private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

  @Spec
  CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "The .onnx model file.")
  Path model;

  @Option(names = "--input", paramLabel = "NAME:TYPE[DIMS]=VALUES",
      description = "An input, e.g. 'ids:int64[1,4]=1,2,3,4'; types float32, int64, int32, uint8, int8. Repeat for each input.")
  List<String> inputs = new ArrayList<>();

  @Option(names = "--providers", split = ",", paramLabel = "P",
      description = "Execution providers in order of preference (qnn, nnapi, xnnpack, coreml, cuda, tensorrt, cpu). Default: cpu.")
  List<String> providers = Collections.singletonList("cpu");

  @Option(names = "--strict", description = "Fail a provider that cannot take the whole graph instead of falling back to CPU per node.")
  boolean strict;

  @Option(names = "--threads", defaultValue = "1", description = "Intra-op threads (0 = ONNX Runtime's default). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(names = "--softmax", defaultValue = "auto", paramLabel = "auto|on|off",
      description = "Whether outputs are logits to put through softmax for the signals. Default: ${DEFAULT-VALUE}.")
  String softmax;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Inputs.Builder builder = Inputs.builder();
    List<ExecutionProvider> preference = new ArrayList<>();
    ClassificationScorer scorer;
    try {
      for (String s : inputs) {
        InputSpec.addTo(builder, s);
      }
      for (String p : providers) {
        preference.add(ExecutionProvider.fromJsonName(p.trim()));
      }
      scorer = scorer(softmax);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    List<Tensor> in = builder.build();
    try (ModelSession session = ModelSession.builder().path(model).providers(preference).strict(strict)
        .intraOpThreads(threads).build()) {
      long start = System.nanoTime();
      List<Tensor> outputs = session.run(in);
      double runMs = (System.nanoTime() - start) / 1e6;
      out.println(GSON.toJson(modelLine(session, runMs)));
      for (Tensor t : outputs) {
        out.println(GSON.toJson(outputLine(t, scorer)));
      }
      out.flush();
      return 0;
    } catch (InvalidInputException | ModelLoadException | ModelRunException e) {
      err.println("error: " + e.getMessage());
      err.flush();
      return 1;
    }
  }

  private JsonObject modelLine(ModelSession session, double runMs) {
    JsonObject line = new JsonObject();
    line.addProperty("model", model.toString());
    line.addProperty("sha256", session.info().sha256());
    line.addProperty("provider", session.activeProvider().jsonName());
    JsonArray attempts = new JsonArray();
    for (ProviderAttempt a : session.providerAttempts()) {
      JsonObject o = new JsonObject();
      o.addProperty("provider", a.provider().jsonName());
      o.addProperty("active", a.active());
      if (!a.active()) {
        o.addProperty("reason", a.reason());
      }
      attempts.add(o);
    }
    line.add("attempts", attempts);
    line.add("inputs", specs(session.info().inputs()));
    line.add("outputs", specs(session.info().outputs()));
    line.addProperty("run_ms", Math.round(runMs * 1000) / 1000.0);
    return line;
  }

  private static JsonArray specs(List<TensorSpec> specs) {
    JsonArray a = new JsonArray();
    for (TensorSpec s : specs) {
      JsonObject o = new JsonObject();
      o.addProperty("name", s.name());
      o.addProperty("type", s.type().wireName());
      o.add("shape", longs(s.shape()));
      a.add(o);
    }
    return a;
  }

  static JsonObject outputLine(Tensor t, ClassificationScorer scorer) {
    JsonObject line = new JsonObject();
    line.addProperty("output", t.name());
    line.addProperty("type", t.type().wireName());
    line.add("shape", longs(t.shape()));
    line.add("values", values(t));
    if (t.type() == ElementType.FLOAT32 && (t.rank() == 1 || t.rank() == 2) && t.elementCount() > 0) {
      JsonArray signals = new JsonArray();
      int rows = t.rank() == 1 ? 1 : (int) t.dim(0);
      int cols = (int) (t.elementCount() / Math.max(rows, 1));
      float[] all = t.toFloatArray();
      for (int r = 0; r < rows; r++) {
        float[] row = new float[cols];
        System.arraycopy(all, r * cols, row, 0, cols);
        signals.add(signals(scorer.score(Collections.singletonList(Tensor.ofFloats(t.name(), row)))));
      }
      line.add("signals", signals);
    }
    return line;
  }

  private static JsonObject signals(Signals s) {
    JsonObject o = new JsonObject();
    o.addProperty("top1", s.top1());
    o.addProperty(SignalKind.MAX_PROB.jsonName(), s.maxProb());
    o.addProperty(SignalKind.MARGIN.jsonName(), s.margin());
    o.addProperty(SignalKind.ENTROPY.jsonName(), s.entropy());
    JsonArray p = new JsonArray();
    for (float x : s.probabilities()) {
      p.add(x);
    }
    o.add("probabilities", p);
    return o;
  }

  private static JsonArray values(Tensor t) {
    JsonArray a = new JsonArray();
    ByteBuffer b = t.data();
    switch (t.type()) {
      case FLOAT32:
        for (float v : t.toFloatArray()) {
          a.add(v);
        }
        break;
      case INT64:
        for (long v : t.toLongArray()) {
          a.add(v);
        }
        break;
      case INT32:
        for (int v : t.toIntArray()) {
          a.add(v);
        }
        break;
      case UINT8:
        while (b.hasRemaining()) {
          a.add(b.get() & 0xff);
        }
        break;
      default:
        while (b.hasRemaining()) {
          a.add(b.get());
        }
    }
    return a;
  }

  private static JsonArray longs(long[] v) {
    JsonArray a = new JsonArray();
    for (long x : v) {
      a.add(x);
    }
    return a;
  }

  /** The scorer for {@code --softmax}: {@code on} logits, {@code off} probabilities, {@code auto} by their values. */
  static ClassificationScorer scorer(String softmax) {
    switch (softmax.toLowerCase(Locale.ROOT)) {
      case "on":
        return ClassificationScorer.firstOutput().logits();
      case "off":
        return ClassificationScorer.firstOutput().probabilities();
      case "auto":
        return ClassificationScorer.firstOutput();
      default:
        throw new IllegalArgumentException("--softmax must be auto, on or off, was '" + softmax + "'");
    }
  }
}
