package dev.tandem.runtime.policy;

import dev.tandem.runtime.offload.OffloadStatus;

/**
 * Why a decision took its route. The first group is what {@link Policy#decide} returns; the
 * second is what the runtime records when an offload the policy wanted did not answer in time
 * (route {@link Route#EDGE_FALLBACK}).
 */
public enum Reason {
  // -- from Policy.decide
  /** cascade: the signal cleared the threshold. */
  CONFIDENT("confident"),
  /** cascade: the signal did not clear the threshold. */
  LOW_CONFIDENCE("low_confidence"),
  EDGE_ONLY("edge_only"),
  CLOUD_ONLY("cloud_only"),
  /** The random draw fell under the exploration rate. */
  EXPLORE("explore"),
  /** The deadline-risk rule blocks offloading, but a probe of the round trip was due. */
  PROBE("probe"),
  NO_OFFLOADER("no_offloader"),
  OFFLINE("offline"),
  /** Metered network and the payload exceeds the policy's maximum upload bytes. */
  METERED("metered"),
  BATTERY_LOW("battery_low"),
  /** The edge run already used the whole deadline. */
  DEADLINE("deadline"),
  COST_BUDGET("cost_budget"),
  /** The recent round trips on this network type say the cloud would miss the deadline. */
  DEADLINE_RISK("deadline_risk"),
  // -- from the offload's outcome
  TIMEOUT("timeout"),
  BUSY("busy"),
  EXPIRED("expired"),
  THROTTLED("throttled"),
  OFFLOAD_CAP("offload_cap"),
  PUBLISH_FAILED("publish_failed"),
  BAD_REQUEST("bad_request"),
  UNKNOWN_MODEL("unknown_model"),
  INTERNAL_ERROR("internal_error");

  private final String jsonName;

  Reason(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  /**
   * The fallback reason for an offload that ended with {@code status}.
   *
   * @throws IllegalArgumentException for {@link OffloadStatus#OK}, which is not a fallback
   */
  public static Reason forStatus(OffloadStatus status) {
    switch (status) {
      case TIMEOUT:
        return TIMEOUT;
      case OFFLINE:
        return OFFLINE;
      case OFFLOAD_CAP:
        return OFFLOAD_CAP;
      case PUBLISH_FAILED:
        return PUBLISH_FAILED;
      case BUSY:
        return BUSY;
      case EXPIRED:
        return EXPIRED;
      case THROTTLED:
        return THROTTLED;
      case BAD_REQUEST:
        return BAD_REQUEST;
      case UNKNOWN_MODEL:
        return UNKNOWN_MODEL;
      case INTERNAL_ERROR:
        return INTERNAL_ERROR;
      default:
        throw new IllegalArgumentException("status " + status.wireName() + " is not a fallback");
    }
  }

  /** @throws IllegalArgumentException naming the unknown reason */
  public static Reason fromJsonName(String name) {
    for (Reason r : values()) {
      if (r.jsonName.equals(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown reason '" + name + "'");
  }
}
