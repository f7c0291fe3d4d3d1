package dev.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.Record;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RecordWriterTest {
  private static Record label(long seq) {
    return AmendmentRecord.label("dev-1", seq, 1_000 + seq, "dev-1:1", 0);
  }

  @Test
  void aFullQueue_makesTheCallerWait_andDropsNothing() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Long> written = new CopyOnWriteArrayList<>();
    RecordWriter w = new RecordWriter(r -> {
      awaitQuietly(release);
      written.add(r.seq());
    }, 1, "test-writer");
    AtomicBoolean handedOver = new AtomicBoolean();
    Thread caller = new Thread(() -> {
      for (long s = 1; s <= 4; s++) {
        w.submit(label(s));
      }
      handedOver.set(true);
    });
    caller.start();
    caller.join(300);
    assertThat(handedOver).isFalse(); // one being written, one queued: the third waits
    release.countDown();
    caller.join(5_000);
    assertThat(handedOver).isTrue();
    assertThat(w.awaitWritten(5, TimeUnit.SECONDS)).isTrue();
    assertThat(written).containsExactly(1L, 2L, 3L, 4L);
    w.close();
  }

  @Test
  void aFailingWrite_isLogged_andTheNextRecordsAreStillWritten() throws Exception {
    List<Long> written = new CopyOnWriteArrayList<>();
    RecordWriter w = new RecordWriter(r -> {
      if (r.seq() == 2) {
        throw new IllegalStateException("disk on fire");
      }
      written.add(r.seq());
    }, 8, "test-writer");
    for (long s = 1; s <= 3; s++) {
      assertThat(w.submit(label(s))).isTrue();
    }
    assertThat(w.awaitWritten(5, TimeUnit.SECONDS)).isTrue();
    assertThat(written).containsExactly(1L, 3L);
    w.close();
  }

  @Test
  void close_writesEverythingQueued_andLaterRecordsAreLeftToTheCaller() throws Exception {
    List<Long> written = new CopyOnWriteArrayList<>();
    RecordWriter w = new RecordWriter(r -> {
      sleepQuietly(2);
      written.add(r.seq());
    }, 1024, "test-writer");
    for (long s = 1; s <= 100; s++) {
      w.submit(label(s));
    }
    w.close();
    assertThat(written).hasSize(100);
    assertThat(w.submit(label(101))).isFalse();
    w.close(); // idempotent
  }

  @Test
  void aRecordHandedOverOnTheWritersOwnThread_isLeftToThatThread_neverQueuedBehindItself() throws Exception {
    List<Long> written = new CopyOnWriteArrayList<>();
    RecordWriter[] self = new RecordWriter[1];
    List<Boolean> accepted = new CopyOnWriteArrayList<>();
    self[0] = new RecordWriter(r -> {
      written.add(r.seq());
      if (r.seq() == 1) {
        accepted.add(self[0].submit(label(2)));
      }
    }, 1, "test-writer");
    self[0].submit(label(1));
    assertThat(self[0].awaitWritten(5, TimeUnit.SECONDS)).isTrue();
    assertThat(accepted).containsExactly(false);
    self[0].close();
  }

  private static void awaitQuietly(CountDownLatch l) {
    try {
      l.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
