package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeviceQuotasTest {

  @Test
  void tryAcquire_burstThenRate_perDevice() {
    AtomicLong now = new AtomicLong();
    DeviceQuotas q = new DeviceQuotas(2, 3, now::get);
    assertThat(q.tryAcquire("a")).isTrue();
    assertThat(q.tryAcquire("a")).isTrue();
    assertThat(q.tryAcquire("a")).isTrue();
    assertThat(q.tryAcquire("a")).isFalse();
    assertThat(q.tryAcquire("b")).isTrue();
    now.addAndGet(500_000_000L); // half a second at 2/s: one token back
    assertThat(q.tryAcquire("a")).isTrue();
    assertThat(q.tryAcquire("a")).isFalse();
  }

  @Test
  void idleBuckets_areDropped() {
    AtomicLong now = new AtomicLong();
    DeviceQuotas q = new DeviceQuotas(10, 10, now::get);
    for (int i = 0; i < 100; i++) {
      q.tryAcquire("d" + i);
    }
    assertThat(q.trackedDevices()).isEqualTo(100);
    now.addAndGet(5_000_000_000L);
    q.tryAcquire("fresh");
    assertThat(q.trackedDevices()).isEqualTo(1);
  }

  @Test
  void zeroRate_disablesQuota() {
    DeviceQuotas q = new DeviceQuotas(0, 0, System::nanoTime);
    for (int i = 0; i < 1000; i++) {
      assertThat(q.tryAcquire("a")).isTrue();
    }
  }
}
