package dev.tandem.relay.serve;

import dev.tandem.runtime.internal.json.JsonErrors;
import dev.tandem.runtime.internal.json.JsonFields;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The relay's configuration: broker connection, served models, per-device quota, limits and
 * the metrics endpoint. Immutable; read from JSON with {@link #load(Path)} (see docs/relay.md
 * for every option) or built in code with {@link #builder()}.
 */
public final class RelayConfig {
  private final String relayId;
  private final String topicPrefix;
  private final String brokerUrl;
  private final String clientId;
  private final String username;
  private final String password;
  private final Path tlsCaFile;
  private final Path tlsCertFile;
  private final Path tlsKeyFile;
  private final List<ModelConfig> models;
  private final double quotaPerSecond;
  private final int quotaBurst;
  private final int maxFrameBytes;
  private final String metricsHost;
  private final int metricsPort;
  private final long shutdownGraceMs;
  private final long probeIntervalMs;
  private final long probeTimeoutMs;

  private RelayConfig(Builder b) {
    this.relayId = b.relayId;
    this.topicPrefix = b.topicPrefix;
    this.brokerUrl = b.brokerUrl;
    this.clientId = b.clientId == null ? "tandem-relay-" + b.relayId : b.clientId;
    this.username = b.username;
    this.password = b.password;
    this.tlsCaFile = b.tlsCaFile;
    this.tlsCertFile = b.tlsCertFile;
    this.tlsKeyFile = b.tlsKeyFile;
    this.models = Collections.unmodifiableList(new ArrayList<>(b.models));
    this.quotaPerSecond = b.quotaPerSecond;
    this.quotaBurst = b.quotaBurst;
    this.maxFrameBytes = b.maxFrameBytes;
    this.metricsHost = b.metricsHost;
    this.metricsPort = b.metricsPort;
    this.shutdownGraceMs = b.shutdownGraceMs;
    this.probeIntervalMs = b.probeIntervalMs;
    this.probeTimeoutMs = b.probeTimeoutMs;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.relayId = relayId;
    b.topicPrefix = topicPrefix;
    b.brokerUrl = brokerUrl;
    b.clientId = clientId;
    b.username = username;
    b.password = password;
    b.tlsCaFile = tlsCaFile;
    b.tlsCertFile = tlsCertFile;
    b.tlsKeyFile = tlsKeyFile;
    b.models = new ArrayList<>(models);
    b.quotaPerSecond = quotaPerSecond;
    b.quotaBurst = quotaBurst;
    b.maxFrameBytes = maxFrameBytes;
    b.metricsHost = metricsHost;
    b.metricsPort = metricsPort;
    b.shutdownGraceMs = shutdownGraceMs;
    b.probeIntervalMs = probeIntervalMs;
    b.probeTimeoutMs = probeTimeoutMs;
    return b;
  }

  /**
   * Reads and validates a JSON configuration. Relative model and certificate paths are resolved
   * against the file's folder.
   *
   * @throws ConfigException naming the option that is missing, unknown or invalid, or when the
   *     file cannot be read
   */
  /** Largest config file read: 1 MiB (a real one is a few KiB). */
  public static final long MAX_FILE_BYTES = 1 << 20;

  public static RelayConfig load(Path file) {
    return load(file, null);
  }

  /**
   * Like {@link #load(Path)}, with a broker URL to use when the file gives none (the embedded
   * broker's).
   */
  public static RelayConfig load(Path file, String defaultBrokerUrl) {
    String json;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new ConfigException("relay config " + file + " is " + size + " bytes, over the limit of "
            + MAX_FILE_BYTES);
      }
      json = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read relay config " + file + ": " + e.getMessage(), e);
    }
    return parse(JsonFields.parse(json, errors("relay config " + file)), file.toAbsolutePath().getParent(),
        defaultBrokerUrl);
  }

  /** Parses a JSON configuration; relative paths are resolved against {@code baseDir}. */
  public static RelayConfig parse(String json, Path baseDir) {
    return parse(JsonFields.parse(json, errors("relay config")), baseDir, null);
  }

  /** Errors that name the option's path, or the document when the path is empty. */
  private static JsonErrors errors(String document) {
    return (path, value, problem) -> new ConfigException(
        (path.isEmpty() ? document : path) + " " + problem + (value.isEmpty() ? "" : ", was " + value));
  }

  private static RelayConfig parse(JsonFields f, Path baseDir, String defaultBrokerUrl) {
    f.allow("relayId", "topicPrefix", "broker", "models", "quota", "limits", "metrics", "shutdownGraceMs", "probe");
    Builder b = builder();
    if (f.has("relayId")) {
      b.relayId(f.nonEmptyString("relayId"));
    }
    b.topicPrefix(f.string("topicPrefix", "tandem/v1"));
    JsonFields broker = f.objectOrEmpty("broker").allow("url", "clientId", "username", "password", "passwordEnv", "tls");
    b.brokerUrl(broker.string("url", defaultBrokerUrl));
    b.clientId(broker.string("clientId", null));
    b.username(broker.string("username", null));
    String password = broker.string("password", null);
    String passwordEnv = broker.string("passwordEnv", null);
    if (password != null && passwordEnv != null) {
      throw new ConfigException("broker.password and broker.passwordEnv are exclusive: give one");
    }
    if (passwordEnv != null) {
      password = System.getenv(passwordEnv);
      if (password == null) {
        throw new ConfigException("broker.passwordEnv names " + passwordEnv + ", which is not set");
      }
    }
    b.password(password);
    if (broker.has("tls")) {
      JsonFields tls = broker.objectOrEmpty("tls").allow("caFile", "certFile", "keyFile");
      b.tls(
          path(baseDir, tls.string("caFile", null)),
          path(baseDir, tls.string("certFile", null)),
          path(baseDir, tls.string("keyFile", null)));
    }
    for (JsonFields m : f.objectsOrEmpty("models")) {
      b.addModel(ModelConfig.parse(m, baseDir));
    }
    JsonFields quota = f.objectOrEmpty("quota").allow("requestsPerSecond", "burst");
    b.quota(quota.number("requestsPerSecond", 0, 0, 1e9), (int) quota.integer("burst", 0, 0, 1_000_000_000));
    JsonFields limits = f.objectOrEmpty("limits").allow("maxFrameBytes");
    b.maxFrameBytes((int) limits.integer("maxFrameBytes", 4 << 20, 64, 256 << 20));
    JsonFields metrics = f.objectOrEmpty("metrics").allow("host", "port");
    b.metrics(metrics.string("host", "127.0.0.1"), (int) metrics.integer("port", 9464, -1, 65535));
    b.shutdownGraceMs(f.integer("shutdownGraceMs", 10_000, 0, 3_600_000));
    JsonFields probe = f.objectOrEmpty("probe").allow("intervalMs", "timeoutMs");
    b.probe(probe.integer("intervalMs", 5_000, 0, 3_600_000), probe.integer("timeoutMs", 20_000, 1, 86_400_000));
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new ConfigException(e.getMessage(), e);
    }
  }

  private static Path path(Path baseDir, String p) {
    return p == null ? null : baseDir.resolve(p);
  }

  /** This relay's id, reported in every reply. */
  public String relayId() {
    return relayId;
  }

  public String topicPrefix() {
    return topicPrefix;
  }

  /** Broker URL, {@code tcp://host:port} or {@code ssl://host:port}. */
  public String brokerUrl() {
    return brokerUrl;
  }

  public String clientId() {
    return clientId;
  }

  public Optional<String> username() {
    return Optional.ofNullable(username);
  }

  public Optional<String> password() {
    return Optional.ofNullable(password);
  }

  /** PEM CA certificates that sign the broker's certificate; empty means the JVM's trust store. */
  public Optional<Path> tlsCaFile() {
    return Optional.ofNullable(tlsCaFile);
  }

  /** PEM client certificate (chain) for mutual TLS. */
  public Optional<Path> tlsCertFile() {
    return Optional.ofNullable(tlsCertFile);
  }

  /** PEM PKCS#8 private key of the client certificate. */
  public Optional<Path> tlsKeyFile() {
    return Optional.ofNullable(tlsKeyFile);
  }

  public List<ModelConfig> models() {
    return models;
  }

  /** Sustained requests per second per device, per relay; 0 means no quota. */
  public double quotaPerSecond() {
    return quotaPerSecond;
  }

  /** Requests a device may send at once above its sustained rate. */
  public int quotaBurst() {
    return quotaBurst;
  }

  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  public String metricsHost() {
    return metricsHost;
  }

  /** Port of /metrics, /healthz and /readyz; 0 picks a free port, -1 turns the endpoint off. */
  public int metricsPort() {
    return metricsPort;
  }

  /** Longest a shutdown waits for queued requests to be answered. */
  public long shutdownGraceMs() {
    return shutdownGraceMs;
  }

  /** How often the relay sends itself a delivery probe; 0 when probing is off. */
  public long probeIntervalMs() {
    return probeIntervalMs;
  }

  /** How long without a probe coming back before the connection counts as stalled. */
  public long probeTimeoutMs() {
    return probeTimeoutMs;
  }

  /** Builder for {@link RelayConfig}. */
  public static final class Builder {
    private String relayId = "relay-" + UUID.randomUUID().toString().substring(0, 8);
    private String topicPrefix = "tandem/v1";
    private String brokerUrl;
    private String clientId;
    private String username;
    private String password;
    private Path tlsCaFile;
    private Path tlsCertFile;
    private Path tlsKeyFile;
    private List<ModelConfig> models = new ArrayList<>();
    private double quotaPerSecond;
    private int quotaBurst;
    private int maxFrameBytes = 4 << 20;
    private String metricsHost = "127.0.0.1";
    private int metricsPort = 9464;
    private long shutdownGraceMs = 10_000;
    private long probeIntervalMs = 5_000;
    private long probeTimeoutMs = 20_000;

    private Builder() {}

    public Builder relayId(String relayId) {
      this.relayId = relayId;
      return this;
    }

    public Builder topicPrefix(String topicPrefix) {
      this.topicPrefix = topicPrefix;
      return this;
    }

    public Builder brokerUrl(String brokerUrl) {
      this.brokerUrl = brokerUrl;
      return this;
    }

    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    public Builder username(String username) {
      this.username = username;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    public Builder tls(Path caFile, Path certFile, Path keyFile) {
      this.tlsCaFile = caFile;
      this.tlsCertFile = certFile;
      this.tlsKeyFile = keyFile;
      return this;
    }

    public Builder addModel(ModelConfig model) {
      models.add(model);
      return this;
    }

    public Builder models(List<ModelConfig> models) {
      this.models = new ArrayList<>(models);
      return this;
    }

    /** Per-device token bucket: {@code perSecond} sustained, {@code burst} at once; 0 disables. */
    public Builder quota(double perSecond, int burst) {
      this.quotaPerSecond = perSecond;
      this.quotaBurst = burst;
      return this;
    }

    public Builder maxFrameBytes(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    public Builder metrics(String host, int port) {
      this.metricsHost = host;
      this.metricsPort = port;
      return this;
    }

    public Builder shutdownGraceMs(long shutdownGraceMs) {
      this.shutdownGraceMs = shutdownGraceMs;
      return this;
    }

    /**
     * The delivery probe: every {@code intervalMs} the relay publishes a message to itself on
     * {@code {topicPrefix}/relay/{relayId}/probe}; when none has come back for {@code timeoutMs}
     * although the connection is up, the broker has stopped delivering to this relay, and it
     * reconnects with a fresh client. {@code intervalMs} 0 turns probing off.
     */
    public Builder probe(long intervalMs, long timeoutMs) {
      this.probeIntervalMs = intervalMs;
      this.probeTimeoutMs = timeoutMs;
      return this;
    }

    /** @throws IllegalStateException naming the missing or invalid option */
    public RelayConfig build() {
      if (relayId == null || relayId.isEmpty()) {
        throw new IllegalStateException("relayId must not be empty");
      }
      if (relayId.contains("/") || relayId.contains("+") || relayId.contains("#")) {
        throw new IllegalStateException("relayId is part of a topic and must not contain '/', '+' or '#', was '" + relayId + "'");
      }
      if (probeIntervalMs < 0) {
        throw new IllegalStateException("probe.intervalMs must be >= 0 (0 turns probing off), was " + probeIntervalMs);
      }
      if (probeIntervalMs > 0 && probeTimeoutMs < 2 * probeIntervalMs) {
        throw new IllegalStateException("probe.timeoutMs must be at least twice probe.intervalMs (" + probeIntervalMs
            + " ms), was " + probeTimeoutMs);
      }
      if (brokerUrl == null || brokerUrl.isEmpty()) {
        throw new IllegalStateException("broker.url is required (or use --embedded-broker)");
      }
      if (!brokerUrl.startsWith("tcp://") && !brokerUrl.startsWith("ssl://")) {
        throw new IllegalStateException("broker.url must start with tcp:// or ssl://, was " + brokerUrl);
      }
      if (topicPrefix == null || topicPrefix.isEmpty() || topicPrefix.endsWith("/")
          || topicPrefix.contains("+") || topicPrefix.contains("#")) {
        throw new IllegalStateException("topicPrefix must be a non-empty topic without wildcards or a trailing '/', was '" + topicPrefix + "'");
      }
      if (models.isEmpty()) {
        throw new IllegalStateException("models must list at least one model");
      }
      Set<String> names = new HashSet<>();
      for (ModelConfig m : models) {
        if (!names.add(m.name())) {
          throw new IllegalStateException("models: model '" + m.name() + "' is listed twice");
        }
      }
      if ((tlsCertFile == null) != (tlsKeyFile == null)) {
        throw new IllegalStateException("broker.tls.certFile and broker.tls.keyFile go together: give both or neither");
      }
      if (quotaPerSecond < 0 || quotaBurst < 0) {
        throw new IllegalStateException("quota.requestsPerSecond and quota.burst must be >= 0");
      }
      if (quotaPerSecond > 0 && quotaBurst < 1) {
        quotaBurst = (int) Math.max(1, Math.ceil(quotaPerSecond));
      }
      if (metricsPort < -1 || metricsPort > 65535) {
        throw new IllegalStateException("metrics.port must be -1 (off), 0 (any) or a port, was " + metricsPort);
      }
      return new RelayConfig(this);
    }
  }
}
