package dev.tandem.runtime.policy;

import java.util.Objects;

/**
 * What the round-trip estimator knew about one network type at the moment of a decision: the
 * number of samples in its window, their EWMA and 95th percentile, and how long ago the last
 * request on this network was sent. Immutable; recorded in every decision so that the
 * deadline-risk rule replays exactly.
 */
public final class RoundTripSnapshot {
  /** No samples and no request ever sent. */
  public static final RoundTripSnapshot EMPTY = new RoundTripSnapshot(0, -1, -1, -1);

  private final int samples;
  private final double ewmaMs;
  private final double p95Ms;
  private final long sinceLastAttemptMs;

  private RoundTripSnapshot(int samples, double ewmaMs, double p95Ms, long sinceLastAttemptMs) {
    this.samples = samples;
    this.ewmaMs = ewmaMs;
    this.p95Ms = p95Ms;
    this.sinceLastAttemptMs = sinceLastAttemptMs;
  }

  /**
   * @param samples round trips in the estimator's window
   * @param ewmaMs exponentially weighted mean of all samples so far, -1 if none
   * @param p95Ms 95th percentile of the window, -1 if it is empty
   * @param sinceLastAttemptMs ms since the last request on this network type, -1 if never
   */
  public static RoundTripSnapshot of(int samples, double ewmaMs, double p95Ms, long sinceLastAttemptMs) {
    if (samples < 0) {
      throw new IllegalArgumentException("samples must be >= 0, was " + samples);
    }
    return new RoundTripSnapshot(samples, ewmaMs, p95Ms, sinceLastAttemptMs);
  }

  public int samples() {
    return samples;
  }

  public double ewmaMs() {
    return ewmaMs;
  }

  public double p95Ms() {
    return p95Ms;
  }

  public long sinceLastAttemptMs() {
    return sinceLastAttemptMs;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RoundTripSnapshot)) {
      return false;
    }
    RoundTripSnapshot s = (RoundTripSnapshot) o;
    return samples == s.samples && ewmaMs == s.ewmaMs && p95Ms == s.p95Ms && sinceLastAttemptMs == s.sinceLastAttemptMs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(samples, ewmaMs, p95Ms, sinceLastAttemptMs);
  }

  @Override
  public String toString() {
    return "RoundTrip{n=" + samples + ", ewma=" + ewmaMs + ", p95=" + p95Ms + ", sinceLast=" + sinceLastAttemptMs + "}";
  }
}
