package dev.tandem.demo;

import dev.tandem.workload.build.BuildOptions;
import dev.tandem.workload.build.Caches;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** What a demo run does: its fleet, its objective, where it builds and writes. Immutable; see {@link #builder()}. */
public final class DemoSettings {
  /** The tuner's objectives a demo accepts, as {@code name=value}. */
  static final List<String> OBJECTIVES =
      Arrays.asList("min-accuracy", "max-cost-per-1k", "max-p95-ms", "max-offload", "target-offload");

  final int devices;
  final int messages;
  final long seed;
  final String objective;
  final Map<String, String> objectives;
  final Path cacheRoot;
  final Path corpusDir;
  final Path outDir;
  final String host;
  final int port;
  final double ratePerDevice;
  final double shadowRate;
  final double feedbackShare;
  final double initialThreshold;
  final long deadlineMs;
  final String networkMix;
  final String deviceMix;
  final int relayThreads;
  final BuildOptions build;
  final PrintStream out;
  final PrintStream progress;

  private DemoSettings(Builder b) {
    this.devices = b.devices;
    this.messages = b.messages;
    this.seed = b.seed;
    this.objective = b.objective;
    this.objectives = parseObjective(b.objective);
    this.cacheRoot = b.cacheRoot != null ? b.cacheRoot : Caches.defaultRoot();
    this.corpusDir = b.corpusDir;
    this.outDir = b.outDir;
    this.host = b.host;
    this.port = b.port;
    this.ratePerDevice = b.ratePerDevice;
    this.shadowRate = b.shadowRate;
    this.feedbackShare = b.feedbackShare;
    this.initialThreshold = b.initialThreshold;
    this.deadlineMs = b.deadlineMs;
    this.networkMix = b.networkMix;
    this.deviceMix = b.deviceMix;
    this.relayThreads = b.relayThreads;
    BuildOptions.Builder ob = b.build != null ? b.build.newBuilder() : BuildOptions.builder().fp32Edge(false);
    if (b.corpusDir != null) {
      ob.corpusDir(b.corpusDir);
    }
    this.build = ob.progress(b.progress != null).build();
    this.out = b.out;
    this.progress = b.progress;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The tuner's flags for the objective: {@code --min-accuracy 0.97 ...}. */
  List<String> objectiveFlags() {
    List<String> flags = new ArrayList<>();
    objectives.forEach((k, v) -> {
      flags.add("--" + k);
      flags.add(v);
    });
    return flags;
  }

  /**
   * {@code min-accuracy=0.97,max-p95-ms=400} as an ordered map.
   *
   * @throws IllegalArgumentException naming the part that is not an objective
   */
  static Map<String, String> parseObjective(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      if (eq < 0 || !OBJECTIVES.contains(name)) {
        throw new IllegalArgumentException("--objective: '" + p + "' is not NAME=VALUE with NAME one of " + OBJECTIVES
            + " (e.g. min-accuracy=0.97 or max-offload=0.15,max-p95-ms=400)");
      }
      String value = p.substring(eq + 1).trim();
      try {
        double v = Double.parseDouble(value);
        if (!(v >= 0) || Double.isInfinite(v)) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--objective: " + name + " needs a number >= 0, was '" + value + "'");
      }
      out.put(name, value);
    }
    return out;
  }

  /** Builder; every setting has a default sized for a 2-core machine. */
  public static final class Builder {
    private int devices = 24;
    private int messages;
    private long seed = 1;
    private String objective = "min-accuracy=0.95";
    private Path cacheRoot;
    private Path corpusDir;
    private Path outDir = Path.of("tandem-demo");
    private String host = "127.0.0.1";
    private int port = 1883;
    private double ratePerDevice = 0.5;
    private double shadowRate = 0.2;
    private double feedbackShare = 1.0;
    private double initialThreshold = 0.9;
    private long deadlineMs = 800;
    private String networkMix = "wifi=0.5,4g=0.35,4g-flaky=0.15";
    private String deviceMix = "flagship=0.3,midrange=0.5,lowend=0.2";
    private int relayThreads = 2;
    private BuildOptions build;
    private PrintStream out = System.out;
    private PrintStream progress = System.err;

    private Builder() {}

    /** Simulated devices in each phase (default 24). */
    public Builder devices(int v) {
      devices = v;
      return this;
    }

    /** Messages each phase replays; 0 (default) the whole calibration and test split. */
    public Builder messages(int v) {
      messages = v;
      return this;
    }

    /** Seed of the fleet: profiles, arrivals, exploration and feedback draws (default 1). */
    public Builder seed(long v) {
      seed = v;
      return this;
    }

    /** The tuner's objective, {@code name=value[,name=value]} (default {@code min-accuracy=0.97}). */
    public Builder objective(String v) {
      objective = Objects.requireNonNull(v, "objective");
      return this;
    }

    /** The model cache (default $TANDEM_CACHE or ~/.cache/tandem). */
    public Builder cacheRoot(Path v) {
      cacheRoot = v;
      return this;
    }

    /** A corpus folder instead of fetching it with npm. */
    public Builder corpusDir(Path v) {
      corpusDir = v;
      return this;
    }

    /** Where the store, the spools, the policies and the report go (default ./tandem-demo). */
    public Builder outDir(Path v) {
      outDir = Objects.requireNonNull(v, "outDir");
      return this;
    }

    /** The embedded broker's port on 127.0.0.1; 0 picks a free one (default 1883). */
    public Builder port(int v) {
      port = v;
      return this;
    }

    /** Messages per second per device (default 0.5). */
    public Builder ratePerDevice(double v) {
      ratePerDevice = v;
      return this;
    }

    /** Shadow exploration rate of the calibration policy (default 0.2). */
    public Builder shadowRate(double v) {
      shadowRate = v;
      return this;
    }

    /** Share of decisions whose true label the devices report (default 0.5). */
    public Builder feedbackShare(double v) {
      feedbackShare = v;
      return this;
    }

    /** The calibration policy's {@code max_prob} threshold (default 0.9). */
    public Builder initialThreshold(double v) {
      initialThreshold = v;
      return this;
    }

    /** The policies' deadline (default 800 ms). */
    public Builder deadlineMs(long v) {
      deadlineMs = v;
      return this;
    }

    /** Network profiles and shares (default {@code wifi=0.5,4g=0.35,4g-flaky=0.15}). */
    public Builder networkMix(String v) {
      networkMix = Objects.requireNonNull(v, "networkMix");
      return this;
    }

    /** Device profiles and shares (default {@code flagship=0.3,midrange=0.5,lowend=0.2}). */
    public Builder deviceMix(String v) {
      deviceMix = Objects.requireNonNull(v, "deviceMix");
      return this;
    }

    /** Intra-op threads of the relay's cloud model (default 2). */
    public Builder relayThreads(int v) {
      relayThreads = v;
      return this;
    }

    /** How the reference models are built (default: the standard build without the fp32 twin). */
    public Builder build(BuildOptions v) {
      build = v;
      return this;
    }

    /** Where step lines and the summary go (default stdout). */
    public Builder out(PrintStream v) {
      out = Objects.requireNonNull(v, "out");
      return this;
    }

    /** Where progress bars go; null for none (default stderr). */
    public Builder progress(PrintStream v) {
      progress = v;
      return this;
    }

    /** @throws IllegalArgumentException naming the setting out of range */
    public DemoSettings build() {
      require(devices >= 1, "--devices must be >= 1, was " + devices);
      require(messages >= 0, "--messages must be >= 0 (0: the whole split), was " + messages);
      require(port >= 0 && port <= 65535, "--port must be 0..65535, was " + port);
      require(ratePerDevice > 0 && ratePerDevice <= 50, "--rate must be in (0, 50], was " + ratePerDevice);
      require(shadowRate > 0 && shadowRate <= 1, "--shadow-rate must be in (0, 1], was " + shadowRate
          + " (the tuner needs exploration to estimate a new threshold)");
      require(feedbackShare > 0 && feedbackShare <= 1, "--feedback-share must be in (0, 1], was " + feedbackShare);
      require(initialThreshold > 0 && initialThreshold <= 1, "threshold must be in (0, 1], was " + initialThreshold);
      require(deadlineMs >= 50, "deadline must be >= 50 ms, was " + deadlineMs);
      require(relayThreads >= 0, "relay threads must be >= 0, was " + relayThreads);
      return new DemoSettings(this);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }
}
