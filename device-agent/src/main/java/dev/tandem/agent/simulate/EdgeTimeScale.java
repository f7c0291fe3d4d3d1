package dev.tandem.agent.simulate;

import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.internal.TandemInternals;
import java.util.concurrent.TimeUnit;

/**
 * Makes a simulated device's edge runs take {@code scale} times as long as they do on this
 * machine: after each run the deciding thread sleeps for the difference, inside the measured
 * edge time, so a device slower than the host can share one model session with faster ones.
 */
final class EdgeTimeScale {
  private EdgeTimeScale() {}

  /**
   * @return {@code builder}, stretched when {@code scale} is above 1
   * @throws IllegalArgumentException if {@code scale} is below 1 or not finite
   */
  static Tandem.Builder apply(Tandem.Builder builder, double scale) {
    if (!(scale >= 1) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("edge time scale must be a finite number >= 1, was " + scale);
    }
    if (scale == 1) {
      return builder;
    }
    return TandemInternals.get().afterEdgeRun(builder, start -> {
      long extraNanos = (long) ((System.nanoTime() - start) * (scale - 1));
      try {
        TimeUnit.NANOSECONDS.sleep(extraNanos);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}
