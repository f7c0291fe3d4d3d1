package dev.tandem.relay.collect;

import dev.tandem.relay.metrics.MetricsServer;
import dev.tandem.runtime.internal.fatal.Failures;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code collect}: the log collector, until stopped (SIGTERM / Ctrl-C). */
@Command(name = "collect", mixinStandardHelpOptions = true,
    description = "Receive device log batches over MQTT into a file store, ack each once durable.")
public final class CollectCommand implements Callable<Integer> {
  @Option(names = "--broker", required = true, description = "MQTT broker URL (tcp://host:1883, ssl://host:8883)")
  String broker;

  @Option(names = "--store", required = true, description = "Root directory of the log store")
  Path store;

  @Option(names = "--client-id", description = "MQTT client id; keep it stable across restarts (default: collector-<hostname>)")
  String clientId;

  @Option(names = "--topic-prefix", defaultValue = "tandem/v1", description = "Topic prefix (default: ${DEFAULT-VALUE})")
  String prefix;

  @Option(names = "--username", description = "Broker user name")
  String username;

  @Option(names = "--password-file", description = "File holding the broker password")
  Path passwordFile;

  @Option(names = "--metrics-port", defaultValue = "0", description = "Serve Prometheus metrics (/metrics), /healthz and /readyz on this port (0: off)")
  int metricsPort;

  @Option(names = "--metrics-bind", defaultValue = "127.0.0.1",
      description = "Address the metrics port binds (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface)")
  String metricsBind;

  @Option(names = "--max-payload-bytes", defaultValue = "" + BatchLimits.DEFAULT_MAX_PAYLOAD_BYTES,
      description = "Largest batch payload, compressed (default: ${DEFAULT-VALUE})")
  int maxPayloadBytes;

  @Option(names = "--max-inflated-bytes", defaultValue = "" + BatchLimits.DEFAULT_MAX_INFLATED_BYTES,
      description = "Largest batch once unpacked (default: ${DEFAULT-VALUE})")
  long maxInflatedBytes;

  @Option(names = "--max-lines", defaultValue = "" + BatchLimits.DEFAULT_MAX_LINES,
      description = "Most lines in one batch (default: ${DEFAULT-VALUE})")
  int maxLines;

  @Option(names = "--max-line-bytes", defaultValue = "" + BatchLimits.DEFAULT_MAX_LINE_BYTES,
      description = "Longest line of a batch (default: ${DEFAULT-VALUE})")
  int maxLineBytes;

  @Option(names = "--first-seq", defaultValue = "1", description = "First sequence number devices use, for gap accounting (default: ${DEFAULT-VALUE})")
  long firstSeq;

  @Option(names = "--probe-interval-ms", defaultValue = "5000",
      description = "Send this collector a delivery probe this often; 0: off (default: ${DEFAULT-VALUE})")
  long probeIntervalMs;

  @Option(names = "--probe-timeout-ms", defaultValue = "20000",
      description = "Reconnect when no probe came back for this long on a live connection (default: ${DEFAULT-VALUE})")
  long probeTimeoutMs;

  @Override
  public Integer call() throws Exception {
    String id = clientId != null ? clientId : "collector-" + InetAddress.getLocalHost().getHostName();
    Failures failures = Failures.exitProcess();
    failures.installAsDefaultHandler("cloud-relay collect");
    LogStore s = LogStore.open(store, Clock.systemUTC(), firstSeq);
    PrometheusRegistry registry = new PrometheusRegistry();
    Collector.Options o = new Collector.Options().brokerUrl(broker).clientId(id).topicPrefix(prefix)
        .probe(probeIntervalMs, probeTimeoutMs)
        .limits(BatchLimits.of(maxPayloadBytes, maxInflatedBytes, maxLines, maxLineBytes))
        .failures(failures);
    if (username != null) {
      char[] pw = passwordFile == null ? new char[0]
          : new String(Files.readAllBytes(passwordFile), StandardCharsets.UTF_8).trim().toCharArray();
      o.credentials(username, pw);
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (Collector c = new Collector(o, s, registry);
        MetricsServer http = metricsPort > 0
            ? new MetricsServer(metricsBind, metricsPort, registry, () -> !c.failure().isPresent(), c::isReady) : null) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        c.close();
        stop.countDown();
      }, "collector-shutdown"));
      System.err.println("collecting " + c.subscription() + " into " + store
          + (http != null ? "; metrics on " + metricsBind + ":" + http.port() + "/metrics" : ""));
      stop.await();
    }
    return 0;
  }
}
