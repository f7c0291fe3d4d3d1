package dev.tandem.relay.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The relay's Prometheus metrics, in a registry of their own (so several relays can share one
 * JVM in tests):
 *
 * <ul>
 *   <li>{@code tandem_relay_requests_total{model,status}}: answered requests by status;
 *   <li>{@code tandem_relay_dropped_total{reason}}: requests dropped without an answer (a
 *       response topic that is not the sender's own, a topic that is not an infer topic);
 *   <li>{@code tandem_relay_queue_seconds{model}}: time from receipt to the start of the run;
 *   <li>{@code tandem_relay_inference_seconds{model}}: ONNX Runtime time per batch;
 *   <li>{@code tandem_relay_batch_size{model}}: requests per run;
 *   <li>{@code tandem_relay_queue_depth{model}}: requests waiting now;
 *   <li>{@code tandem_relay_in_flight{model}}: requests in the model's run now.
 * </ul>
 *
 * Thread-safe.
 */
public final class RelayMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Counter dropped;
  private final Histogram queueSeconds;
  private final Histogram inferenceSeconds;
  private final Histogram batchSize;
  private final Map<String, IntSupplier> queueDepths = new ConcurrentHashMap<>();
  private final Gauge inFlight;
  private final Counter stalls;

  public RelayMetrics() {
    requests = Counter.builder().name("tandem_relay_requests_total")
        .help("Requests answered, by model and reply status")
        .labelNames("model", "status").register(registry);
    dropped = Counter.builder().name("tandem_relay_dropped_total")
        .help("Requests dropped without a reply, by reason")
        .labelNames("reason").register(registry);
    double[] latency = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
    queueSeconds = Histogram.builder().name("tandem_relay_queue_seconds")
        .help("Time from receipt to the start of the request's run")
        .labelNames("model").classicOnly().classicUpperBounds(latency).register(registry);
    inferenceSeconds = Histogram.builder().name("tandem_relay_inference_seconds")
        .help("ONNX Runtime time per batch")
        .labelNames("model").classicOnly().classicUpperBounds(latency).register(registry);
    batchSize = Histogram.builder().name("tandem_relay_batch_size")
        .help("Requests per model run")
        .labelNames("model").classicOnly().classicUpperBounds(1, 2, 4, 8, 16, 32, 64, 128).register(registry);
    GaugeWithCallback.builder().name("tandem_relay_queue_depth")
        .help("Requests waiting for a model now")
        .labelNames("model")
        .callback(cb -> queueDepths.forEach((model, depth) -> cb.call(depth.getAsInt(), model)))
        .register(registry);
    stalls = Counter.builder().name("tandem_relay_delivery_stalls_total")
        .help("Times the broker stopped delivering to this relay on an open connection (its probe did not come back)")
        .register(registry);
    inFlight = Gauge.builder().name("tandem_relay_in_flight")
        .help("Requests in the model's run now")
        .labelNames("model").register(registry);
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  public void answered(String model, String status) {
    requests.labelValues(model, status).inc();
  }

  public void dropped(String reason) {
    dropped.labelValues(reason).inc();
  }

  public void queued(String model, double seconds) {
    queueSeconds.labelValues(model).observe(seconds);
  }

  public void ran(String model, double seconds, int requestsInBatch) {
    inferenceSeconds.labelValues(model).observe(seconds);
    batchSize.labelValues(model).observe(requestsInBatch);
  }

  /** Sets the number of requests in {@code model}'s run now (0 between runs). */
  public void inFlight(String model, int requests) {
    inFlight.labelValues(model).set(requests);
  }

  /** Requests in {@code model}'s run now. */
  public long inFlightCount(String model) {
    return (long) inFlight.labelValues(model).get();
  }

  /** Model runs (batches) completed so far for {@code model}. */
  public long runCount(String model) {
    return inferenceSeconds.collect().getDataPoints().stream()
        .filter(d -> model.equals(d.getLabels().get("model")))
        .mapToLong(d -> d.getCount()).sum();
  }

  /** Registers the queue-depth source of {@code model}. */
  public void queueDepth(String model, IntSupplier depth) {
    queueDepths.put(model, depth);
  }

  /** The count of answered requests so far (for tests and logs). */
  public long answeredCount(String model, String status) {
    return (long) requests.labelValues(model, status).get();
  }

  /** Counts one delivery stall (see Relay). */
  public void deliveryStall() {
    stalls.inc();
  }

  /** Delivery stalls so far. */
  public long deliveryStallCount() {
    return (long) stalls.get();
  }

  /** The count of dropped requests so far. */
  public long droppedCount(String reason) {
    return (long) dropped.labelValues(reason).get();
  }
}
