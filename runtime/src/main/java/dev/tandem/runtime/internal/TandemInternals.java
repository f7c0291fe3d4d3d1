package dev.tandem.runtime.internal;

import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.internal.offload.Offloader;
import java.util.function.LongConsumer;

/**
 * Not API. Options of {@link Tandem.Builder} that only Tandem's own tools and tests use: an
 * offloader given directly (a test double), and a hook after each edge run (the fleet simulator
 * stretches edge time with it to mimic slower devices).
 */
public abstract class TandemInternals {
  private static volatile TandemInternals instance;

  /** Called once by {@link Tandem}'s class initializer. */
  public static void install(TandemInternals internals) {
    instance = internals;
  }

  public static TandemInternals get() {
    if (instance == null) {
      Tandem.builder(); // initializes Tandem, which installs the instance
    }
    return instance;
  }

  /** Sends offloads to {@code offloader} instead of a {@code CloudConnection}; Tandem closes it. */
  public abstract Tandem.Builder offloader(Tandem.Builder builder, Offloader offloader);

  /**
   * Calls {@code hook} on the deciding thread right after each edge run, with the run's start
   * ({@link System#nanoTime()}); its time counts as edge time.
   */
  public abstract Tandem.Builder afterEdgeRun(Tandem.Builder builder, LongConsumer hook);

  /** The offloader a Tandem uses, or null when it has none. */
  public abstract Offloader offloader(Tandem tandem);
}
