package dev.tandem.agent.smoke;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.model.TensorSpec;
import dev.tandem.runtime.text.TextInput;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A smoke test of the device agent's inference path on one machine: the edge model through the
 * runtime's {@link ModelSession} and pure-Java WordPiece tokenizer ({@code TextInput}), one message at a time,
 * unpadded, as a device runs it. {@code run} writes one JSON line per message (see {@link
 * SmokeRecords}); {@code compare} checks two such files against each other (top-1 equal on every
 * message, every value within a tolerance) and exits 1 if they disagree. {@code trace} records
 * every float intermediate of one message's run ({@link IntermediateTrace}) and {@code
 * trace-compare} shows where two such traces part ({@link TraceComparison}).
 *
 * <p>{@code scripts/arm64-smoke.sh} runs it on x86-64 natively and on arm64 under qemu user-mode
 * emulation and compares the two (docs/arm64.md).
 */
@Command(
    name = "smoke-test",
    mixinStandardHelpOptions = true,
    subcommands = {SmokeTest.Run.class, SmokeTest.Compare.class, SmokeTest.Trace.class,
        SmokeTest.TraceCompare.class},
    description = "Runs the edge model on messages and compares runs (e.g. x86-64 vs arm64).")
public final class SmokeTest implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new SmokeTest()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "give a subcommand: run, compare, trace or trace-compare");
  }

  /** Where the model, its tokenizer and the messages come from: a reference build, or files. */
  static final class ModelSource {
    @Option(names = "--build", description = "a reference build folder (with models.json), e.g. ~/.cache/tandem/models/<key>")
    Path build;

    @Option(names = "--name", defaultValue = "edge", description = "the model of the build (default ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--messages", description = "JSON lines with id and text (default with --build: its test.jsonl)")
    Path messages;

    @Option(names = "--model", description = "the edge model (ONNX)")
    Path model;

    @Option(names = "--tokenizer", description = "its tokenizer.json (WordPiece)")
    Path tokenizer;

    @Option(names = "--max-tokens", description = "truncation length (default: the build's, else 128)")
    Integer maxTokens;

    /** The truncation length, once resolved. */
    int tokens;

    /**
     * Fills in what --build gives and the options leave open.
     *
     * @throws CommandLine.ParameterException when neither --build nor all three files are given
     */
    void resolve(Object command) throws IOException {
      tokens = maxTokens != null ? maxTokens : 128;
      if (build != null) {
        BuildEntry e = BuildEntry.read(build, name);
        model = model != null ? model : e.model;
        tokenizer = tokenizer != null ? tokenizer : e.tokenizer;
        messages = messages != null ? messages : build.resolve("test.jsonl");
        tokens = maxTokens != null ? maxTokens : e.maxTokens;
      }
      if (model == null || tokenizer == null || messages == null) {
        throw new CommandLine.ParameterException(new CommandLine(command),
            "give --build, or all of --model, --tokenizer and --messages");
      }
    }
  }

  @Command(name = "run", mixinStandardHelpOptions = true,
      description = {"Runs the model on each message of a JSON-lines file ({\"id\":..,\"text\":..}, optional \"group\").",
          "Give --build (a reference build folder: its edge model, tokenizer and test part)",
          "or --model, --tokenizer and --messages."})
  static final class Run implements Callable<Integer> {
    @CommandLine.Mixin ModelSource source;

    @Option(names = "--out", required = true, description = "where to write the results (JSON lines)")
    Path out;

    @Option(names = "--limit", defaultValue = "300", description = "messages to run (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--threads", defaultValue = "1", description = "intra-op threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--output", description = "the output to record (default: 'probabilities' if the model has it, else its first)")
    String output;

    @Override
    public Integer call() throws IOException {
      source.resolve(this);
      Path model = source.model;
      Path tokenizer = source.tokenizer;
      Path messages = source.messages;
      int tokens = source.tokens;
      List<Message> msgs = readMessages(messages, limit);
      long start = System.nanoTime();
      long[] ms = new long[msgs.size()];
      try (ModelSession session = ModelSession.builder().path(model).intraOpThreads(threads).build();
          Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        TextInput text = TextInput.fromFile(tokenizer, tokens).forModel(session.info());
        int outputIndex = outputIndex(session.info().outputs(), output);
        for (int i = 0; i < msgs.size(); i++) {
          Message m = msgs.get(i);
          long t0 = System.nanoTime();
          float[] values = values(session.run(text.tensors(m.text)).get(outputIndex));
          ms[i] = System.nanoTime() - t0;
          SmokeRecords.write(w, SmokeRecord.of(m.id, values));
        }
      }
      double total = (System.nanoTime() - start) / 1e9;
      Arrays.sort(ms);
      System.err.printf(Locale.ROOT, "%s: %d messages in %.1f s, p50 %.1f ms/message%n",
          System.getProperty("os.arch"), msgs.size(), total,
          ms.length == 0 ? 0.0 : ms[ms.length / 2] / 1e6);
      return 0;
    }
  }

  @Command(name = "compare", mixinStandardHelpOptions = true,
      description = "Compares two result files; exit 0 if they agree, 1 if not.")
  static final class Compare implements Callable<Integer> {
    @Parameters(index = "0", description = "reference results (e.g. x86-64)")
    Path reference;

    @Parameters(index = "1", description = "candidate results (e.g. arm64)")
    Path candidate;

    @Option(names = "--tolerance", defaultValue = "1e-3", description = "max |difference| per value (default ${DEFAULT-VALUE})")
    double tolerance;

    @Override
    public Integer call() throws IOException {
      SmokeComparison c = SmokeComparison.of(
          SmokeRecords.read(reference), SmokeRecords.read(candidate), tolerance);
      PrintWriter pw = new PrintWriter(System.out, true);
      pw.print(c.report());
      pw.flush();
      return c.passed() ? 0 : 1;
    }
  }

  @Command(name = "trace", mixinStandardHelpOptions = true,
      description = {"Runs the model on one message and writes every float intermediate of its",
          "optimized graph (ONNX Runtime, all optimizations, then run node by node with 1 thread).",
          "Give --build, or --model, --tokenizer and --messages."})
  static final class Trace implements Callable<Integer> {
    @CommandLine.Mixin ModelSource source;

    @Option(names = "--id", required = true, description = "the message to trace (group/id as `run` writes it)")
    String id;

    @Option(names = "--out", required = true, description = "where to write the trace (binary)")
    Path out;

    @Override
    public Integer call() throws IOException {
      source.resolve(this);
      Path messages = source.messages;
      Message message = null;
      for (Message m : readMessages(messages, Integer.MAX_VALUE)) {
        if (m.id.equals(id)) {
          message = m;
          break;
        }
      }
      if (message == null) {
        throw new CommandLine.ParameterException(new CommandLine(this),
            "--id '" + id + "' is not in " + messages);
      }
      TextInput text = TextInput.fromFile(source.tokenizer, source.tokens);
      long t0 = System.nanoTime();
      TraceDump dump = IntermediateTrace.run(source.model, text.tensors(message.text), id);
      dump.write(out);
      System.err.printf(Locale.ROOT, "%s: traced '%s': %d float tensors in %.1f s -> %s%n",
          dump.arch, id, dump.tensors.size(), (System.nanoTime() - t0) / 1e9, out);
      return 0;
    }
  }

  @Command(name = "trace-compare", mixinStandardHelpOptions = true,
      description = {"Compares two traces tensor by tensor in graph order and names the first",
          "tensor that differs and the first that differs by more than --threshold.",
          "Exit 0 when the traces are bit-identical, 1 when they differ."})
  static final class TraceCompare implements Callable<Integer> {
    @Parameters(index = "0", description = "reference trace (e.g. x86-64)")
    Path reference;

    @Parameters(index = "1", description = "candidate trace (e.g. arm64)")
    Path candidate;

    @Option(names = "--threshold", defaultValue = "1e-4",
        description = "report the first tensor differing by more than this (default ${DEFAULT-VALUE})")
    double threshold;

    @Override
    public Integer call() throws IOException {
      TraceComparison c = TraceComparison.of(TraceDump.read(reference), TraceDump.read(candidate), threshold);
      PrintWriter pw = new PrintWriter(System.out, true);
      pw.print(c.report());
      pw.flush();
      return c.identical() ? 0 : 1;
    }
  }

  /**
   * The values one message yields: a classifier's probabilities ([1, classes]) as they are; a
   * sentence encoder's token states ([1, tokens, width]) mean-pooled and L2-normalised, since
   * the message is unpadded.
   */
  static float[] values(Tensor output) {
    long[] shape = output.shape();
    float[] v = output.toFloatArray();
    if (shape.length == 2 && shape[0] == 1) {
      return v;
    }
    if (shape.length == 3 && shape[0] == 1) {
      int tokens = (int) shape[1];
      int width = (int) shape[2];
      float[] pooled = new float[width];
      for (int t = 0; t < tokens; t++) {
        for (int k = 0; k < width; k++) {
          pooled[k] += v[t * width + k];
        }
      }
      double norm = 0;
      for (int k = 0; k < width; k++) {
        pooled[k] /= tokens;
        norm += (double) pooled[k] * pooled[k];
      }
      float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
      for (int k = 0; k < width; k++) {
        pooled[k] *= inv;
      }
      return pooled;
    }
    throw new IllegalArgumentException("output '" + output.name() + "' has shape "
        + Arrays.toString(shape) + "; expected [1, classes] or [1, tokens, width]");
  }

  /** Index of the named output; without a name, of "probabilities" if declared, else 0. */
  static int outputIndex(List<TensorSpec> outputs, String name) {
    String want = name != null ? name : "probabilities";
    for (int i = 0; i < outputs.size(); i++) {
      if (outputs.get(i).name().equals(want)) {
        return i;
      }
    }
    if (name != null) {
      List<String> names = new ArrayList<>();
      for (TensorSpec s : outputs) {
        names.add(s.name());
      }
      throw new IllegalArgumentException("--output '" + name + "' is not an output of the model: " + names);
    }
    return 0;
  }

  /** One model of a reference build, as the build's {@code models.json} names it. */
  static final class BuildEntry {
    final Path model;
    final Path tokenizer;
    final int maxTokens;

    private BuildEntry(Path model, Path tokenizer, int maxTokens) {
      this.model = model;
      this.tokenizer = tokenizer;
      this.maxTokens = maxTokens;
    }

    static BuildEntry read(Path dir, String name) throws IOException {
      Path manifest = dir.resolve("models.json");
      if (!Files.exists(manifest)) {
        throw new IllegalArgumentException("--build " + dir + ": no models.json there");
      }
      JsonObject root;
      try (BufferedReader r = Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
        root = JsonParser.parseReader(r).getAsJsonObject();
      }
      List<String> names = new ArrayList<>();
      for (com.google.gson.JsonElement el : root.getAsJsonArray("models")) {
        JsonObject o = el.getAsJsonObject();
        String n = o.get("name").getAsString();
        names.add(n);
        if (n.equals(name)) {
          return new BuildEntry(dir.resolve(o.get("file").getAsString()),
              dir.resolve(o.get("tokenizer").getAsString()), o.get("maxTokens").getAsInt());
        }
      }
      throw new IllegalArgumentException(manifest + ": no model '" + name + "' (has " + names + ")");
    }
  }

  static final class Message {
    final String id;
    final String text;

    Message(String id, String text) {
      this.id = id;
      this.text = text;
    }
  }

  static List<Message> readMessages(Path file, int limit) throws IOException {
    if (limit < 1) {
      throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
    }
    List<Message> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while (out.size() < limit && (line = r.readLine()) != null) {
        n++;
        if (line.trim().isEmpty()) {
          continue;
        }
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        if (!o.has("id") || !o.has("text")) {
          throw new IllegalArgumentException(file + ":" + n + ": a message needs \"id\" and \"text\"");
        }
        // The corpus numbers messages per group: group/id is the unique name.
        String id = o.has("group")
            ? o.get("group").getAsString() + "/" + o.get("id").getAsString()
            : o.get("id").getAsString();
        out.add(new Message(id, o.get("text").getAsString()));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(file + ": no messages");
    }
    return out;
  }
}
