package dev.tandem.runtime.record;

import dev.tandem.runtime.signal.Signals;
import java.util.Objects;

/** The edge model's part of a decision: its signals (prediction = top-1), run time and provider. Immutable. */
public final class EdgeResult {
  private final Signals signals;
  private final double latencyMs;
  private final String provider;

  private EdgeResult(Signals signals, double latencyMs, String provider) {
    this.signals = signals;
    this.latencyMs = latencyMs;
    this.provider = provider;
  }

  /**
   * @param latencyMs the edge model's run time (and scoring)
   * @param provider the execution provider that ran it, e.g. {@code "CPU"}
   */
  public static EdgeResult of(Signals signals, double latencyMs, String provider) {
    return new EdgeResult(Objects.requireNonNull(signals, "signals"), latencyMs, Objects.requireNonNull(provider, "provider"));
  }

  /** The edge answer's top-1 class. */
  public int prediction() {
    return signals.top1();
  }

  public Signals signals() {
    return signals;
  }

  public double latencyMs() {
    return latencyMs;
  }

  public String provider() {
    return provider;
  }
}
