package dev.tandem.runtime.internal.fleet;

import java.util.function.LongSupplier;

/**
 * Where the log uploader and the policy gate count what they do: labelled counters and gauges,
 * in Prometheus naming. An app without metrics passes {@link #none()}; the device agent renders
 * them for {@code GET /metrics}. Implementations must be thread-safe.
 */
public interface FleetMetrics {

  /** Adds {@code n} to counter {@code name} with one label {@code key=value} (or none if key is null). */
  void inc(String name, String key, String value, long n);

  /** Adds one to counter {@code name} with one label {@code key=value} (or none if key is null). */
  default void inc(String name, String key, String value) {
    inc(name, key, value, 1);
  }

  /** Sets the help text of metric {@code name}. */
  void describe(String name, String text);

  /** Registers a gauge read when the metrics are read. */
  void gauge(String name, String text, LongSupplier value);

  /** Metrics that go nowhere. */
  static FleetMetrics none() {
    return new FleetMetrics() {
      @Override
      public void inc(String name, String key, String value, long n) {
        // not counted
      }

      @Override
      public void describe(String name, String text) {
        // not described
      }

      @Override
      public void gauge(String name, String text, LongSupplier value) {
        // not read
      }
    };
  }
}
