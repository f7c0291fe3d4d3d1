package dev.tandem.agent.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.output.OutputWriter;
import dev.tandem.relay.collect.Collector;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.relay.serve.ModelConfig;
import dev.tandem.relay.serve.Relay;
import dev.tandem.relay.serve.RelayConfig;
import dev.tandem.runtime.model.ExecutionProvider;
import java.util.Collections;
import dev.tandem.runtime.testing.TinyModels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An end-to-end setup for the agent tests: a real Mosquitto, a collector writing a real log
 * store, the tiny ONNX classifier as the edge model, and a policy made for it. Devices are
 * in-process {@link Agent}s unless a test needs a process to kill.
 */
final class Fleet implements AutoCloseable {
  final Path dir;
  final TestBroker broker;
  final Path model;
  final String modelHash;
  final Path policyFile;
  final Path storeDir;
  LogStore store;
  Collector collector;
  final List<Agent> agents = new ArrayList<>();
  Relay relay;

  Fleet(Path dir) throws Exception {
    this.dir = dir;
    broker = TestBrokers.start();
    model = dir.resolve("tiny-classifier.onnx");
    Files.write(model, TinyModels.classifier());
    modelHash = Engines.sha256(model);
    policyFile = dir.resolve("policy.json");
    Files.write(policyFile, policy(1, modelHash, 0.6).getBytes(StandardCharsets.UTF_8));
    storeDir = dir.resolve("store");
    startCollector();
  }

  static String policy(long version, String hash, double threshold) {
    return "{\"schema\": 1, \"version\": " + version + ", \"model\": \"tiny\", \"edge_model_hash\": \""
        + hash + "\", \"mode\": \"edge_only\", \"signal\": \"max_prob\", \"threshold\": " + threshold
        + ", \"deadline_ms\": 200}";
  }

  /** A cascade policy: inputs whose max probability is under {@code threshold} go to the relay. */
  static String cascadePolicy(long version, String hash, double threshold) {
    return policy(version, hash, threshold).replace("edge_only", "cascade");
  }

  /** A real relay serving the same tiny model as "tiny" (the cloud model of these tests). */
  Relay startRelay() {
    Relay r = new Relay(RelayConfig.builder().relayId("relay-test").brokerUrl(broker.url()).metrics("127.0.0.1", -1)
        .addModel(ModelConfig.builder().name("tiny").file(model).version("1")
            .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1)
            .batchable(true).maxBatch(8).maxDelayMicros(500).build())
        .build()).start();
    relay = r;
    return r;
  }

  void startCollector() throws Exception {
    store = LogStore.open(storeDir, Clock.systemUTC(), 1);
    collector = new Collector(new Collector.Options().brokerUrl(broker.url()).clientId("collector-test"),
        store, new PrometheusRegistry());
  }

  /** The config JSON of device {@code id}; {@code extra} is merged in at the top level. */
  String config(String id, String extraTopLevel) {
    return "{\"device_id\": \"" + id + "\", \"fleet\": \"test-fleet\","
        + "\"model\": {\"name\": \"tiny\", \"path\": \"" + model + "\"},"
        + "\"policy\": {\"file\": \"" + policyFile + "\"},"
        + "\"broker\": {\"url\": \"" + broker.url() + "\"},"
        + "\"spool\": {\"dir\": \"" + dir.resolve("spool-" + id) + "\"},"
        + "\"upload\": {\"interval_ms\": 100, \"ack_timeout_ms\": 1500, \"backoff_initial_ms\": 100,"
        + " \"backoff_max_ms\": 1000},"
        + "\"input\": {\"stdin\": false}"
        + (extraTopLevel.isEmpty() ? "" : ", " + extraTopLevel) + "}";
  }

  Agent agent(String id, String extra) throws Exception {
    AgentConfig c = AgentConfig.parse(config(id, extra), dir);
    Agent a = Agent.start(c, new Agent.Options().output(OutputWriter.file(dir.resolve("out-" + id + ".jsonl"))));
    agents.add(a);
    return a;
  }

  /** A request for the tiny classifier: four seeded features. */
  static String request(Random rnd, String id) {
    return String.format(Locale.ROOT, "{\"id\": \"%s\", \"inputs\": [{\"name\": \"features\", \"type\": \"float32\","
        + " \"shape\": [1, 4], \"data\": [%.3f, %.3f, %.3f, %.3f]}]}", id, rnd.nextGaussian(),
        rnd.nextGaussian(), rnd.nextGaussian(), rnd.nextGaussian());
  }

  static String decisionId(String answer) {
    JsonObject o = JsonParser.parseString(answer).getAsJsonObject();
    if (o.has("error")) {
      throw new AssertionError("request failed: " + answer);
    }
    return o.get("decision_id").getAsString();
  }

  static void await(BooleanSupplier cond, long timeoutMs, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + ": not within " + timeoutMs + " ms");
      }
      Thread.sleep(50);
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    for (Agent a : agents) {
      a.close();
    }
    if (collector != null) {
      collector.close();
    }
    if (relay != null) {
      relay.close();
    }
    broker.close();
  }
}
