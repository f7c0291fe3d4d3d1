package dev.tandem.runtime.internal.protocol;

/**
 * Size limits a {@link FrameCodec} enforces on every frame it encodes or decodes. Immutable.
 *
 * <p>Defaults: frames up to 8 MiB, headers up to 64 KiB, each tensor up to 8 MiB, at most 64
 * tensors of rank at most 8 per frame. Keep {@link #maxFrameBytes()} at or under the broker's
 * maximum packet size.
 */
public final class FrameLimits {
  private static final FrameLimits DEFAULTS = builder().build();

  private final int maxFrameBytes;
  private final int maxHeaderBytes;
  private final int maxTensorBytes;
  private final int maxTensors;
  private final int maxRank;

  private FrameLimits(Builder b) {
    this.maxFrameBytes = b.maxFrameBytes;
    this.maxHeaderBytes = b.maxHeaderBytes;
    this.maxTensorBytes = b.maxTensorBytes;
    this.maxTensors = b.maxTensors;
    this.maxRank = b.maxRank;
  }

  /** The default limits. */
  public static FrameLimits defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these limits. */
  public Builder newBuilder() {
    return new Builder()
        .maxFrameBytes(maxFrameBytes)
        .maxHeaderBytes(maxHeaderBytes)
        .maxTensorBytes(maxTensorBytes)
        .maxTensors(maxTensors)
        .maxRank(maxRank);
  }

  /** Largest whole frame, magic to last tensor byte. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** Largest JSON header, in UTF-8 bytes. */
  public int maxHeaderBytes() {
    return maxHeaderBytes;
  }

  /** Largest single tensor, in bytes. */
  public int maxTensorBytes() {
    return maxTensorBytes;
  }

  /** Most tensors in one frame. */
  public int maxTensors() {
    return maxTensors;
  }

  /** Most dimensions of one tensor. */
  public int maxRank() {
    return maxRank;
  }

  @Override
  public String toString() {
    return "FrameLimits{frame=" + maxFrameBytes + ", header=" + maxHeaderBytes + ", tensor="
        + maxTensorBytes + ", tensors=" + maxTensors + ", rank=" + maxRank + "}";
  }

  /** Builder for {@link FrameLimits}; every limit must be positive. */
  public static final class Builder {
    private int maxFrameBytes = 8 << 20;
    private int maxHeaderBytes = 64 << 10;
    private int maxTensorBytes = 8 << 20;
    private int maxTensors = 64;
    private int maxRank = 8;

    private Builder() {}

    public Builder maxFrameBytes(int v) {
      this.maxFrameBytes = positive("maxFrameBytes", v);
      return this;
    }

    public Builder maxHeaderBytes(int v) {
      this.maxHeaderBytes = positive("maxHeaderBytes", v);
      return this;
    }

    public Builder maxTensorBytes(int v) {
      this.maxTensorBytes = positive("maxTensorBytes", v);
      return this;
    }

    public Builder maxTensors(int v) {
      this.maxTensors = positive("maxTensors", v);
      return this;
    }

    public Builder maxRank(int v) {
      this.maxRank = positive("maxRank", v);
      return this;
    }

    /** @throws IllegalStateException if the header limit does not fit in the frame limit */
    public FrameLimits build() {
      if ((long) maxHeaderBytes + FrameCodec.PREAMBLE_BYTES > maxFrameBytes) {
        throw new IllegalStateException(
            "maxHeaderBytes (" + maxHeaderBytes + ") plus the " + FrameCodec.PREAMBLE_BYTES
                + "-byte preamble must fit in maxFrameBytes (" + maxFrameBytes + ")");
      }
      return new FrameLimits(this);
    }

    private static int positive(String option, int v) {
      if (v <= 0) {
        throw new IllegalArgumentException(option + " must be > 0, was " + v);
      }
      return v;
    }
  }
}
