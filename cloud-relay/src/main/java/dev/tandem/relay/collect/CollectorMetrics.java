package dev.tandem.relay.collect;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;

/**
 * The collector's Prometheus metrics: batches and records by outcome, and per device the
 * sequence numbers missing from the store, split into spool evictions (counted gaps the
 * device reported) and losses (everything else).
 */
final class CollectorMetrics {
  final Counter batches;
  final Counter records;
  final Counter acks;
  final Counter stalls;
  final Counter refused;

  CollectorMetrics(PrometheusRegistry registry, LogStore store) {
    batches = Counter.builder().name("tandem_collector_batches_total")
        .help("Log batches received, by outcome (stored, refused, invalid, failed)")
        .labelNames("outcome").register(registry);
    records = Counter.builder().name("tandem_collector_records_total")
        .help("Records received, by outcome (written, duplicate, rejected)")
        .labelNames("outcome").register(registry);
    acks = Counter.builder().name("tandem_collector_acks_total")
        .help("Batch acks, by outcome (sent; expired, overflow or failed: the device resends)")
        .labelNames("outcome").register(registry);
    refused = Counter.builder().name("tandem_collector_batches_refused_total")
        .help("Batches refused and acked as refused, by reason (payload_too_large, not_gzip, inflated_too_large,"
            + " too_many_lines, line_too_long)")
        .labelNames("reason").register(registry);
    stalls = Counter.builder().name("tandem_collector_delivery_stalls_total")
        .help("Times the broker stopped delivering to this collector on an open connection (its probe did not come back)")
        .register(registry);
    GaugeWithCallback.builder().name("tandem_collector_sequence_lost")
        .help("Per device: sequence numbers below the highest stored that are neither stored"
            + " nor reported evicted (loss, or batches still in flight)")
        .labelNames("device")
        .callback(cb -> {
          for (Map.Entry<String, DeviceGaps> e : store.gaps().entrySet()) {
            cb.call(e.getValue().lost(), e.getKey());
          }
        }).register(registry);
    GaugeWithCallback.builder().name("tandem_collector_sequence_evicted")
        .help("Per device: records the device reported evicted from its spool (disk budget)")
        .labelNames("device")
        .callback(cb -> {
          for (Map.Entry<String, DeviceGaps> e : store.gaps().entrySet()) {
            cb.call(e.getValue().evicted(), e.getKey());
          }
        }).register(registry);
    GaugeWithCallback.builder().name("tandem_collector_sequence_unused")
        .help("Per device: sequence numbers a restart skipped (declared unused by the device)")
        .labelNames("device")
        .callback(cb -> {
          for (Map.Entry<String, DeviceGaps> e : store.gaps().entrySet()) {
            cb.call(e.getValue().unused(), e.getKey());
          }
        }).register(registry);
    GaugeWithCallback.builder().name("tandem_collector_sequence_refused")
        .help("Per device: sequence numbers of batches the collector refused (over a limit)")
        .labelNames("device")
        .callback(cb -> {
          for (Map.Entry<String, DeviceGaps> e : store.gaps().entrySet()) {
            cb.call(e.getValue().refused(), e.getKey());
          }
        }).register(registry);
    GaugeWithCallback.builder().name("tandem_collector_records_stored")
        .help("Per device: distinct records in the store")
        .labelNames("device")
        .callback(cb -> {
          for (Map.Entry<String, DeviceGaps> e : store.gaps().entrySet()) {
            cb.call(e.getValue().stored(), e.getKey());
          }
        }).register(registry);
  }
}
