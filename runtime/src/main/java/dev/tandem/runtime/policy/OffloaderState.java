package dev.tandem.runtime.policy;

/** Whether an offloader could take a request at the moment of a decision. */
public enum OffloaderState {
  /** None is configured. */
  NONE("none"),
  /** Configured but not connected. */
  UNAVAILABLE("unavailable"),
  AVAILABLE("available");

  private final String jsonName;

  OffloaderState(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  /** @throws IllegalArgumentException naming the unknown state */
  public static OffloaderState fromJsonName(String name) {
    for (OffloaderState s : values()) {
      if (s.jsonName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown offloader state '" + name + "': expected none, unavailable or available");
  }
}
