package dev.tandem.runtime.internal.policy;

import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.RoundTripSnapshot;
import dev.tandem.runtime.offload.OffloadStatus;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Round trips per network type: an EWMA of all samples, and the 95th percentile of a window of
 * recent ones (at most {@code window_samples}, none older than {@code window_ms}). Thread-safe.
 *
 * <p>Design note. The deadline-risk rule stops offloading on a network type whose recent p95
 * would miss the deadline. Two things keep it from locking itself out: samples age out of the
 * window (so with no traffic the rule lifts once fewer than {@code min_samples} remain), and
 * while it blocks, the policy turns one decision per {@code probe_interval_ms} into a shadow
 * probe whose round trip is fed back here. A request that timed out contributes its budget as a
 * (censored) sample, since its true round trip was at least that long; statuses the device
 * concluded on its own (offline, cap) say nothing about the network and are not samples.
 *
 * <p>Samples are stamped with the time their request was sent, so that a device's records,
 * taken in time order, rebuild the same state ({@code RecordReplay.roundTripAfter}).
 */
public final class RoundTripEstimator {
  private final Map<NetworkType, State> states = new EnumMap<>(NetworkType.class);
  private double alpha;
  private long windowMs;
  private int windowSamples;

  /** An empty estimator with the policy's round-trip settings. */
  public RoundTripEstimator(Policy policy) {
    configure(policy);
  }

  /** Adopts a new policy's settings, keeping the samples. */
  public synchronized void configure(Policy policy) {
    this.alpha = policy.roundTripAlpha();
    this.windowMs = policy.roundTripWindowMs();
    this.windowSamples = policy.roundTripWindowSamples();
    for (State s : states.values()) {
      s.trim(windowSamples);
    }
  }

  /** The state for {@code network} at {@code nowMs}, as {@link Policy#decide} reads it. */
  public synchronized RoundTripSnapshot snapshot(NetworkType network, long nowMs) {
    State s = states.get(network);
    if (s == null) {
      return RoundTripSnapshot.EMPTY;
    }
    s.expire(nowMs - windowMs);
    double p95 = -1;
    int n = s.window.size();
    if (n > 0) {
      double[] v = new double[n];
      int i = 0;
      for (double[] e : s.window) {
        v[i++] = e[1];
      }
      Arrays.sort(v);
      p95 = v[(int) Math.ceil(0.95 * n) - 1]; // nearest rank
    }
    long since = s.lastAttemptMs == Long.MIN_VALUE ? -1 : Math.max(0, nowMs - s.lastAttemptMs);
    return RoundTripSnapshot.of(n, s.ewmaMs, p95, since);
  }

  /** Notes that a request was sent on {@code network} at {@code timeMs}. */
  public synchronized void attempt(NetworkType network, long timeMs) {
    state(network).lastAttemptMs = timeMs;
  }

  /**
   * Feeds the outcome of a request sent at {@code sentAtMs}: a relay's reply gives its round
   * trip, a timeout gives {@code budgetMs}; other outcomes are ignored.
   */
  public synchronized void outcome(NetworkType network, long sentAtMs, OffloadStatus status, double roundTripMs,
      long budgetMs) {
    double sample;
    if (status == OffloadStatus.TIMEOUT) {
      sample = budgetMs;
    } else if (status.fromRelay() && roundTripMs >= 0) {
      sample = roundTripMs;
    } else {
      return;
    }
    State s = state(network);
    s.ewmaMs = s.ewmaMs < 0 ? sample : alpha * sample + (1 - alpha) * s.ewmaMs;
    s.window.addLast(new double[] {sentAtMs, sample});
    s.trim(windowSamples);
  }

  private State state(NetworkType n) {
    State s = states.get(n);
    if (s == null) {
      s = new State();
      states.put(n, s);
    }
    return s;
  }

  private static final class State {
    double ewmaMs = -1;
    long lastAttemptMs = Long.MIN_VALUE;
    final ArrayDeque<double[]> window = new ArrayDeque<>(); // {sentAtMs, roundTripMs}

    void expire(long oldestKeptMs) {
      Iterator<double[]> it = window.iterator();
      while (it.hasNext()) {
        if (it.next()[0] < oldestKeptMs) {
          it.remove();
        }
      }
    }

    void trim(int max) {
      while (window.size() > max) {
        window.removeFirst();
      }
    }
  }
}
