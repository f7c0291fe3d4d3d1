package dev.tandem.runtime.capture;

import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.signal.Signals;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Opt-in capture of the inputs of selected decisions, for retraining on hard examples. Part of the
 * device's own configuration, never of the policy. Off unless {@link Builder#enabled} is set.
 *
 * <pre>{@code
 * Capture c = Capture.builder().enabled(true).offloaded(true).belowConfidence(0.6)
 *     .retention(Duration.ofDays(7)).build();
 * }</pre>
 */
public final class Capture {
  private static final Capture OFF = builder().build();

  private final boolean enabled;
  private final boolean offloaded;
  private final boolean shadow;
  private final boolean explored;
  private final double belowConfidence;
  private final Duration retention;
  private final Path directory;

  private Capture(Builder b) {
    this.enabled = b.enabled;
    this.offloaded = b.offloaded;
    this.shadow = b.shadow;
    this.explored = b.explored;
    this.belowConfidence = b.belowConfidence;
    this.retention = b.retention;
    this.directory = b.directory;
  }

  /** Nothing captured: the default. */
  public static Capture off() {
    return OFF;
  }

  public static Builder builder() {
    return new Builder();
  }

  public boolean enabled() {
    return enabled;
  }

  public Duration retention() {
    return retention;
  }

  /** Where captures are kept; null: {@code captures/} inside the spool's directory. */
  public Path directory() {
    return directory;
  }

  /**
   * Why this decision's input is captured ({@code offloaded}, {@code shadow}, {@code explored},
   * {@code below_confidence}); empty when it is not (always, when capture is off).
   */
  public List<String> reasons(RouteDecision d, Signals signals) {
    if (!enabled) {
      return Collections.emptyList();
    }
    List<String> r = new ArrayList<>(2);
    if (offloaded && d.route() == Route.CLOUD) {
      r.add("offloaded");
    }
    if (shadow && d.route() == Route.SHADOW) {
      r.add("shadow");
    }
    if (explored && d.explored()) {
      r.add("explored");
    }
    if (belowConfidence > 0 && signals != null && signals.maxProb() < belowConfidence) {
      r.add("below_confidence");
    }
    return r;
  }

  @Override
  public String toString() {
    return enabled ? "Capture{offloaded=" + offloaded + ", shadow=" + shadow + ", explored=" + explored
        + ", belowConfidence=" + belowConfidence + ", retention=" + retention + "}" : "Capture{off}";
  }

  /** Builder; defaults: off, nothing selected, retention 7 days. */
  public static final class Builder {
    private boolean enabled;
    private boolean offloaded;
    private boolean shadow;
    private boolean explored;
    private double belowConfidence;
    private Duration retention = Duration.ofDays(7);
    private Path directory;

    private Builder() {}

    public Builder enabled(boolean v) {
      this.enabled = v;
      return this;
    }

    /** Decisions the policy sent to the cloud for the answer. */
    public Builder offloaded(boolean v) {
      this.offloaded = v;
      return this;
    }

    /** Decisions the cloud was asked about for the log only. */
    public Builder shadow(boolean v) {
      this.shadow = v;
      return this;
    }

    /** Decisions the exploration draw sent to the cloud. */
    public Builder explored(boolean v) {
      this.explored = v;
      return this;
    }

    /** Decisions whose edge max_prob is below this (0: off). */
    public Builder belowConfidence(double v) {
      this.belowConfidence = v;
      return this;
    }

    /** How long a capture is kept on the device (whole days; at least one). */
    public Builder retention(Duration v) {
      this.retention = Objects.requireNonNull(v, "retention");
      return this;
    }

    /** Where captures are kept (the app's or agent's private storage); default: {@code <spool>/captures}. */
    public Builder directory(Path v) {
      this.directory = v;
      return this;
    }

    /** @throws IllegalStateException naming the option out of range */
    public Capture build() {
      if (!(belowConfidence >= 0 && belowConfidence <= 1)) {
        throw new IllegalStateException("belowConfidence must be within [0, 1], was " + belowConfidence);
      }
      if (retention.toDays() < 1) {
        throw new IllegalStateException("retention must be at least one day, was " + retention);
      }
      if (enabled && !offloaded && !shadow && !explored && belowConfidence == 0) {
        throw new IllegalStateException("capture is enabled but selects no decisions: set offloaded, shadow,"
            + " explored or belowConfidence");
      }
      return new Capture(this);
    }
  }
}
