package dev.tandem.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.agent.upload.StoreContents;
import dev.tandem.relay.collect.Collector;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.relay.serve.Relay;
import dev.tandem.relay.serve.RelayConfig;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Route;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import dev.tandem.runtime.testing.TinyModels;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small fleet end to end: Mosquitto, a real relay serving the tiny classifier, a real
 * collector writing a log store, and five simulated devices on mixed profiles.
 */
class FleetSimulationTest {
  @TempDir
  Path dir;

  @Test
  void fleet_fiveDevices_everyDecisionAnsweredAndEveryRecordStored() throws Exception {
    Path model = dir.resolve("tiny-classifier.onnx");
    Files.write(model, TinyModels.classifier());
    Path data = dir.resolve("data.jsonl");
    String hash;
    try (ModelSession s = ModelSession.builder().path(model).intraOpThreads(1).build()) {
      hash = s.info().sha256();
      DataSet.writeRandom(data, s.info(), 200, 3, 42);
    }
    DataSet ds = DataSet.read(data, (dev.tandem.runtime.text.TextInput) null);
    assertThat(ds.size()).isEqualTo(200);
    assertThat(ds.items().get(0).label()).isBetween(0, 2);

    try (TestBroker broker = TestBrokers.start()) {
      RelayConfig rc = RelayConfig.parse("{\"relayId\": \"relay-test\", \"broker\": {\"url\": \"" + broker.url()
          + "\"}, \"models\": [{\"name\": \"tiny\", \"file\": \"" + model + "\", \"version\": \"1\","
          + " \"providers\": [\"cpu\"], \"intraOpThreads\": 1}], \"metrics\": {\"port\": -1}}", dir);
      LogStore store = LogStore.open(dir.resolve("store"), Clock.systemUTC(), 1);
      try (Relay relay = new Relay(rc).start();
          Collector collector = new Collector(new Collector.Options().brokerUrl(broker.url())
              .clientId("collector-test"), store, new PrometheusRegistry())) {
        FleetSimulation.Options o = new FleetSimulation.Options().edgeModel(model).brokerUrl(broker.url())
            .dataSet(ds).policy(Policy.fromJson(SimulateCommand.defaultPolicy("tiny", hash)))
            .workDir(dir.resolve("fleet")).devices(5).durationMs(4000).ratePerDevice(5)
            .networkMix(Mix.parse("--network-mix", "wifi=3,4g=2"))
            .deviceMix(Mix.parse("--device-mix", "flagship=3,lowend=2")).seed(3).devicePrefix("t-")
            .drainTimeoutMs(30_000);
        FleetSimulation.Result r = new FleetSimulation(o).run();
        FleetStats st = r.stats();
        System.out.println(r.summary());

        assertThat(st.errors()).isZero();
        assertThat(st.decisions()).isGreaterThan(20);
        // The tiny classifier on random inputs is unsure often enough: the cascade offloads.
        assertThat(st.route(Route.CLOUD)).isPositive();
        assertThat(st.relayReplies()).isPositive();
        assertThat(st.feedback()).isEqualTo(st.decisions());
        assertThat(r.notDrained()).isZero();

        // Every decision and every label is in the store, once. (A late cloud reply may still be
        // amended after the drain on a loaded machine; that record stays in its spool.)
        List<String> ids = StoreContents.ids(dir.resolve("store"));
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(decisionsIn(dir.resolve("store"))).isEqualTo(st.decisions());
        assertThat((long) ids.size()).isBetween(st.decisions() + st.feedback(), st.decisions() + st.amendments());
        assertThat(r.summary()).contains("wifi", "4g", "flagship", "lowend", "p95 ms");
      }
    }
  }

  private static long decisionsIn(Path store) throws java.io.IOException {
    long n = 0;
    try (java.util.stream.Stream<Path> files = Files.walk(store.resolve("records"))) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".jsonl"))::iterator) {
        for (String line : Files.readAllLines(f)) {
          if (line.contains("\"kind\":\"decision\"")) {
            n++;
          }
        }
      }
    }
    return n;
  }
}
