package dev.tandem.agent.config;

import com.google.gson.JsonObject;
import dev.tandem.runtime.capture.Capture;
import dev.tandem.runtime.internal.json.JsonFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The device agent's configuration, read from one JSON file (see docs/agent.md for every field
 * with its default). Immutable; {@link #parse} validates everything up front and fails with a
 * {@link ConfigException} naming the field, so a bad file stops the agent at start, not hours
 * later. Relative paths resolve against the config file's directory.
 */
public final class AgentConfig {
  /** How inputs are turned into the edge model's tensors. */
  public enum Preprocessing {
    /** JSON {@code {"text": ...}} through the WordPiece tokenizer of the model. */
    TEXT,
    /** JSON {@code {"inputs": [{"name", "type", "shape", "data"}]}}: raw tensors. */
    TENSOR
  }

  private final String deviceId;
  private final String fleet;
  private final String deviceClass;
  private final Model model;
  private final Text text;
  private final Preprocessing preprocessing;
  private final PolicySource policy;
  private final Broker broker;
  private final Offload offload;
  private final String pricesJson;
  private final Spool spool;
  private final Upload upload;
  private final Input input;
  private final Optional<Path> outputFile;
  private final DeviceStateConfig deviceState;
  private final Capture capture;

  private AgentConfig(JsonFields root, Path base) {
    root.allow("device_id", "fleet", "device_class", "model", "preprocessing", "policy", "broker",
        "offload", "prices", "spool", "upload", "input", "output", "device_state", "capture");
    deviceId = root.nonEmptyString("device_id");
    checkLevel("device_id", deviceId);
    fleet = root.nonEmptyString("fleet");
    checkLevel("fleet", fleet);
    deviceClass = root.string("device_class", "default");
    model = new Model(root.objectOrEmpty("model"), base);
    JsonFields pre = root.objectOrEmpty("preprocessing").allow("kind", "tokenizer", "max_length", "cloud_tokenizer",
        "cloud_max_length");
    preprocessing = pre.choice("kind", Preprocessing.TENSOR, Preprocessing.class);
    text = preprocessing == Preprocessing.TEXT ? new Text(pre, base) : null;
    policy = new PolicySource(root.objectOrEmpty("policy"), base);
    broker = root.has("broker") ? new Broker(root.objectOrEmpty("broker"), base) : null;
    offload = new Offload(root.objectOrEmpty("offload"), model.name);
    if (offload.enabled && broker == null) {
      throw new ConfigException("offload.enabled", "needs a broker section");
    }
    if (policy.subscribe && broker == null) {
      throw new ConfigException("policy.subscribe", "needs a broker section (or set it to false)");
    }
    if (!policy.file.isPresent() && !policy.subscribe) {
      throw new ConfigException("policy", "give a file, or subscribe to the fleet's policy topic");
    }
    JsonObject prices = root.objectOrEmpty("prices").raw();
    pricesJson = prices.toString();
    spool = new Spool(root.objectOrEmpty("spool"), base);
    upload = new Upload(root.objectOrEmpty("upload"));
    if (upload.enabled && broker == null) {
      throw new ConfigException("upload.enabled", "needs a broker section (or set it to false)");
    }
    input = new Input(root.objectOrEmpty("input"), base);
    JsonFields out = root.objectOrEmpty("output").allow("file");
    outputFile = out.has("file") && !out.string("file", "-").equals("-")
        ? Optional.of(resolve(out, base, "file", null)) : Optional.empty();
    deviceState = new DeviceStateConfig(root.objectOrEmpty("device_state"), base);
    capture = capture(root.objectOrEmpty("capture"), base, spool.dir());
  }

  /** {@code capture}: opt-in capture of selected decisions' inputs (off unless enabled). */
  private static Capture capture(JsonFields j, Path base, Path spoolDir) {
    j.allow("enabled", "offloaded", "shadow", "explored", "below_confidence", "retention_days", "dir");
    boolean enabled = j.bool("enabled", false);
    Capture.Builder b = Capture.builder().enabled(enabled)
        .offloaded(j.bool("offloaded", false))
        .shadow(j.bool("shadow", false))
        .explored(j.bool("explored", false))
        .belowConfidence(j.number("below_confidence", 0, 0, 1))
        .retention(Duration.ofDays(j.integer("retention_days", 7, 1, 3650)))
        .directory(resolve(j, base, "dir", spoolDir.resolve("captures")));
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new ConfigException("capture", e.getMessage());
    }
  }

  /** Capture of inputs for hard examples; {@link Capture#off()} unless the config enables it. */
  public Capture capture() {
    return capture;
  }

  /** Largest config file read: 1 MiB (a real one is a few KiB). */
  public static final long MAX_FILE_BYTES = 1 << 20;

  /**
   * Reads and validates a config file.
   *
   * @throws ConfigException naming the bad field
   * @throws IOException when the file cannot be read
   */
  public static AgentConfig load(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_FILE_BYTES) {
      throw new ConfigException("", "config file " + file + " is " + size + " bytes, over the limit of "
          + MAX_FILE_BYTES);
    }
    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    Path base = file.toAbsolutePath().getParent();
    return parse(text, base);
  }

  /**
   * Parses and validates config JSON; relative paths resolve against {@code baseDir}.
   *
   * @throws ConfigException naming the bad field
   */
  public static AgentConfig parse(String json, Path baseDir) {
    return new AgentConfig(JsonFields.parse(json, AgentConfig::error), baseDir);
  }

  private static ConfigException error(String path, String value, String problem) {
    return new ConfigException(path, (path.isEmpty() ? "config " : "") + problem
        + (value.isEmpty() ? "" : ", was " + value));
  }

  /** A path field, resolved against the config file's directory when relative. */
  private static Path resolve(JsonFields j, Path base, String name, Path dflt) {
    if (!j.has(name) && dflt != null) {
      return dflt;
    }
    return base.resolve(j.nonEmptyString(name)).normalize();
  }

  static void checkLevel(String field, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
        throw new ConfigException(field, "may hold letters, digits, '-', '_' and '.' only, was \"" + v + "\"");
      }
    }
  }

  public String deviceId() {
    return deviceId;
  }

  public String fleet() {
    return fleet;
  }

  public String deviceClass() {
    return deviceClass;
  }

  public Model model() {
    return model;
  }

  public Preprocessing preprocessing() {
    return preprocessing;
  }

  /** Present for {@link Preprocessing#TEXT}. */
  public Optional<Text> text() {
    return Optional.ofNullable(text);
  }

  public PolicySource policy() {
    return policy;
  }

  public Optional<Broker> broker() {
    return Optional.ofNullable(broker);
  }

  public Offload offload() {
    return offload;
  }

  /** The {@code prices} object as JSON, for the runtime's price parser ({@code {}}: all zero). */
  public String pricesJson() {
    return pricesJson;
  }

  public Spool spool() {
    return spool;
  }

  public Upload upload() {
    return upload;
  }

  public Input input() {
    return input;
  }

  /** Where results go; empty means stdout. */
  public Optional<Path> outputFile() {
    return outputFile;
  }

  public DeviceStateConfig deviceState() {
    return deviceState;
  }

  /** {@code model}: the edge model. */
  public static final class Model {
    private final String name;
    private final Path path;
    private final List<String> providers;
    private final int intraOpThreads;

    Model(JsonFields j, Path base) {
      j.allow("name", "path", "providers", "intra_op_threads");
      name = j.nonEmptyString("name");
      checkLevel(j.path("name"), name);
      path = resolve(j, base, "path", null);
      List<String> p = j.strings("providers", Collections.singletonList("CPU"));
      if (p.isEmpty()) {
        throw new ConfigException(j.path("providers"), "must name at least one provider");
      }
      providers = Collections.unmodifiableList(new ArrayList<>(p));
      intraOpThreads = (int) j.integer("intra_op_threads", 1, 1, 256);
    }

    /** The model's name: a topic level of the fleet's policy topic. */
    public String name() {
      return name;
    }

    public Path path() {
      return path;
    }

    /** Execution providers in order of preference (ExecutionProvider names). */
    public List<String> providers() {
      return providers;
    }

    public int intraOpThreads() {
      return intraOpThreads;
    }
  }

  /** {@code preprocessing} for text models. */
  public static final class Text {
    private final Path tokenizer;
    private final int maxLength;
    private final Path cloudTokenizer;
    private final int cloudMaxLength;

    Text(JsonFields j, Path base) {
      tokenizer = resolve(j, base, "tokenizer", null);
      maxLength = (int) j.integer("max_length", 128, 2, 8192);
      cloudTokenizer = resolve(j, base, "cloud_tokenizer", tokenizer);
      cloudMaxLength = (int) j.integer("cloud_max_length", maxLength, 2, 8192);
    }

    /** The tokenizer.json of the edge model. */
    public Path tokenizer() {
      return tokenizer;
    }

    /** Maximum tokens, special tokens included. */
    public int maxLength() {
      return maxLength;
    }

    /** The tokenizer.json of the cloud model (default: the edge model's). */
    public Path cloudTokenizer() {
      return cloudTokenizer;
    }

    /** Maximum tokens of the cloud model (default: {@link #maxLength()}). */
    public int cloudMaxLength() {
      return cloudMaxLength;
    }

    /** Whether the cloud model reads text as the edge model does. */
    public boolean cloudSameAsEdge() {
      return cloudTokenizer.equals(tokenizer) && cloudMaxLength == maxLength;
    }
  }

  /** {@code policy}: where the routing policy comes from. */
  public static final class PolicySource {
    private final Optional<Path> file;
    private final boolean subscribe;
    private final int maxBytes;

    PolicySource(JsonFields j, Path base) {
      j.allow("file", "subscribe", "max_bytes");
      file = j.has("file") ? Optional.of(resolve(j, base, "file", null)) : Optional.empty();
      subscribe = j.bool("subscribe", true);
      maxBytes = (int) j.integer("max_bytes", DEFAULT_MAX_POLICY_BYTES, 1024, 64L << 20);
    }

    /** Default {@link #maxBytes()}: 256 KiB, as {@code cloud-relay publish}'s own limit. */
    public static final int DEFAULT_MAX_POLICY_BYTES = dev.tandem.runtime.internal.fleet.PolicyGate.DEFAULT_MAX_BYTES;

    /** Largest policy accepted (from the topic, the file or the last good copy), in bytes. */
    public int maxBytes() {
      return maxBytes;
    }

    /** A policy to start with (the last good one if the broker is unreachable). */
    public Optional<Path> file() {
      return file;
    }

    /** Whether to follow the fleet's retained policy topic. */
    public boolean subscribe() {
      return subscribe;
    }
  }

  /** {@code broker}: the MQTT broker and this device's identity there. */
  public static final class Broker {
    private final String url;
    private final String topicPrefix;
    private final Optional<String> username;
    private final Optional<Path> passwordFile;
    private final Optional<Path> caFile;
    private final Optional<Path> certFile;
    private final Optional<Path> keyFile;

    Broker(JsonFields j, Path base) {
      j.allow("url", "topic_prefix", "username", "password_file", "ca_file", "cert_file", "key_file");
      url = j.nonEmptyString("url");
      if (!(url.startsWith("tcp://") || url.startsWith("ssl://"))) {
        throw new ConfigException(j.path("url"), "must start with tcp:// or ssl://, was \"" + url + "\"");
      }
      topicPrefix = j.string("topic_prefix", "tandem/v1");
      username = j.has("username") ? Optional.of(j.string("username")) : Optional.empty();
      passwordFile = opt(j, base, "password_file");
      caFile = opt(j, base, "ca_file");
      certFile = opt(j, base, "cert_file");
      keyFile = opt(j, base, "key_file");
      if (certFile.isPresent() != keyFile.isPresent()) {
        throw new ConfigException(j.path("cert_file"), "cert_file and key_file go together");
      }
    }

    private static Optional<Path> opt(JsonFields j, Path base, String name) {
      return j.has(name) ? Optional.of(resolve(j, base, name, null)) : Optional.empty();
    }

    public String url() {
      return url;
    }

    public String topicPrefix() {
      return topicPrefix;
    }

    public Optional<String> username() {
      return username;
    }

    public Optional<Path> passwordFile() {
      return passwordFile;
    }

    public Optional<Path> caFile() {
      return caFile;
    }

    public Optional<Path> certFile() {
      return certFile;
    }

    public Optional<Path> keyFile() {
      return keyFile;
    }
  }

  /** {@code offload}: asking the cloud relay. */
  public static final class Offload {
    private final boolean enabled;
    private final String cloudModel;
    private final int maxConcurrent;

    Offload(JsonFields j, String edgeModel) {
      j.allow("enabled", "cloud_model", "max_concurrent");
      enabled = j.bool("enabled", false);
      cloudModel = j.string("cloud_model", edgeModel);
      checkLevel(j.path("cloud_model"), cloudModel);
      maxConcurrent = (int) j.integer("max_concurrent", 8, 1, 1024);
    }

    public boolean enabled() {
      return enabled;
    }

    /** The model name the relay serves for this fleet. */
    public String cloudModel() {
      return cloudModel;
    }

    public int maxConcurrent() {
      return maxConcurrent;
    }
  }

  /** {@code spool}: the on-disk record log. */
  public static final class Spool {
    /** How often the spool fsyncs. */
    public enum Fsync { EVERY, INTERVAL, NONE }

    private final Path dir;
    private final long diskBudgetBytes;
    private final long reserveBytes;
    private final Fsync fsync;

    Spool(JsonFields j, Path base) {
      j.allow("dir", "disk_budget_bytes", "reserve_bytes", "fsync");
      dir = resolve(j, base, "dir", null);
      diskBudgetBytes = j.integer("disk_budget_bytes", 64L << 20, 4096, Long.MAX_VALUE);
      reserveBytes = j.integer("reserve_bytes", 1L << 20, 0, Long.MAX_VALUE);
      fsync = j.choice("fsync", Fsync.EVERY, Fsync.class);
    }

    public Path dir() {
      return dir;
    }

    public long diskBudgetBytes() {
      return diskBudgetBytes;
    }

    /** Free space the spool leaves on its file system; below it, old segments are evicted. */
    public long reserveBytes() {
      return reserveBytes;
    }

    public Fsync fsync() {
      return fsync;
    }
  }

  /** {@code upload}: sending the spool's records to the collector. */
  public static final class Upload {
    private final boolean enabled;
    private final int maxBatchRecords;
    private final long intervalMs;
    private final long ackTimeoutMs;
    private final long backoffInitialMs;
    private final long backoffMaxMs;

    Upload(JsonFields j) {
      j.allow("enabled", "max_batch_records", "interval_ms", "ack_timeout_ms", "backoff_initial_ms",
          "backoff_max_ms");
      enabled = j.bool("enabled", true);
      maxBatchRecords = (int) j.integer("max_batch_records", 500, 1, 100_000);
      intervalMs = j.integer("interval_ms", 1000, 10, 3_600_000);
      ackTimeoutMs = j.integer("ack_timeout_ms", 10_000, 100, 3_600_000);
      backoffInitialMs = j.integer("backoff_initial_ms", 500, 10, 3_600_000);
      backoffMaxMs = j.integer("backoff_max_ms", 30_000, backoffInitialMs, 3_600_000);
    }

    public boolean enabled() {
      return enabled;
    }

    public int maxBatchRecords() {
      return maxBatchRecords;
    }

    /** Pause between upload rounds when the spool has nothing new. */
    public long intervalMs() {
      return intervalMs;
    }

    /** How long to wait for a batch's logs-ack before sending it again. */
    public long ackTimeoutMs() {
      return ackTimeoutMs;
    }

    public long backoffInitialMs() {
      return backoffInitialMs;
    }

    public long backoffMaxMs() {
      return backoffMaxMs;
    }
  }

  /** {@code input}: where inputs come from (any combination). */
  public static final class Input {
    private final boolean stdin;
    private final Optional<Path> dir;
    private final int httpPort;
    private final String httpBind;

    Input(JsonFields j, Path base) {
      j.allow("stdin", "dir", "http_port", "http_bind");
      dir = j.has("dir") ? Optional.of(resolve(j, base, "dir", null)) : Optional.empty();
      httpPort = (int) j.integer("http_port", -1, -1, 65535);
      stdin = j.bool("stdin", !dir.isPresent() && httpPort < 0);
      httpBind = j.string("http_bind", "127.0.0.1");
    }

    public boolean stdin() {
      return stdin;
    }

    /** A directory watched for {@code *.json} input files. */
    public Optional<Path> dir() {
      return dir;
    }

    /** The local HTTP endpoint's port: -1 off, 0 any free port. */
    public int httpPort() {
      return httpPort;
    }

    /** The address the HTTP endpoint binds (default loopback only). */
    public String httpBind() {
      return httpBind;
    }
  }

  /** {@code device_state}: network and battery, configured or probed. */
  public static final class DeviceStateConfig {
    private final Optional<String> networkType;
    private final boolean metered;
    private final Path powerSupplyDir;
    private final Path netDir;
    private final Optional<Path> overrideFile;

    DeviceStateConfig(JsonFields j, Path base) {
      j.allow("network_type", "metered", "power_supply_dir", "net_dir", "override_file");
      networkType = j.has("network_type") ? Optional.of(j.string("network_type")) : Optional.empty();
      metered = j.bool("metered", false);
      powerSupplyDir = resolve(j, base, "power_supply_dir", java.nio.file.Paths.get("/sys/class/power_supply"));
      netDir = resolve(j, base, "net_dir", java.nio.file.Paths.get("/sys/class/net"));
      overrideFile = j.has("override_file") ? Optional.of(resolve(j, base, "override_file", null)) : Optional.empty();
    }

    /** A fixed network type (policy JSON name, e.g. "4g"); empty means probe it. */
    public Optional<String> networkType() {
      return networkType;
    }

    public boolean metered() {
      return metered;
    }

    public Path powerSupplyDir() {
      return powerSupplyDir;
    }

    public Path netDir() {
      return netDir;
    }

    /** A JSON file whose fields, when present, override the probed state (tests, operators). */
    public Optional<Path> overrideFile() {
      return overrideFile;
    }
  }
}
