package dev.tandem.runtime.offload;

/**
 * How one offload ended, as decisions and records report it. The first seven are the statuses a
 * relay puts in its reply; the other four are outcomes the device concludes on its own (no reply
 * in time, no connection, the device's own cap, a refused publish).
 */
public enum OffloadStatus {
  OK("ok", true),
  BAD_REQUEST("bad_request", true),
  UNKNOWN_MODEL("unknown_model", true),
  EXPIRED("expired", true),
  BUSY("busy", true),
  THROTTLED("throttled", true),
  INTERNAL_ERROR("internal_error", true),
  /** No reply arrived before the request's deadline. */
  TIMEOUT("timeout", false),
  /** Not connected to the broker when the request was made, or the connection dropped. */
  OFFLINE("offline", false),
  /** The device's cap on concurrent offloads was reached. */
  OFFLOAD_CAP("offload_cap", false),
  /** The MQTT client refused the publish (for example, too many publishes in progress). */
  PUBLISH_FAILED("publish_failed", false);

  private final String wireName;
  private final boolean fromRelay;

  OffloadStatus(String wireName, boolean fromRelay) {
    this.wireName = wireName;
    this.fromRelay = fromRelay;
  }

  /** Name in records, e.g. {@code "busy"} (the relay's statuses keep their wire name). */
  public String wireName() {
    return wireName;
  }

  /** Whether a relay sends this status (as opposed to the device concluding it). */
  public boolean fromRelay() {
    return fromRelay;
  }

  /**
   * The status with the given name.
   *
   * @throws IllegalArgumentException naming the unknown status
   */
  public static OffloadStatus fromWireName(String name) {
    for (OffloadStatus s : values()) {
      if (s.wireName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown offload status '" + name + "'");
  }
}
