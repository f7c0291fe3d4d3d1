package dev.tandem.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.agent.cli.TandemAgent;
import dev.tandem.runtime.internal.fleet.PolicyGate;
import dev.tandem.agent.upload.StoreContents;
import dev.tandem.relay.collect.DeviceGaps;
import dev.tandem.relay.policy.PolicyPublisher;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent process killed and restarted; policies arriving; the disk budget while offline. */
class AgentLifecycleTest {
  @TempDir Path dir;

  /** A {@code tandem-agent run} process reading requests on stdin, answering on stdout. */
  static final class AgentProcess implements AutoCloseable {
    final Process process;
    final OutputStream in;
    final BufferedReader out;

    AgentProcess(Path config, Path log) throws Exception {
      process = ChildJvm.start(TandemAgent.class, log, "run", "--config", config.toString());
      in = process.getOutputStream();
      out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Sends one request and returns its decision id (the record is spooled when it returns). */
    String decide(String request) throws Exception {
      in.write((request + "\n").getBytes(StandardCharsets.UTF_8));
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new AssertionError("agent process ended");
      }
      return Fleet.decisionId(line);
    }

    @Override
    public void close() throws Exception {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void agentSigkilledMidRun_everyAnsweredRecordReachesTheStore_andSequenceNumbersContinue() throws Exception {
    try (Fleet f = new Fleet(dir)) {
      Path config = dir.resolve("agent.json");
      Files.write(config, f.config("dev-k", "").replace("\"stdin\": false", "\"stdin\": true")
          .getBytes(StandardCharsets.UTF_8));
      Random rnd = new Random(5);
      List<String> first = new ArrayList<>();
      try (AgentProcess p = new AgentProcess(config, dir.resolve("agent.log"))) {
        for (int i = 0; i < 150; i++) {
          first.add(p.decide(Fleet.request(rnd, "a" + i)));
        }
        p.process.destroyForcibly(); // SIGKILL, mid-run: uploads in flight, spool open
        p.process.waitFor(10, TimeUnit.SECONDS);
      }
      List<String> second = new ArrayList<>();
      try (AgentProcess p = new AgentProcess(config, dir.resolve("agent.log"))) {
        for (int i = 0; i < 50; i++) {
          second.add(p.decide(Fleet.request(rnd, "b" + i)));
        }
        Set<String> made = new HashSet<>(first);
        made.addAll(second);
        FleetOutageTest.assertStoreHoldsExactly(f, made);
      }
      long lastBefore = seq(first.get(first.size() - 1));
      assertThat(seq(second.get(0))).isGreaterThan(lastBefore);
      for (int i = 1; i < second.size(); i++) {
        assertThat(seq(second.get(i))).isGreaterThan(seq(second.get(i - 1)));
      }
      DeviceGaps g = f.store.gaps().get("dev-k");
      // 200 decisions and one policy_event per start (the policy in force)
      assertThat(StoreContents.idsOfKind(f.storeDir, "policy_event")).hasSize(2);
      assertThat(g.stored()).isEqualTo(202);
      assertThat(g.unused()).as("numbers the restart skipped, declared").isEqualTo(g.missing());
    }
  }

  static long seq(String decisionId) {
    return Long.parseLong(decisionId.substring(decisionId.lastIndexOf(':') + 1));
  }

  @Test
  void policies_invalidOlderAndForAnotherModel_rejectedAndRecorded_newerAppliedWithinASecond() throws Exception {
    try (Fleet f = new Fleet(dir)) {
      Files.write(f.policyFile, Fleet.policy(3, f.modelHash, 0.6).getBytes(StandardCharsets.UTF_8));
      Agent a = f.agent("dev-p", "");
      Fleet.await(() -> a.metrics().render().contains("tandem_agent_policy_version 3"), 5_000, "start");
      String topic = "tandem/v1/policy/test-fleet/tiny";
      MqttClient operator = new MqttClient(f.broker.url(), "operator", new MemoryPersistence());
      operator.connect(new MqttConnectionOptions());
      Thread.sleep(500); // the agent's link subscribes in the background
      operator.publish(topic, Fleet.policy(9, f.modelHash, 0.6).replace("edge_only", "turbo")
          .getBytes(StandardCharsets.UTF_8), 1, true);
      operator.publish(topic, Fleet.policy(2, f.modelHash, 0.5).getBytes(StandardCharsets.UTF_8), 1, true);
      operator.publish(topic, Fleet.policy(4, "ab".repeat(32), 0.5).getBytes(StandardCharsets.UTF_8), 1, true);
      Fleet.await(() -> a.metrics().render().contains("tandem_agent_policy_rejections_total{reason=\"other_edge_model\"} 1"),
          5_000, "three rejections");
      assertThat(a.policyGate().current().version()).isEqualTo(3);

      try (PolicyPublisher pub = new PolicyPublisher(f.broker.url(), "tandem/v1", null, null, null)
          .retainedWaitMs(300)) {
        String valid = Fleet.policy(0, f.modelHash, 0.9).replace("\"version\": 0, ", "");
        long t0 = System.nanoTime();
        PolicyPublisher.Published p = pub.publish("test-fleet", "tiny", valid);
        assertThat(p.version).isEqualTo(5);
        Fleet.await(() -> a.policyGate().current().version() == 5, 1_000, "newer policy applied");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(ms).isLessThan(1_000);
      }
      String answer = a.submit(Fleet.request(new Random(1), "x"), "test");
      assertThat(answer).contains("\"policy_version\":5");
      List<String> events = Files.readAllLines(dir.resolve("spool-dev-p").resolve(PolicyGate.EVENTS));
      assertThat(events).hasSize(4);
      assertThat(events.get(0)).contains("\"outcome\":\"invalid\"").contains("mode");
      assertThat(events.get(1)).contains("\"outcome\":\"older_version\"").contains("\"version\":2");
      assertThat(events.get(2)).contains("\"outcome\":\"other_edge_model\"").contains("\"version\":4");
      assertThat(events.get(3)).contains("\"outcome\":\"applied\"").contains("\"version\":5");
      assertThat(a.metrics().render()).contains("tandem_agent_policy_rejections_total{reason=\"invalid\"} 1")
          .contains("tandem_agent_policy_rejections_total{reason=\"older_version\"} 1");
      // the same events travel as policy_event records, through the spool, to the store
      Fleet.await(() -> policyEventReasons(f.storeDir).size() >= 5, 20_000, "policy events uploaded");
      assertThat(policyEventReasons(f.storeDir))
          .containsExactly("applied start", "rejected invalid", "rejected older_version",
              "rejected other_edge_model", "applied update");
      operator.disconnect();
      operator.close();
    }
  }

  @Test
  void diskBudgetReachedOffline_oldestEvicted_countedAsAGapInTheStore_agentKeepsRunning() throws Exception {
    try (Fleet f = new Fleet(dir)) {
      f.broker.stop();
      String spoolDir = dir.resolve("spool-dev-b").toString();
      String cfg = f.config("dev-b", "").replace("\"dir\": \"" + spoolDir + "\"}",
          "\"dir\": \"" + spoolDir + "\", \"disk_budget_bytes\": 16384}");
      assertThat(cfg).contains("16384");
      Agent b = Agent.start(dev.tandem.agent.config.AgentConfig.parse(cfg, dir), new Agent.Options()
          .output(dev.tandem.agent.output.OutputWriter.file(dir.resolve("out-b.jsonl"))));
      f.agents.add(b);
      Random rnd = new Random(9);
      Set<String> made = new HashSet<>();
      for (int i = 0; i < 400; i++) {
        made.add(Fleet.decisionId(b.submit(Fleet.request(rnd, "e" + i), "test")));
      }
      long evicted = b.metrics().gaugeValue("tandem_agent_spool_evicted_records");
      assertThat(evicted).isPositive();

      f.broker.start();
      Fleet.await(() -> {
        DeviceGaps g = f.store.gaps().get("dev-b");
        return g != null && g.stored() + g.evicted() >= 400;
      }, 60_000, "the rest uploaded");
      DeviceGaps g = f.store.gaps().get("dev-b");
      assertThat(g.evicted()).isEqualTo(evicted);
      // 400 decisions and the policy_event of the start (seq 1, the oldest, so evicted first)
      assertThat(g.stored()).isEqualTo(401 - evicted);
      assertThat(g.missing()).isEqualTo(evicted);
      assertThat(g.lost()).isZero();
      Set<String> written = new HashSet<>(made);
      written.add("dev-b:1");
      assertThat(written).containsAll(StoreContents.ids(f.storeDir));
      // still running: answers, and uploads them
      String later = Fleet.decisionId(b.submit(Fleet.request(rnd, "late"), "test"));
      Fleet.await(() -> f.store.contains("dev-b", seq(later)), 10_000, "a later record");
    }
  }

  /** "event reason" of each stored policy_event record, in sequence order. */
  static List<String> policyEventReasons(Path store) {
    try {
      return policyEventReasonsOrThrow(store);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static List<String> policyEventReasonsOrThrow(Path store) throws java.io.IOException {
    java.util.TreeMap<Long, String> bySeq = new java.util.TreeMap<>();
    if (!Files.exists(store.resolve("records"))) {
      return new ArrayList<>();
    }
    try (java.util.stream.Stream<Path> files = Files.walk(store.resolve("records"))) {
      for (Path p : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".jsonl"))::iterator) {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(line).getAsJsonObject();
          if ("policy_event".equals(o.get("kind").getAsString())) {
            bySeq.put(o.get("seq").getAsLong(), o.get("event").getAsString() + " " + o.get("reason").getAsString());
          }
        }
      }
    }
    return new ArrayList<>(bySeq.values());
  }
}
