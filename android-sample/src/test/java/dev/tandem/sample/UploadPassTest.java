package dev.tandem.sample;

import static org.assertj.core.api.Assertions.assertThat;

import android.app.Application;
import dev.tandem.relay.collect.Collector;
import dev.tandem.relay.collect.LogStore;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.sample.testing.SampleTestRunner;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;

/**
 * What the upload job runs ({@link UploadPass}), against a real broker and the cloud relay's real
 * collector writing a real log store: the pass returns once the collector has acknowledged every
 * decision made before it, and those records then leave the phone's spool. With no collector
 * listening it gives up in its time, and the records stay for the next run.
 */
@RunWith(SampleTestRunner.class)
public class UploadPassTest {
  private static final String[] TEXTS = {
    "Are we still on for lunch tomorrow?",
    "WINNER! Claim your free prize now, reply YES",
    "Can you send me the slides from today's meeting?",
    "URGENT: your account is locked, call this number to unlock it",
    "See you at the station at six",
  };
  private Application app;
  private Path store;

  @Before
  public void installModel() throws Exception {
    app = MainActivityTest.appWithModelOnWifi();
    store = Files.createTempDirectory("upload-pass-store");
  }

  @After
  public void closeEngine() throws Exception {
    EngineHolder.close();
    try (Stream<Path> files = Files.walk(store)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Test
  public void uploadPass_withTheCollectorUp_returnsOnceEveryDecisionIsInTheLogStore_andTheSpoolLetsThemGo()
      throws Exception {
    LogStore logs = LogStore.open(store, Clock.systemUTC(), 1);
    try (TestBroker broker = TestBrokers.start();
        Collector collector = new Collector(new Collector.Options().brokerUrl(broker.url()).clientId("collector"),
            logs, new PrometheusRegistry())) {
      SampleSettings.builder().brokerUri(broker.url()).deviceId("robo-up").build().save(app);
      SampleEngine engine = EngineHolder.get(app);
      List<String> ids = new ArrayList<>();
      for (String text : TEXTS) {
        Decision d = engine.classify(text);
        ids.add(d.id());
      }

      assertThat(UploadPass.run(engine, 60_000)).isTrue();

      for (String id : ids) {
        assertThat(logs.contains("robo-up", seq(id))).as("%s in the log store", id).isTrue();
      }
      assertThat(spooledIds()).doesNotContainAnyElementsOf(ids);
    }
  }

  @Test
  public void uploadPass_withNoCollector_givesUpInItsTime_andKeepsTheRecords() throws Exception {
    try (TestBroker broker = TestBrokers.start()) {
      SampleSettings.builder().brokerUri(broker.url()).deviceId("robo-up").build().save(app);
      SampleEngine engine = EngineHolder.get(app);
      List<String> ids = new ArrayList<>();
      for (String text : TEXTS) {
        ids.add(engine.classify(text).id());
      }

      long t0 = System.nanoTime();
      assertThat(UploadPass.run(engine, 2_000)).isFalse();
      assertThat((System.nanoTime() - t0) / 1e6).isLessThan(30_000.0);

      EngineHolder.close(); // as the job's process ends: what is not acknowledged stays in the spool
      assertThat(spooledIds()).containsAll(ids);
    }
  }

  private List<String> spooledIds() throws java.io.IOException {
    return Spool.readAll(SampleFiles.spoolDir(app)).records().stream().map(Record::id).collect(Collectors.toList());
  }

  private static long seq(String id) {
    return Long.parseLong(id.substring(id.lastIndexOf(':') + 1));
  }
}
