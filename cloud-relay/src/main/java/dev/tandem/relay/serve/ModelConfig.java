package dev.tandem.relay.serve;

import com.google.gson.JsonElement;
import dev.tandem.runtime.internal.json.JsonFields;
import dev.tandem.runtime.model.ExecutionProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One served model: where its ONNX file is, the version the relay reports, the execution
 * providers to try, how it is batched and queued, and the limits every request is checked
 * against before ONNX Runtime sees it. Immutable.
 */
public final class ModelConfig {
  private final String name;
  private final Path file;
  private final String version;
  private final List<ExecutionProvider> providers;
  private final int intraOpThreads;
  private final boolean batchable;
  private final int maxBatch;
  private final long maxDelayMicros;
  private final int queueCapacity;
  private final long maxDynamicDim;
  private final long maxInputBytes;
  private final Map<String, Double> padValues;

  private ModelConfig(Builder b) {
    this.name = b.name;
    this.file = b.file;
    this.version = b.version;
    this.providers = Collections.unmodifiableList(new ArrayList<>(b.providers));
    this.intraOpThreads = b.intraOpThreads;
    this.batchable = b.batchable;
    this.maxBatch = b.batchable ? b.maxBatch : 1;
    this.maxDelayMicros = b.batchable ? b.maxDelayMicros : 0;
    this.queueCapacity = b.queueCapacity;
    this.maxDynamicDim = b.maxDynamicDim;
    this.maxInputBytes = b.maxInputBytes;
    this.padValues = Collections.unmodifiableMap(new LinkedHashMap<>(b.padValues));
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.name = name;
    b.file = file;
    b.version = version;
    b.providers = new ArrayList<>(providers);
    b.intraOpThreads = intraOpThreads;
    b.batchable = batchable;
    b.maxBatch = maxBatch;
    b.maxDelayMicros = maxDelayMicros;
    b.queueCapacity = queueCapacity;
    b.maxDynamicDim = maxDynamicDim;
    b.maxInputBytes = maxInputBytes;
    b.padValues = new LinkedHashMap<>(padValues);
    return b;
  }

  /** The model name devices use in their topic, {@code infer/{name}/{deviceId}}. */
  public String name() {
    return name;
  }

  public Path file() {
    return file;
  }

  /** The version reported in every reply; a reload must give a new one. */
  public String version() {
    return version;
  }

  /** Execution providers in order of preference; the first that accepts the graph is used. */
  public List<ExecutionProvider> providers() {
    return providers;
  }

  /** ONNX Runtime intra-op threads; 0 lets ONNX Runtime choose (one per core). */
  public int intraOpThreads() {
    return intraOpThreads;
  }

  /** Whether requests may be run together in one batch (false for dynamically quantized models). */
  public boolean batchable() {
    return batchable;
  }

  /** Most requests in one run; 1 when not batchable. */
  public int maxBatch() {
    return maxBatch;
  }

  /** Longest a batch waits for more requests after its first request arrived, in microseconds. */
  public long maxDelayMicros() {
    return maxDelayMicros;
  }

  /** Requests that may wait for this model; one more is answered {@code busy}. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** Largest size accepted for any dynamic dimension other than the batch dimension. */
  public long maxDynamicDim() {
    return maxDynamicDim;
  }

  /** Largest total size of one request's input tensors, in bytes. */
  public long maxInputBytes() {
    return maxInputBytes;
  }

  /** Pad value per input name, used when a batch pads a dynamic dimension; absent inputs pad with 0. */
  public Map<String, Double> padValues() {
    return padValues;
  }

  /** The pad value for {@code input}, 0 when none is configured. */
  public double padValue(String input) {
    Double v = padValues.get(input);
    return v == null ? 0.0 : v;
  }

  static ModelConfig parse(JsonFields f, Path baseDir) {
    f.allow("name", "file", "version", "providers", "intraOpThreads", "batchable", "maxBatch",
        "maxDelayMicros", "queueCapacity", "maxDynamicDim", "maxInputBytes", "padValues");
    Builder b = builder()
        .name(f.nonEmptyString("name"))
        .file(baseDir.resolve(f.nonEmptyString("file")))
        .version(f.nonEmptyString("version"))
        .intraOpThreads((int) f.integer("intraOpThreads", 0, 0, 1024))
        .batchable(f.bool("batchable", false))
        .maxBatch((int) f.integer("maxBatch", 8, 1, 4096))
        .maxDelayMicros(f.integer("maxDelayMicros", 1000, 0, 10_000_000))
        .queueCapacity((int) f.integer("queueCapacity", 256, 1, 1_000_000))
        .maxDynamicDim(f.integer("maxDynamicDim", 512, 1, Integer.MAX_VALUE))
        .maxInputBytes(f.integer("maxInputBytes", 1 << 20, 1, Integer.MAX_VALUE));
    if (f.has("providers")) {
      List<ExecutionProvider> ps = new ArrayList<>();
      int i = 0;
      for (JsonElement e : f.array("providers")) {
        String n = f.path("providers") + "[" + i++ + "]";
        if (!e.isJsonPrimitive()) {
          throw new ConfigException(n + " must be a provider name, was " + e);
        }
        try {
          ps.add(ExecutionProvider.fromJsonName(e.getAsString().toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException ex) {
          throw new ConfigException(n + " is not a provider: '" + e.getAsString() + "'; known: "
              + java.util.Arrays.toString(ExecutionProvider.values()));
        }
      }
      b.providers(ps);
    }
    if (f.has("padValues")) {
      JsonFields pads = f.object("padValues");
      for (String input : pads.names()) {
        b.padValue(input, pads.number(input));
      }
    }
    try {
      return b.build();
    } catch (IllegalStateException e) {
      throw new ConfigException(f.path() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "ModelConfig{" + name + " v" + version + ", " + file + ", " + providers
        + (batchable ? ", batch<=" + maxBatch + " wait<=" + maxDelayMicros + "us" : ", unbatched") + "}";
  }

  /** Builder for {@link ModelConfig}; {@link #build()} names the first missing or invalid option. */
  public static final class Builder {
    private String name;
    private Path file;
    private String version;
    private List<ExecutionProvider> providers = defaultProviders();
    private int intraOpThreads;
    private boolean batchable;
    private int maxBatch = 8;
    private long maxDelayMicros = 1000;
    private int queueCapacity = 256;
    private long maxDynamicDim = 512;
    private long maxInputBytes = 1 << 20;
    private Map<String, Double> padValues = new LinkedHashMap<>();

    private Builder() {}

    private static List<ExecutionProvider> defaultProviders() {
      List<ExecutionProvider> p = new ArrayList<>();
      p.add(ExecutionProvider.CUDA);
      p.add(ExecutionProvider.CPU);
      return p;
    }

    public Builder name(String name) {
      this.name = name;
      return this;
    }

    public Builder file(Path file) {
      this.file = file;
      return this;
    }

    public Builder version(String version) {
      this.version = version;
      return this;
    }

    public Builder providers(List<ExecutionProvider> providers) {
      this.providers = new ArrayList<>(providers);
      return this;
    }

    public Builder intraOpThreads(int intraOpThreads) {
      this.intraOpThreads = intraOpThreads;
      return this;
    }

    public Builder batchable(boolean batchable) {
      this.batchable = batchable;
      return this;
    }

    public Builder maxBatch(int maxBatch) {
      this.maxBatch = maxBatch;
      return this;
    }

    public Builder maxDelayMicros(long maxDelayMicros) {
      this.maxDelayMicros = maxDelayMicros;
      return this;
    }

    public Builder queueCapacity(int queueCapacity) {
      this.queueCapacity = queueCapacity;
      return this;
    }

    public Builder maxDynamicDim(long maxDynamicDim) {
      this.maxDynamicDim = maxDynamicDim;
      return this;
    }

    public Builder maxInputBytes(long maxInputBytes) {
      this.maxInputBytes = maxInputBytes;
      return this;
    }

    public Builder padValue(String input, double value) {
      padValues.put(Objects.requireNonNull(input, "input"), value);
      return this;
    }

    /** @throws IllegalStateException naming the missing or invalid option */
    public ModelConfig build() {
      if (name == null || name.isEmpty()) {
        throw new IllegalStateException("name is required");
      }
      if (!name.matches("[A-Za-z0-9._-]+")) {
        throw new IllegalStateException("name '" + name + "' may hold only letters, digits, '.', '_' and '-' (it is a topic level)");
      }
      if (file == null) {
        throw new IllegalStateException("file is required (model '" + name + "')");
      }
      if (version == null || version.isEmpty()) {
        throw new IllegalStateException("version is required (model '" + name + "')");
      }
      if (providers.isEmpty()) {
        throw new IllegalStateException("providers must name at least one provider (model '" + name + "')");
      }
      if (maxBatch < 1) {
        throw new IllegalStateException("maxBatch must be >= 1, was " + maxBatch);
      }
      if (maxDelayMicros < 0) {
        throw new IllegalStateException("maxDelayMicros must be >= 0, was " + maxDelayMicros);
      }
      if (queueCapacity < 1) {
        throw new IllegalStateException("queueCapacity must be >= 1, was " + queueCapacity);
      }
      if (intraOpThreads < 0) {
        throw new IllegalStateException("intraOpThreads must be >= 0, was " + intraOpThreads);
      }
      if (maxDynamicDim < 1 || maxInputBytes < 1) {
        throw new IllegalStateException("maxDynamicDim and maxInputBytes must be >= 1");
      }
      return new ModelConfig(this);
    }
  }
}
