package dev.tandem.runtime.policy;

/** How an exploration decision asks the cloud. */
public enum ExplorationKind {
  /** The cloud's answer is used (route {@code cloud}, reason {@code explore}). */
  LIVE("live"),
  /** The edge answers now; the cloud is asked for the log only (route {@code shadow}). */
  SHADOW("shadow");

  private final String jsonName;

  ExplorationKind(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  /** @throws IllegalArgumentException naming the unknown kind */
  public static ExplorationKind fromJsonName(String name) {
    for (ExplorationKind k : values()) {
      if (k.jsonName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown exploration kind '" + name + "': expected live or shadow");
  }
}
