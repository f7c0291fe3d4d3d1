package dev.tandem.runtime.internal.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SequenceStoreTest {
  @TempDir Path dir;

  @Test
  void next_startsAtOneAndCounts() {
    SequenceStore s = SequenceStore.open(dir, 10);
    assertThat(s.next()).isEqualTo(1);
    assertThat(s.next()).isEqualTo(2);
    assertThat(s.peek()).isEqualTo(3);
  }

  @Test
  void reopen_continuesStrictlyAboveEveryNumberHandedOut() {
    long last = 0;
    for (int run = 0; run < 5; run++) {
      SequenceStore s = SequenceStore.open(dir, 10);
      int n = 3 + run * 7; // sometimes inside a block, sometimes across blocks
      for (int i = 0; i < n; i++) {
        long v = s.next();
        assertThat(v).isGreaterThan(last);
        last = v;
      }
      // no close: a crash loses nothing that matters
    }
  }

  @Test
  void next_underEightThreads_handsOutEachNumberOnce() throws Exception {
    SequenceStore s = SequenceStore.open(dir, 100);
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    Thread[] ts = new Thread[8];
    for (int t = 0; t < ts.length; t++) {
      ts[t] = new Thread(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < 1000; i++) {
          assertThat(seen.add(s.next())).isTrue();
        }
      });
      ts[t].start();
    }
    start.countDown();
    for (Thread t : ts) {
      t.join();
    }
    assertThat(seen).hasSize(8000);
    assertThat(seen.stream().mapToLong(Long::longValue).max().getAsLong()).isEqualTo(8000);
  }
}
