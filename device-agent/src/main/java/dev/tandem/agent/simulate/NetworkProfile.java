package dev.tandem.agent.simulate;

import dev.tandem.runtime.device.NetworkType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a simulated device's network behaves: applied on the real TCP path by its
 * {@link LinkProxy}. Latency is the round trip the proxy adds (half on each direction), jitter
 * a uniform extra delay per chunk of up to {@code jitterMs} (never reordering bytes), bandwidth a
 * serialisation delay per direction. An offline window of {@code offlineForMs} every
 * {@code offlineEveryMs} refuses new connections and drops open ones.
 *
 * <p>Built-in profiles ({@link #builtIn}): {@code wifi}, {@code 4g}, {@code 3g}, and
 * {@code 4g-flaky} (4g with a 10 s outage every 60 s). Immutable.
 */
public final class NetworkProfile {
  private static final Map<String, NetworkProfile> BUILT_IN = new LinkedHashMap<>();

  static {
    add(new NetworkProfile("wifi", NetworkType.WIFI, false, 20, 10, 50_000, 20_000, 0, 0));
    add(new NetworkProfile("4g", NetworkType.CELL_4G, true, 60, 30, 20_000, 5_000, 0, 0));
    add(new NetworkProfile("3g", NetworkType.CELL_3G, true, 200, 100, 2_000, 500, 0, 0));
    add(new NetworkProfile("4g-flaky", NetworkType.CELL_4G, true, 60, 30, 20_000, 5_000, 60_000, 10_000));
  }

  private final String name;
  private final NetworkType type;
  private final boolean metered;
  private final long rttMs;
  private final long jitterMs;
  private final long downKbps;
  private final long upKbps;
  private final long offlineEveryMs;
  private final long offlineForMs;

  /**
   * A profile.
   *
   * @param rttMs round trip added by the proxy (half per direction)
   * @param jitterMs extra delay per chunk, uniform in [0, jitterMs]
   * @param downKbps broker-to-device bandwidth in kbit/s; 0 = unlimited
   * @param upKbps device-to-broker bandwidth in kbit/s; 0 = unlimited
   * @param offlineEveryMs period of offline windows; 0 = never offline
   * @param offlineForMs length of each offline window
   * @throws IllegalArgumentException naming a negative or inconsistent value
   */
  public NetworkProfile(String name, NetworkType type, boolean metered, long rttMs, long jitterMs, long downKbps,
      long upKbps, long offlineEveryMs, long offlineForMs) {
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.metered = metered;
    check("rttMs", rttMs);
    check("jitterMs", jitterMs);
    check("downKbps", downKbps);
    check("upKbps", upKbps);
    check("offlineEveryMs", offlineEveryMs);
    check("offlineForMs", offlineForMs);
    if (offlineEveryMs > 0 && offlineForMs >= offlineEveryMs) {
      throw new IllegalArgumentException("network profile " + name + ": offlineForMs (" + offlineForMs
          + ") must be shorter than offlineEveryMs (" + offlineEveryMs + ")");
    }
    this.rttMs = rttMs;
    this.jitterMs = jitterMs;
    this.downKbps = downKbps;
    this.upKbps = upKbps;
    this.offlineEveryMs = offlineEveryMs;
    this.offlineForMs = offlineEveryMs == 0 ? 0 : offlineForMs;
  }

  private static void add(NetworkProfile p) {
    BUILT_IN.put(p.name, p);
  }

  private void check(String field, long v) {
    if (v < 0) {
      throw new IllegalArgumentException("network profile " + name + ": " + field + " must be >= 0, was " + v);
    }
  }

  /**
   * A built-in profile by name.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static NetworkProfile builtIn(String name) {
    NetworkProfile p = BUILT_IN.get(name.toLowerCase(Locale.ROOT));
    if (p == null) {
      throw new IllegalArgumentException("unknown network profile '" + name + "' (known: "
          + String.join(", ", BUILT_IN.keySet()) + ")");
    }
    return p;
  }

  /** The built-in profiles' names, in table order. */
  public static String[] builtInNames() {
    return BUILT_IN.keySet().toArray(new String[0]);
  }

  /** The same link with no latency, jitter, bandwidth limit or outage (tests, baselines). */
  public static NetworkProfile direct(String name) {
    return new NetworkProfile(name, NetworkType.WIFI, false, 0, 0, 0, 0, 0, 0);
  }

  public String name() {
    return name;
  }

  /** The network type the device reports to its policy. */
  public NetworkType type() {
    return type;
  }

  public boolean metered() {
    return metered;
  }

  public long rttMs() {
    return rttMs;
  }

  public long jitterMs() {
    return jitterMs;
  }

  public long downKbps() {
    return downKbps;
  }

  public long upKbps() {
    return upKbps;
  }

  public long offlineEveryMs() {
    return offlineEveryMs;
  }

  public long offlineForMs() {
    return offlineForMs;
  }

  /** Whether a device whose outage cycle is shifted by {@code phaseMs} is offline {@code elapsedMs} into the run. */
  public boolean offlineAt(long elapsedMs, long phaseMs) {
    if (offlineEveryMs == 0) {
      return false;
    }
    return Math.floorMod(elapsedMs + phaseMs, offlineEveryMs) < offlineForMs;
  }

  @Override
  public String toString() {
    return name + Arrays.toString(new long[] {rttMs, jitterMs, downKbps, upKbps, offlineEveryMs, offlineForMs});
  }
}
