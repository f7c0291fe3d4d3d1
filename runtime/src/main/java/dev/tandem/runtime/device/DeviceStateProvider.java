package dev.tandem.runtime.device;

import java.util.Objects;

/**
 * Tells the runtime the device's current state. Called once per decision, on the calling
 * thread: implementations must be thread-safe and fast (cache what is slow to read).
 */
public interface DeviceStateProvider {

  /** The state now; never null. */
  DeviceState current();

  /** A provider that always reports {@code state}. */
  static DeviceStateProvider fixed(DeviceState state) {
    Objects.requireNonNull(state, "state");
    return () -> state;
  }
}
