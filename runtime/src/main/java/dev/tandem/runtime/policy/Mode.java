package dev.tandem.runtime.policy;

/** How a policy routes by default. */
public enum Mode {
  /** Always answer on the device (exploration may still ask the cloud). */
  EDGE_ONLY("edge_only"),
  /** Answer on the device when a confidence signal clears the threshold, else ask the cloud. */
  CASCADE("cascade"),
  /** Always ask the cloud; the edge model runs only when the cloud cannot answer. */
  CLOUD_ONLY("cloud_only");

  private final String jsonName;

  Mode(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  /** @throws IllegalArgumentException naming the unknown mode */
  public static Mode fromJsonName(String name) {
    for (Mode m : values()) {
      if (m.jsonName.equals(name)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown mode '" + name + "': expected one of edge_only, cascade, cloud_only");
  }
}
