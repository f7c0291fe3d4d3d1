package dev.tandem.agent.http;

import dev.tandem.runtime.internal.fleet.FleetMetrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The agent's metrics, rendered in Prometheus text format for {@code GET /metrics}: labelled
 * counters and gauges read on demand. No client library: the agent stays small on a board.
 * Thread-safe.
 */
public final class AgentMetrics implements FleetMetrics {
  private final Map<String, String> help = new ConcurrentHashMap<>();
  private final Map<String, Map<String, LongAdder>> counters = new ConcurrentHashMap<>();
  private final Map<String, LongSupplier> gauges = new ConcurrentHashMap<>();
  private final Map<String, Map.Entry<String, java.util.function.Supplier<Map<String, Long>>>> counterFunctions =
      new ConcurrentHashMap<>();

  /**
   * Registers a counter kept elsewhere, read when scraped: one value per {@code key} label value
   * (the spool's drops by reason).
   */
  public void counter(String name, String text, String key, java.util.function.Supplier<Map<String, Long>> values) {
    help.put(name, text);
    counterFunctions.put(name, new java.util.AbstractMap.SimpleImmutableEntry<>(key, values));
  }

  /** Adds {@code n} to counter {@code name} with one label {@code key=value} (or none if key is null). */
  @Override
  public void inc(String name, String key, String value, long n) {
    String labels = key == null ? "" : "{" + key + "=\"" + escape(value) + "\"}";
    counters.computeIfAbsent(name, k -> new ConcurrentHashMap<>())
        .computeIfAbsent(labels, k -> new LongAdder()).add(n);
  }

  @Override
  public void inc(String name, String key, String value) {
    inc(name, key, value, 1);
  }

  /** The current value of a counter, for tests and the summary line. */
  public long count(String name, String key, String value) {
    String labels = key == null ? "" : "{" + key + "=\"" + escape(value) + "\"}";
    Map<String, LongAdder> m = counters.get(name);
    LongAdder a = m == null ? null : m.get(labels);
    return a == null ? 0 : a.sum();
  }

  /** The current value of a gauge, or 0 if none is registered under {@code name}. */
  public long gaugeValue(String name) {
    LongSupplier g = gauges.get(name);
    return g == null ? 0 : g.getAsLong();
  }

  @Override
  public void describe(String name, String text) {
    help.put(name, text);
  }

  /** Registers a gauge read when scraped. */
  @Override
  public void gauge(String name, String text, LongSupplier value) {
    help.put(name, text);
    gauges.put(name, value);
  }

  public String render() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Map<String, LongAdder>> c : new TreeMap<>(counters).entrySet()) {
      header(sb, c.getKey(), "counter");
      for (Map.Entry<String, LongAdder> e : new TreeMap<>(c.getValue()).entrySet()) {
        sb.append(c.getKey()).append(e.getKey()).append(' ').append(e.getValue().sum()).append('\n');
      }
    }
    for (Map.Entry<String, Map.Entry<String, java.util.function.Supplier<Map<String, Long>>>> c
        : new TreeMap<>(counterFunctions).entrySet()) {
      header(sb, c.getKey(), "counter");
      for (Map.Entry<String, Long> e : new TreeMap<>(c.getValue().getValue().get()).entrySet()) {
        sb.append(c.getKey()).append('{').append(c.getValue().getKey()).append("=\"").append(escape(e.getKey()))
            .append("\"} ").append(e.getValue()).append('\n');
      }
    }
    for (Map.Entry<String, LongSupplier> g : new TreeMap<>(gauges).entrySet()) {
      header(sb, g.getKey(), "gauge");
      sb.append(g.getKey()).append(' ').append(g.getValue().getAsLong()).append('\n');
    }
    return sb.toString();
  }

  private void header(StringBuilder sb, String name, String type) {
    String h = help.get(name);
    if (h != null) {
      sb.append("# HELP ").append(name).append(' ').append(h).append('\n');
    }
    sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
