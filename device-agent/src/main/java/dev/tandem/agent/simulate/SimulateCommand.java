package dev.tandem.agent.simulate;

import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.model.ModelInfo;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.TensorSpec;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.text.TextInput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tandem-agent simulate}: a fleet of virtual devices replaying a JSON-lines data set
 * against a real broker, relay and collector, with device and network profiles; a progress bar
 * while it runs, a summary table at the end. See docs/simulate.md.
 *
 * <pre>
 * tandem-agent simulate --broker tcp://127.0.0.1:1883 --model tiny-classifier.onnx --data data.jsonl \
 *     --devices 200 --duration 5m
 * </pre>
 *
 * Exit status 0 when every input was decided and every spool drained to the collector, 1
 * otherwise, 2 on a usage error.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
        "Runs N virtual devices in one process against a real broker and relay, replaying a JSON-lines data set.",
        "With --generate ROWS, writes a data set of random tensors for --model to --data and exits."})
public final class SimulateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--broker", paramLabel = "URL", description = "The broker, tcp://host:port (required unless --generate).")
  String broker;

  @Option(names = "--model", required = true, paramLabel = "FILE", description = "The edge model (.onnx), one session shared by every device.")
  Path model;

  @Option(names = "--model-name", defaultValue = "tiny", paramLabel = "NAME",
      description = "The model's name at the relay (default: ${DEFAULT-VALUE}).")
  String modelName;

  @Option(names = "--data", required = true, paramLabel = "FILE",
      description = "JSON lines {\"id\", \"text\" | \"inputs\", \"label\"?}: the inputs the devices replay.")
  Path data;

  @Option(names = "--generate", paramLabel = "ROWS", defaultValue = "0",
      description = "Write ROWS lines of seeded random tensors for --model to --data, then exit.")
  int generate;

  @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json for \"text\" lines (WordPiece).")
  Path tokenizer;

  @Option(names = "--max-tokens", defaultValue = "128", paramLabel = "N",
      description = "Longest token sequence kept for text (default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--cloud-tokenizer", paramLabel = "FILE",
      description = "The cloud model's tokenizer.json: an offloaded text goes to the cloud as its own input"
          + " (built only on offload). Default: the cloud gets the edge's tensors.")
  Path cloudTokenizer;

  @Option(names = "--cloud-max-tokens", defaultValue = "256", paramLabel = "N",
      description = "Longest token sequence the cloud gets, with --cloud-tokenizer (default: ${DEFAULT-VALUE}).")
  int cloudMaxTokens;

  @Option(names = "--labels", paramLabel = "NAMES",
      description = "Class names in the model's output order (ham,spam), for labels given as names."
          + " Default: the model's tandem.labels metadata.")
  String labels;

  @Option(names = "--feedback-share", defaultValue = "1.0", paramLabel = "SHARE",
      description = "Share of labelled decisions whose label a device reports, in [0, 1] (default: ${DEFAULT-VALUE}).")
  double feedbackShare;

  @Option(names = "--messages", defaultValue = "0", paramLabel = "N",
      description = "Replay the data set's first N lines in order, each once (cycling when it has fewer),"
          + " instead of random draws; --duration is then a cap. 0: random draws (default).")
  int messages;

  @Option(names = "--follow-policy",
      description = "Devices follow the fleet's retained policy topic and apply newer policies, as agents do.")
  boolean followPolicy;

  @Option(names = "--policy", paramLabel = "FILE",
      description = "Policy JSON. Default: cascade on max_prob < 0.8, deadline 300 ms, for this edge model.")
  Path policy;

  @Option(names = "--prices", paramLabel = "FILE",
      description = "Prices JSON (docs/policy.md); each device's power draw comes from its profile. Default: all 0.")
  Path prices;

  @Option(names = "--devices", defaultValue = "10", paramLabel = "N", description = "Devices (default: ${DEFAULT-VALUE}).")
  int devices;

  @Option(names = "--duration", defaultValue = "60s", paramLabel = "TIME",
      description = "How long the devices decide: 90s, 5m, 1500ms (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--rate", defaultValue = "1.0", paramLabel = "PER_S",
      description = "Inputs per second per device, Poisson arrivals (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--network-mix", defaultValue = "wifi=0.5,4g=0.3,3g=0.1,4g-flaky=0.1", paramLabel = "MIX",
      description = "Network profiles and their shares; built in: wifi, 4g, 3g, 4g-flaky (default: ${DEFAULT-VALUE}).")
  String networkMix;

  @Option(names = "--device-mix", defaultValue = "flagship=0.3,midrange=0.5,lowend=0.2", paramLabel = "MIX",
      description = "Device profiles and their shares; built in: flagship, midrange, lowend (default: ${DEFAULT-VALUE}).")
  String deviceMix;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of profiles, inputs and exploration (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--work-dir", paramLabel = "DIR", description = "Where the devices' spools go (default: a new temporary folder).")
  Path workDir;

  @Option(names = "--device-prefix", paramLabel = "PREFIX",
      description = "Device ids are PREFIX0000, PREFIX0001, ... (default: sim-<run id>-, unique per run).")
  String devicePrefix;

  @Option(names = "--fleet", defaultValue = "sim", description = "Fleet name in the records (default: ${DEFAULT-VALUE}).")
  String fleet;

  @Option(names = "--topic-prefix", defaultValue = "tandem/v1", description = "Topic prefix (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--no-upload", description = "Do not upload spools to the collector.")
  boolean noUpload;

  @Option(names = "--no-feedback", description = "Do not report the data set's labels as feedback.")
  boolean noFeedback;

  @Option(names = "--no-progress", description = "No progress bar.")
  boolean noProgress;

  @Option(names = "--threads", defaultValue = "1",
      description = "Intra-op threads of the shared edge session (0 = ONNX Runtime's default; default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--drain-timeout", defaultValue = "60s", paramLabel = "TIME",
      description = "How long to wait at the end for the collector to acknowledge every spool (default: ${DEFAULT-VALUE}).")
  String drainTimeout;

  @Override
  public Integer call() throws Exception {
    try {
      if (generate > 0) {
        return generate();
      }
      if (broker == null) {
        throw new ParameterException(spec.commandLine(), "--broker is required (or --generate)");
      }
      DataSet ds = DataSet.read(data, textInputs(), labels != null ? ModelLabels.parse(labels) : ModelLabels.of(model));
      String hash;
      try (ModelSession s = ModelSession.builder().path(model).intraOpThreads(1).build()) {
        hash = s.info().sha256();
      }
      Policy pol = policy != null ? Policy.fromJson(read(policy)) : Policy.fromJson(defaultPolicy(modelName, hash));
      Path dir = workDir != null ? workDir : Files.createTempDirectory("tandem-simulate-");
      String prefix = devicePrefix != null ? devicePrefix
          : "sim-" + Long.toString(System.currentTimeMillis() / 1000, 36) + "-";
      FleetSimulation.Options o = new FleetSimulation.Options().edgeModel(model).modelName(modelName).brokerUrl(broker)
          .dataSet(ds).policy(pol).prices(prices == null ? Prices.none() : Prices.fromJson(read(prices)))
          .workDir(dir).devices(devices).durationMs(millis("--duration", duration)).ratePerDevice(rate)
          .networkMix(Mix.parse("--network-mix", networkMix)).deviceMix(Mix.parse("--device-mix", deviceMix))
          .seed(seed).fleet(fleet).devicePrefix(prefix).topics(Topics.withPrefix(topicPrefix))
          .upload(!noUpload).feedback(!noFeedback).feedbackShare(feedbackShare).replay(messages)
          .followPolicy(followPolicy).intraOpThreads(threads)
          .drainTimeoutMs(millis("--drain-timeout", drainTimeout)).progress(noProgress ? null : System.err);
      System.out.printf(Locale.ROOT, "simulate: %d devices x %s at %.2f inputs/s each against %s; %d inputs from %s%s;"
          + " spools in %s; device ids %s0000...%n", devices, duration, rate, broker, ds.size(), data,
          messages > 0 ? " (replaying " + messages + " in order)" : "", dir, prefix);
      FleetSimulation.Result r = new FleetSimulation(o).run();
      System.out.println();
      System.out.print(r.summary());
      System.out.flush();
      return r.stats().errors() == 0 && r.notDrained() == 0 ? 0 : 1;
    } catch (IllegalArgumentException e) {
      System.err.println("simulate: " + e.getMessage());
      return 2;
    }
  }

  /** How text lines become inputs; {@code null} without --tokenizer. */
  private TextInputs textInputs() throws java.io.IOException {
    if (tokenizer == null) {
      if (cloudTokenizer != null) {
        throw new IllegalArgumentException("--cloud-tokenizer needs --tokenizer (the edge model's)");
      }
      return null;
    }
    TextInput edge = TextInput.fromFile(tokenizer, maxTokens);
    return cloudTokenizer == null ? TextInputs.edgeOnly(edge)
        : TextInputs.of(edge, TextInput.fromFile(cloudTokenizer, cloudMaxTokens));
  }

  private int generate() throws Exception {
    try (ModelSession s = ModelSession.builder().path(model).intraOpThreads(1).build()) {
      ModelInfo info = s.info();
      DataSet.writeRandom(data, info, generate, classes(info), seed);
      System.out.printf(Locale.ROOT, "wrote %d random inputs for %s to %s%n", generate, model, data);
    }
    return 0;
  }

  /** Labels for generated rows: the first output's last dimension when fixed (class probabilities), else none. */
  private static int classes(ModelInfo info) {
    if (info.outputs().isEmpty()) {
      return 0;
    }
    TensorSpec out = info.outputs().get(0);
    long[] shape = out.shape();
    long last = shape.length == 0 ? -1 : shape[shape.length - 1];
    return last > 1 && last < 100_000 ? (int) last : 0;
  }

  /** The default policy: cascade below 0.8 max probability, 300 ms deadline, made for this edge model. */
  static String defaultPolicy(String model, String edgeHash) {
    return "{\"schema\": 1, \"version\": 1, \"model\": \"" + model + "\", \"edge_model_hash\": \"" + edgeHash
        + "\", \"mode\": \"cascade\", \"signal\": \"max_prob\", \"threshold\": 0.8, \"deadline_ms\": 300}";
  }

  /**
   * Parses {@code 90s}, {@code 5m}, {@code 1500ms}, {@code 1h}; a bare number is seconds.
   *
   * @throws IllegalArgumentException naming the option
   */
  static long millis(String option, String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1000;
    String num = t;
    if (t.endsWith("ms")) {
      unit = 1;
      num = t.substring(0, t.length() - 2);
    } else if (t.endsWith("s")) {
      num = t.substring(0, t.length() - 1);
    } else if (t.endsWith("m")) {
      unit = 60_000;
      num = t.substring(0, t.length() - 1);
    } else if (t.endsWith("h")) {
      unit = 3_600_000;
      num = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(num.trim());
      if (!(v > 0) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return Math.max(1, (long) (v * unit));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + ": '" + text + "' is not a positive time like 90s, 5m or 1500ms");
    }
  }

  private static String read(Path p) throws java.io.IOException {
    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
  }
}
