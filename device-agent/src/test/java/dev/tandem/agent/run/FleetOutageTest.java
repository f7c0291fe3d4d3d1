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

  /** Each device answers a request every {@code periodMs} until told to stop. */
  static List<Future<List<String>>> drive(List<Agent> agents, ExecutorService pool, long periodMs,
      java.util.concurrent.atomic.AtomicBoolean stop) {
    List<Future<List<String>>> out = new ArrayList<>();
    for (int d = 0; d < agents.size(); d++) {
      Agent a = agents.get(d);
      Random rnd = new Random(17 + d);
      out.add(pool.submit(() -> {
        List<String> ids = new ArrayList<>();
        for (int i = 0; !stop.get(); i++) {
          ids.add(Fleet.decisionId(a.submit(Fleet.request(rnd, "r" + i), "test")));
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
    List<String> stored = StoreContents.ids(f.storeDir);
    assertThat(stored).doesNotHaveDuplicates();
    assertThat(new HashSet<>(stored)).isEqualTo(made);
    for (DeviceGaps g : f.store.gaps().values()) {
      assertThat(g.lost()).as("lost records of %s", g.device()).isZero();
    }
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
      for (int d = 0; d < DEVICES; d++) {
        f.agent("dev-" + d, "");
      }
      ExecutorService pool = Executors.newFixedThreadPool(DEVICES);
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      List<Future<List<String>>> runs = drive(f.agents, pool, 40, stop);
      Thread.sleep(2_000);
      f.broker.stop();
      Thread.sleep(20_000);
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
