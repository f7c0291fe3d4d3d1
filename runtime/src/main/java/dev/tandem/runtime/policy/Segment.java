package dev.tandem.runtime.policy;

import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import java.util.Objects;
import java.util.Optional;

/**
 * A threshold override for the devices of one segment: a network type, a device class, or both.
 * When several segments match a decision, the one naming both wins over one naming only one; among
 * equally specific segments, the first listed wins. Immutable.
 */
public final class Segment {
  private final NetworkType network;
  private final String deviceClass;
  private final double threshold;

  private Segment(NetworkType network, String deviceClass, double threshold) {
    this.network = network;
    this.deviceClass = deviceClass;
    this.threshold = threshold;
  }

  /**
   * @param network the network type to match, or {@code null} for any
   * @param deviceClass the device class to match, or {@code null} for any
   * @throws IllegalArgumentException if neither is given
   */
  public static Segment of(NetworkType network, String deviceClass, double threshold) {
    if (network == null && deviceClass == null) {
      throw new IllegalArgumentException("a segment needs a network type, a device class, or both");
    }
    return new Segment(network, deviceClass, threshold);
  }

  public Optional<NetworkType> network() {
    return Optional.ofNullable(network);
  }

  public Optional<String> deviceClass() {
    return Optional.ofNullable(deviceClass);
  }

  public double threshold() {
    return threshold;
  }

  /** Number of keys the segment names (1 or 2): the more, the more specific. */
  int specificity() {
    return (network == null ? 0 : 1) + (deviceClass == null ? 0 : 1);
  }

  boolean matches(DeviceState state) {
    return (network == null || network == state.networkType())
        && (deviceClass == null || deviceClass.equals(state.deviceClass()));
  }

  boolean sameKeys(Segment o) {
    return network == o.network && Objects.equals(deviceClass, o.deviceClass);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Segment)) {
      return false;
    }
    Segment s = (Segment) o;
    return sameKeys(s) && threshold == s.threshold;
  }

  @Override
  public int hashCode() {
    return Objects.hash(network, deviceClass, threshold);
  }

  @Override
  public String toString() {
    return "Segment{" + (network == null ? "" : "network=" + network.jsonName() + " ")
        + (deviceClass == null ? "" : "class=" + deviceClass + " ") + "threshold=" + threshold + "}";
  }
}
