package dev.tandem.runtime;

import static dev.tandem.runtime.TandemTest.CASCADE;
import static dev.tandem.runtime.TandemTest.CONFIDENT;
import static dev.tandem.runtime.TandemTest.UNSURE;
import static dev.tandem.runtime.TandemTest.x;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.spool.FsyncPolicy;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.testing.LocalModelOffloader;
import dev.tandem.runtime.testing.ReplayCheck;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where and when Tandem writes its records: on the deciding thread by default, or on a writer thread of its own. */
class TandemRecordWritingTest {
  @TempDir Path dir;

  private Tandem.Builder tandem(Spool spool, Set<String> writerThreads) {
    return Tandem.builder().edgeModel(TinyModels.classifier()).intraOpThreads(1).model("tiny").deviceId("dev-1")
        .policy(CASCADE).spool(spool).random(new Random(7))
        .recordListener(r -> writerThreads.add(Thread.currentThread().getName()))
        .offloader(new LocalModelOffloader(TinyModels.classifier()));
  }

  private List<DecisionRecord> decisions() {
    return Spool.readAll(dir.resolve("spool")).records().stream().filter(r -> r instanceof DecisionRecord)
        .map(r -> (DecisionRecord) r).collect(Collectors.toList());
  }

  @Test
  void byDefault_anAnsweredDecisionsRecordIsInTheSpoolWhenInferReturns_writtenOnTheDecidingThread() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try (Tandem t = tandem(Spool.builder(dir.resolve("spool")).build(), threads).build()) {
      Decision d = t.infer(x(CONFIDENT));
      assertThat(decisions()).extracting(Record::id).containsExactly(d.id());
      Decision c = t.infer(x(UNSURE));
      assertThat(c.route()).isEqualTo(Route.CLOUD);
      assertThat(decisions()).extracting(Record::id).containsExactly(d.id(), c.id());
    }
    assertThat(threads).containsExactly(Thread.currentThread().getName());
  }

  @Test
  void inBackground_everyRecordIsWrittenOffTheDecidingThread_inTheOrderMade_andAllOfThemByClose() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<String> answered = new ArrayList<>();
    try (Tandem t = tandem(Spool.builder(dir.resolve("spool")).maxSegmentBytes(16 * 1024).build(), threads)
        .writeRecordsInBackground(true).build()) {
      for (int i = 0; i < 600; i++) {
        answered.add(t.infer(x(i % 5 == 0 ? UNSURE : CONFIDENT)).id());
      }
      t.feedback(answered.get(0), 1);
    }
    assertThat(threads).hasSize(1).doesNotContain(Thread.currentThread().getName());
    assertThat(threads.iterator().next()).startsWith("tandem-records-");
    // several segments, read in order: the file order is the order of the decisions
    assertThat(decisions()).extracting(Record::id).containsExactlyElementsOf(answered);
    assertThat(decisions()).extracting(DecisionRecord::route).contains(Route.EDGE, Route.CLOUD);
    assertThat(Spool.readAll(dir.resolve("spool")).records()).hasSize(601);
    ReplayCheck.assertEveryDecisionReplays(dir.resolve("spool"), CASCADE);
  }

  @Test
  void inBackground_fromManyThreads_noRecordIsLostOrWrittenTwice() throws Exception {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Set<String> answered = ConcurrentHashMap.newKeySet();
    try (Tandem t = tandem(Spool.builder(dir.resolve("spool")).build(), threads).writeRecordsInBackground(true)
        .build()) {
      List<Thread> callers = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        Thread th = new Thread(() -> {
          for (int i = 0; i < 200; i++) {
            answered.add(t.infer(x(CONFIDENT)).id());
          }
        });
        callers.add(th);
        th.start();
      }
      for (Thread th : callers) {
        th.join();
      }
    }
    List<String> ids = decisions().stream().map(Record::id).collect(Collectors.toList());
    assertThat(ids).hasSize(800).doesNotHaveDuplicates();
    assertThat(ids).containsExactlyInAnyOrderElementsOf(answered);
  }

  @Test
  void inBackground_withAnFsyncOfEveryRecord_isRefusedByName() {
    Set<String> threads = ConcurrentHashMap.newKeySet();
    Tandem.Builder b = tandem(Spool.builder(dir.resolve("spool")).fsync(FsyncPolicy.everyRecord()).build(), threads)
        .writeRecordsInBackground(true);
    assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("writeRecordsInBackground").hasMessageContaining("fsync every record");
  }
}
