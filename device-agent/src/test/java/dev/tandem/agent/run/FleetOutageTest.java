package dev.tandem.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.agent.upload.StoreContents;
import dev.tandem.relay.collect.DeviceGaps;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broker and collector outages while several devices run. */
class FleetOutageTest {
  static final int DEVICES = 3;

  @TempDir Path dir;

  /** Each device answers a request every {@code periodMs} until told to stop; returns the decision ids. */
  static List<Future<List<String>>> drive(List<Agent> agents, ExecutorService pool, long periodMs,
      java.util.concurrent.atomic.AtomicBoolean stop) {
    return drive(agents, pool, periodMs, stop, new java.util.concurrent.ConcurrentLinkedQueue<>());
  }

  /** As above, also collecting every answer. */
  static List<Future<List<String>>> drive(List<Agent> agents, ExecutorService pool, long periodMs,
      java.util.concurrent.atomic.AtomicBoolean stop, java.util.Queue<String> answers) {
    List<Future<List<String>>> out = new ArrayList<>();
    for (int d = 0; d < agents.size(); d++) {
      Agent a = agents.get(d);
      Random rnd = new Random(17 + d);
      out.add(pool.submit(() -> {
        List<String> ids = new ArrayList<>();
        for (int i = 0; !stop.get(); i++) {
          String answer = a.submit(Fleet.request(rnd, "r" + i), "test");
          answers.add(answer);
          ids.add(Fleet.decisionId(answer));
          Thread.sleep(periodMs);
        }
        return ids;
      }));
    }
    return out;
  }

  static void assertStoreHoldsExactly(Fleet f, Set<String> made) throws Exception {
    Fleet.await(() -> {
      for (String id : made) {
        int colon = id.lastIndexOf(':');
        if (!f.store.contains(id.substring(0, colon), Long.parseLong(id.substring(colon + 1)))) {
          return false;
        }
      }
      return true;
    }, 60_000, "every record in the store");
    assertThat(StoreContents.ids(f.storeDir)).doesNotHaveDuplicates();
    List<String> stored = StoreContents.idsExceptPolicyEvents(f.storeDir);
    // A cloud reply after its decision's deadline adds an amendment record (more of them on a
    // loaded machine): the store holds the decisions made, plus amendments of those decisions only.
    java.util.Map<String, String> amendments = StoreContents.amendments(f.storeDir);
    assertThat(made).containsAll(amendments.values());
    Set<String> decisions = new HashSet<>(stored);
    decisions.removeAll(amendments.keySet());
    assertThat(decisions).isEqualTo(made);
    // besides the records made, each agent start wrote one policy_event (the policy in force)
    Set<String> devices = new HashSet<>();
    for (String id : made) {
      devices.add(id.substring(0, id.lastIndexOf(':')));
    }
    Set<String> withEvents = new HashSet<>();
    for (String id : StoreContents.idsOfKind(f.storeDir, "policy_event")) {
      withEvents.add(id.substring(0, id.lastIndexOf(':')));
    }
    assertThat(withEvents).containsAll(devices);
    for (DeviceGaps g : f.store.gaps().values()) {
      assertThat(g.lost()).as("lost records of %s", g.device()).isZero();
    }
  }

  static java.util.Map<String, Long> routes(java.util.Collection<String> answers) {
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    for (String a : answers) {
      out.merge(com.google.gson.JsonParser.parseString(a).getAsJsonObject().get("route").getAsString()
          + "/" + com.google.gson.JsonParser.parseString(a).getAsJsonObject().get("reason").getAsString(), 1L, Long::sum);
    }
    return out;
  }

  static void awaitFiles(Fleet f, Set<String> made) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!new HashSet<>(StoreContents.ids(f.storeDir)).containsAll(made)) {
      if (System.nanoTime() > end) {
        throw new AssertionError("the store did not receive every record within 60 s");
      }
      Thread.sleep(200);
    }
  }

  @Test
  void brokerDownFor20s_everyDecisionAnswered_storeEndsWithExactlyTheRecordsMade() throws Exception {
    try (Fleet f = new Fleet(dir)) {
      // Devices offload the inputs they are unsure of to a real relay while the broker is up.
      java.nio.file.Files.write(f.policyFile, Fleet.cascadePolicy(1, f.modelHash, 0.8)
          .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      f.startRelay();
      for (int d = 0; d < DEVICES; d++) {
        f.agent("dev-" + d, "\"offload\": {\"enabled\": true, \"cloud_model\": \"tiny\"}");
      }
      Thread.sleep(1_000); // offloaders connect in the background
      ExecutorService pool = Executors.newFixedThreadPool(DEVICES);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.Queue<String> before = new java.util.concurrent.ConcurrentLinkedQueue<>();
      java.util.Queue<String> answers = new java.util.concurrent.ConcurrentLinkedQueue<>();
      List<Future<List<String>>> runs = drive(f.agents, pool, 40, stop, answers);
      Thread.sleep(3_000);
      before.addAll(answers);
      f.broker.stop();
      Thread.sleep(2_000);
      answers.clear();
      Thread.sleep(18_000);
      java.util.List<String> during = new ArrayList<>(answers);
      f.broker.start();
      Thread.sleep(3_000);
      stop.set(true);
      Set<String> made = new HashSet<>();
      for (Future<List<String>> r : runs) {
        List<String> ids = r.get(30, TimeUnit.SECONDS);
        assertThat(ids).hasSizeGreaterThan(100);
        made.addAll(ids);
      }
      pool.shutdown();
      System.out.println("broker outage: " + made.size() + " decisions; routes before " + routes(before)
          + ", during " + routes(during));
      // the cloud answered while the broker was up; while it was down, the edge answered at once
      assertThat(before).anyMatch(a -> a.contains("\"route\":\"cloud\""));
      assertThat(during).isNotEmpty().noneMatch(a -> a.contains("\"route\":\"cloud\""))
          .anyMatch(a -> a.contains("\"route\":\"edge_fallback\""));
      assertStoreHoldsExactly(f, made);
    }
  }

  @Test
  void collectorKilledAndRestarted_whileDevicesUpload_storeEndsWithExactlyTheRecordsMade() throws Exception {
    try (Fleet f = new Fleet(dir)) {
      for (int d = 0; d < DEVICES; d++) {
        f.agent("dev-" + d, "");
      }
      ExecutorService pool = Executors.newFixedThreadPool(DEVICES);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      // the collector as a process of its own, SIGKILLed while batches arrive
      f.collector.close();
      f.collector = null;
      String[] args = {"--broker", f.broker.url(), "--store", f.storeDir.toString(), "--client-id", "collector-proc"};
      Process first = ChildJvm.start(CollectMain.class, dir.resolve("collector.log"), args);
      List<Future<List<String>>> runs = drive(f.agents, pool, 20, stop);
      Thread.sleep(4_000);
      first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      Thread.sleep(2_000);
      Process second = ChildJvm.start(CollectMain.class, dir.resolve("collector.log"), args);
      Thread.sleep(3_000);
      stop.set(true);
      Set<String> made = new HashSet<>();
      for (Future<List<String>> r : runs) {
        made.addAll(r.get(30, TimeUnit.SECONDS));
      }
      pool.shutdown();
      try {
        awaitFiles(f, made);
      } finally {
        second.destroy();
        second.waitFor(10, TimeUnit.SECONDS);
      }
      f.startCollector(); // reads the store back: the index, and the gap accounting
      assertStoreHoldsExactly(f, Collections.unmodifiableSet(made));
    }
  }
}
