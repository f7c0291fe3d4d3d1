package dev.tandem.agent.simulate;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A simulated device's hardware: its compute speed relative to the machine running the
 * simulation, its power draw while computing (for the edge energy cost), and the device class
 * its policy sees.
 *
 * <p>Speed is modelled by stretching: every device shares one ONNX Runtime session (its
 * {@code run} is thread-safe), and after each run a device of speed {@code s} sleeps
 * {@code (1/s - 1)} times the measured run time, inside the recorded edge latency. So speed is
 * at most 1: a device cannot be simulated faster than the host. Built-in profiles
 * ({@link #builtIn}): {@code flagship} (1.0, 4 W), {@code midrange} (0.5, 2.5 W),
 * {@code lowend} (0.25, 1.5 W). Immutable.
 */
public final class DeviceProfile {
  private static final Map<String, DeviceProfile> BUILT_IN = new LinkedHashMap<>();

  static {
    add(new DeviceProfile("flagship", 1.0, 4.0, "high"));
    add(new DeviceProfile("midrange", 0.5, 2.5, "mid"));
    add(new DeviceProfile("lowend", 0.25, 1.5, "low"));
  }

  private final String name;
  private final double speed;
  private final double powerWatts;
  private final String deviceClass;

  /**
   * A profile.
   *
   * @param speed compute speed relative to this machine, in (0, 1]
   * @param powerWatts power drawn while the edge model runs, >= 0
   * @param deviceClass the class the policy's segments see (may be empty)
   * @throws IllegalArgumentException naming a value out of range
   */
  public DeviceProfile(String name, double speed, double powerWatts, String deviceClass) {
    this.name = Objects.requireNonNull(name, "name");
    if (!(speed > 0 && speed <= 1)) {
      throw new IllegalArgumentException("device profile " + name + ": speed must be in (0, 1] (relative to this "
          + "machine; a device cannot run faster than the host), was " + speed);
    }
    if (!(powerWatts >= 0) || Double.isInfinite(powerWatts)) {
      throw new IllegalArgumentException("device profile " + name + ": powerWatts must be >= 0, was " + powerWatts);
    }
    this.speed = speed;
    this.powerWatts = powerWatts;
    this.deviceClass = Objects.requireNonNull(deviceClass, "deviceClass");
  }

  private static void add(DeviceProfile p) {
    BUILT_IN.put(p.name, p);
  }

  /**
   * A built-in profile by name.
   *
   * @throws IllegalArgumentException listing the known names
   */
  public static DeviceProfile builtIn(String name) {
    DeviceProfile p = BUILT_IN.get(name.toLowerCase(Locale.ROOT));
    if (p == null) {
      throw new IllegalArgumentException("unknown device profile '" + name + "' (known: "
          + String.join(", ", BUILT_IN.keySet()) + ")");
    }
    return p;
  }

  public String name() {
    return name;
  }

  /** Compute speed relative to this machine, in (0, 1]. */
  public double speed() {
    return speed;
  }

  public double powerWatts() {
    return powerWatts;
  }

  public String deviceClass() {
    return deviceClass;
  }

  /** How many times longer an edge run takes than on this machine: {@code 1 / speed}. */
  public double timeScale() {
    return 1 / speed;
  }

  @Override
  public String toString() {
    return name + "(speed " + speed + ", " + powerWatts + " W)";
  }
}
