package dev.tandem.relay.cli;

import dev.tandem.relay.broker.EmbeddedBroker;
import dev.tandem.relay.serve.ConfigException;
import dev.tandem.relay.serve.Relay;
import dev.tandem.runtime.internal.fatal.Failures;
import dev.tandem.relay.serve.RelayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cloud-relay serve}: runs a relay until stopped (SIGTERM or Ctrl-C stop it gracefully). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serves inference requests from devices: a shared MQTT subscription, per-model queues with",
      "dynamic batching, ONNX Runtime on GPU or CPU, per-device quotas, Prometheus metrics.",
      "Configuration reference: docs/relay.md."
    })
public final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "Relay configuration (JSON): broker, models, quota, limits, metrics. See docs/relay.md.")
  Path config;

  @Option(names = "--embedded-broker",
      description = "Also start an embedded HiveMQ CE broker (in-memory, no statistics) and connect to it"
          + " (the config's broker.url is then ignored and may be left out).")
  boolean embeddedBroker;

  @Option(names = "--broker-bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "Address the embedded broker listens on (default: ${DEFAULT-VALUE}, loopback only).")
  String brokerBind;

  @Option(names = "--broker-port", defaultValue = "1883", paramLabel = "PORT",
      description = "Port of the embedded broker; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int brokerPort;

  @Option(names = "--reload-interval-ms", defaultValue = "2000", paramLabel = "MS",
      description = "How often the config file is checked for changed models, reloaded without a restart;"
          + " 0 turns this off (default: ${DEFAULT-VALUE}).")
  long reloadIntervalMs;

  @Override
  public Integer call() throws Exception {
    EmbeddedBroker broker = null;
    try {
      if (embeddedBroker) {
        broker = EmbeddedBroker.start(brokerBind, brokerPort);
        log.info("embedded broker listening on {}", broker.url());
      }
      RelayConfig cfg = RelayConfig.load(config, broker == null ? null : broker.url());
      if (broker != null && !cfg.brokerUrl().equals(broker.url())) {
        // --embedded-broker means this process's broker, whatever the file says.
        log.info("--embedded-broker: connecting to {} instead of the config's {}", broker.url(), cfg.brokerUrl());
        cfg = cfg.toBuilder().brokerUrl(broker.url()).build();
      }
      Failures failures = Failures.exitProcess();
      failures.installAsDefaultHandler("cloud-relay serve");
      Relay relay = new Relay(cfg).failures(failures).start();
      CountDownLatch stopped = new CountDownLatch(1);
      EmbeddedBroker b = broker;
      // Registered before "ready" is announced, so a SIGTERM right after readiness still stops gracefully.
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        log.info("stopping: answering queued requests, then disconnecting");
        relay.close();
        if (b != null) {
          b.close();
        }
        stopped.countDown();
      }, "relay-shutdown"));
      log.info("relay {} ready; metrics on {}:{}", relay.relayId(), cfg.metricsHost(), relay.metricsPort());
      watch(relay, stopped);
      return 0;
    } catch (ConfigException e) {
      System.err.println("cloud-relay serve: " + e.getMessage());
      if (broker != null) {
        broker.close();
      }
      return 2;
    } catch (RuntimeException e) {
      System.err.println("cloud-relay serve: " + e.getMessage());
      if (broker != null) {
        broker.close();
      }
      return 1;
    }
  }

  /** Polls the config file and reloads models when it changed, until the relay stops. */
  private void watch(Relay relay, CountDownLatch stopped) throws InterruptedException {
    if (reloadIntervalMs <= 0) {
      stopped.await();
      return;
    }
    FileTime last = modified();
    while (!stopped.await(reloadIntervalMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      FileTime now = modified();
      if (now == null || now.equals(last)) {
        continue;
      }
      last = now;
      try {
        RelayConfig next = RelayConfig.load(config, relay.appliedConfig().brokerUrl());
        next = next.toBuilder().brokerUrl(relay.appliedConfig().brokerUrl()).build();
        List<String> failures = relay.reload(next);
        log.info("config reloaded; models now {}{}", relay.modelVersions(),
            failures.isEmpty() ? "" : "; failed: " + failures);
      } catch (ConfigException e) {
        log.error("config change ignored: {}", e.getMessage());
      }
    }
  }

  private FileTime modified() {
    try {
      return Files.getLastModifiedTime(config);
    } catch (java.io.IOException e) {
      return null; // the file is being replaced; the next poll sees the new one
    }
  }
}
