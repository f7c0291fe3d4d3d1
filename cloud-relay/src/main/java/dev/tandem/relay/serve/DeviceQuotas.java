package dev.tandem.relay.serve;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-device token buckets. Each device may send {@code perSecond} requests per second on
 * average and {@code burst} at once. The buckets live in this relay only: with N relays on a
 * shared subscription a device may get up to N times its quota, unless the broker enforces one.
 *
 * <p>Thread-safe. Buckets of devices idle long enough to have refilled are dropped, so memory
 * follows the number of recently active devices.
 */
public final class DeviceQuotas {
  private final double perNano;
  private final double burst;
  private final LongSupplier nanoClock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
  private final long fullAfterNanos;
  private volatile long lastSweep;

  /**
   * @param perSecond sustained rate; 0 disables the quota (every request is allowed)
   * @param burst bucket size, at least 1 when {@code perSecond > 0}
   * @param nanoClock monotonic nanoseconds ({@code System::nanoTime} outside tests)
   */
  public DeviceQuotas(double perSecond, int burst, LongSupplier nanoClock) {
    if (perSecond < 0 || (perSecond > 0 && burst < 1)) {
      throw new IllegalArgumentException("quota needs perSecond >= 0 and burst >= 1, was " + perSecond + "/" + burst);
    }
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.nanoClock = nanoClock;
    this.fullAfterNanos = perSecond == 0 ? 0 : (long) (burst / this.perNano);
    this.lastSweep = nanoClock.getAsLong();
  }

  /** Whether quotas are on. */
  public boolean enabled() {
    return perNano > 0;
  }

  /** Takes one token for {@code deviceId}; false means the request must be answered {@code throttled}. */
  public boolean tryAcquire(String deviceId) {
    if (perNano == 0) {
      return true;
    }
    long now = nanoClock.getAsLong();
    sweep(now);
    Bucket b = buckets.computeIfAbsent(deviceId, d -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (now - b.updated) * perNano);
      b.updated = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }

  /** Devices with a bucket in memory. */
  public int trackedDevices() {
    return buckets.size();
  }

  private void sweep(long now) {
    if (now - lastSweep < Math.max(fullAfterNanos, 1_000_000_000L)) {
      return;
    }
    lastSweep = now;
    for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
      Bucket b = it.next();
      synchronized (b) {
        // A bucket that would be full again is the same as no bucket.
        if (now - b.updated >= fullAfterNanos) {
          it.remove();
        }
      }
    }
  }

  private static final class Bucket {
    double tokens;
    long updated;

    Bucket(double tokens, long updated) {
      this.tokens = tokens;
      this.updated = updated;
    }
  }
}
