package dev.tandem.runtime.device;

import java.util.Objects;

/**
 * The device's state at the moment of a decision: network type, whether that network is
 * metered, battery level and charging, and the device class (a free label such as
 * {@code "low"} or {@code "pixel7"} that policies can segment on). Immutable.
 *
 * <p>A device without a battery reports 100 percent and charging.
 */
public final class DeviceState {
  private final NetworkType networkType;
  private final boolean metered;
  private final int batteryPercent;
  private final boolean charging;
  private final String deviceClass;

  private DeviceState(Builder b) {
    this.networkType = b.networkType;
    this.metered = b.metered;
    this.batteryPercent = b.batteryPercent;
    this.charging = b.charging;
    this.deviceClass = b.deviceClass;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A mains-powered device on an unmetered network of the given type, device class "default". */
  public static DeviceState of(NetworkType networkType) {
    return builder().networkType(networkType).build();
  }

  public Builder toBuilder() {
    return new Builder()
        .networkType(networkType)
        .metered(metered)
        .batteryPercent(batteryPercent)
        .charging(charging)
        .deviceClass(deviceClass);
  }

  public NetworkType networkType() {
    return networkType;
  }

  public boolean metered() {
    return metered;
  }

  /** Battery charge, 0 to 100. */
  public int batteryPercent() {
    return batteryPercent;
  }

  public boolean charging() {
    return charging;
  }

  public String deviceClass() {
    return deviceClass;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DeviceState)) {
      return false;
    }
    DeviceState s = (DeviceState) o;
    return networkType == s.networkType && metered == s.metered && batteryPercent == s.batteryPercent
        && charging == s.charging && deviceClass.equals(s.deviceClass);
  }

  @Override
  public int hashCode() {
    return Objects.hash(networkType, metered, batteryPercent, charging, deviceClass);
  }

  @Override
  public String toString() {
    return "DeviceState{" + networkType.jsonName() + (metered ? " metered" : "") + ", battery " + batteryPercent
        + "%" + (charging ? " charging" : "") + ", class " + deviceClass + "}";
  }

  /** Builder for {@link DeviceState}; defaults: wifi, unmetered, 100 percent, charging, class "default". */
  public static final class Builder {
    private NetworkType networkType = NetworkType.WIFI;
    private boolean metered;
    private int batteryPercent = 100;
    private boolean charging = true;
    private String deviceClass = "default";

    private Builder() {}

    public Builder networkType(NetworkType networkType) {
      this.networkType = Objects.requireNonNull(networkType, "networkType");
      return this;
    }

    public Builder metered(boolean metered) {
      this.metered = metered;
      return this;
    }

    public Builder batteryPercent(int batteryPercent) {
      this.batteryPercent = batteryPercent;
      return this;
    }

    public Builder charging(boolean charging) {
      this.charging = charging;
      return this;
    }

    public Builder deviceClass(String deviceClass) {
      this.deviceClass = Objects.requireNonNull(deviceClass, "deviceClass");
      return this;
    }

    /** @throws IllegalStateException naming the invalid option */
    public DeviceState build() {
      if (batteryPercent < 0 || batteryPercent > 100) {
        throw new IllegalStateException("batteryPercent must be within [0, 100], was " + batteryPercent);
      }
      if (deviceClass.isEmpty()) {
        throw new IllegalStateException("deviceClass must not be empty");
      }
      return new DeviceState(this);
    }
  }
}
