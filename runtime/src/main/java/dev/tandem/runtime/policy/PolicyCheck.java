package dev.tandem.runtime.policy;

import java.util.Optional;

/**
 * Whether a device should apply a newly received policy: only a newer version, made for its edge
 * model (or for any), whose canary includes the device. Devices keep the last good policy
 * otherwise and record the rejection.
 */
final class PolicyCheck {
  private PolicyCheck() {}

  /**
   * The reason to reject {@code candidate}, or empty to apply it.
   *
   * @param current the policy in force
   * @param edgeModelHash the device's edge model (SHA-256 hex)
   */
  static Optional<String> rejection(Policy current, Policy candidate, String deviceId, String edgeModelHash) {
    if (candidate.version() <= current.version()) {
      return Optional.of("older_version: version " + candidate.version() + " is not newer than " + current.version());
    }
    if (!candidate.edgeModelHash().isEmpty() && !candidate.edgeModelHash().equalsIgnoreCase(edgeModelHash)) {
      return Optional.of("other_edge_model: policy is for edge model " + candidate.edgeModelHash()
          + ", this device runs " + edgeModelHash);
    }
    if (!candidate.includesDevice(deviceId)) {
      return Optional.of("not_in_canary: device is outside the canary fraction " + candidate.canaryFraction());
    }
    return Optional.empty();
  }
}
