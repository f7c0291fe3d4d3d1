package dev.tandem.agent.upload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.agent.http.AgentMetrics;
import dev.tandem.relay.collect.Collector;
import dev.tandem.relay.collect.DeviceGaps;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.runtime.internal.fleet.LogUploader;
import dev.tandem.runtime.internal.fleet.MqttLink;
import dev.tandem.runtime.internal.fleet.SpoolUploadQueue;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.spool.FsyncPolicy;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log pipeline without the inference part: spool -> uploader -> broker -> collector -> store. */
class UploadPipelineTest {
  @TempDir Path dir;

  static AmendmentRecord rec(String device, long seq) {
    return AmendmentRecord.label(device, seq, 1_790_000_000_000L + seq, device + ":0", 1);
  }

  static void await(java.util.function.BooleanSupplier cond, long timeoutMs) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError("condition not met within " + timeoutMs + " ms");
      }
      Thread.sleep(50);
    }
  }

  LogUploader uploader(MqttLink link, Spool spool, String device) {
    return new LogUploader(link, new SpoolUploadQueue(spool, 100), device, "tandem/v1/logs/" + device,
        "tandem/v1/logs-ack/" + device, new LogUploader.Settings().intervalMs(100).ackTimeoutMs(1500)
            .backoff(100, 1000), new AgentMetrics());
  }

  @Test
  void upload_survivesBrokerAndCollectorRestarts_storeHoldsEachRecordOnce() throws Exception {
    Path storeDir = dir.resolve("store");
    try (TestBroker broker = TestBrokers.start();
        Spool spool = Spool.builder(dir.resolve("spool")).maxSegmentBytes(4096).diskBudgetBytes(1 << 20)
            .fsync(FsyncPolicy.everyRecord()).build();
        MqttLink link = new MqttLink(broker.url(), "dev-1-logs", null, null, null).start();
        LogUploader up = uploader(link, spool, "dev-1")) {
      LogStore store = LogStore.open(storeDir, Clock.systemUTC(), 1);
      Collector collector = new Collector(new Collector.Options().brokerUrl(broker.url())
          .clientId("collector-1"), store, new PrometheusRegistry());
      long seq = 0;
      for (; seq < 100; seq++) {
        spool.append(rec("dev-1", seq + 1));
      }
      up.nudge();
      await(() -> store.contains("dev-1", 100), 15_000);

      broker.stop();
      for (; seq < 200; seq++) {
        spool.append(rec("dev-1", seq + 1));
      }
      Thread.sleep(1500);
      broker.start();
      await(() -> store.contains("dev-1", 200), 30_000);

      // collector killed (no clean disconnect) and a fresh one with an empty memory
      collector.close();
      for (; seq < 300; seq++) {
        spool.append(rec("dev-1", seq + 1));
      }
      Thread.sleep(1000);
      LogStore reopened = LogStore.open(storeDir, Clock.systemUTC(), 1);
      try (Collector again = new Collector(new Collector.Options().brokerUrl(broker.url())
          .clientId("collector-1"), reopened, new PrometheusRegistry())) {
        await(() -> reopened.contains("dev-1", 300), 30_000);
        DeviceGaps g = reopened.gaps().get("dev-1");
        assertThat(g.stored()).isEqualTo(300);
        assertThat(g.lost()).isZero();
        // every batch acknowledged and gone from the spool (while a collector is there to ack)
        await(() -> spool.closedSegments().isEmpty() && up.lastAckedSeq() >= 0, 15_000);
      }
    }
    // exactly the records made: every id once, across all batch files
    assertThat(StoreContents.ids(storeDir)).hasSize(300).doesNotHaveDuplicates();
  }
}
