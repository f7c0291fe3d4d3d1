package dev.tandem.runtime.device;

/**
 * How the device reaches the network at the moment of a decision. {@link #NONE} means offline.
 * The JSON name is what policies (segments) and records use.
 */
public enum NetworkType {
  NONE("none"),
  WIFI("wifi"),
  ETHERNET("ethernet"),
  CELL_5G("5g"),
  CELL_4G("4g"),
  CELL_3G("3g"),
  CELL_2G("2g"),
  /** Connected, by a kind not listed here. */
  OTHER("other");

  private final String jsonName;

  NetworkType(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name in policies and records, e.g. {@code "4g"}. */
  public String jsonName() {
    return jsonName;
  }

  /**
   * The network type with the given JSON name.
   *
   * @throws IllegalArgumentException naming the unknown value and the known ones
   */
  public static NetworkType fromJsonName(String name) {
    for (NetworkType t : values()) {
      if (t.jsonName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown network type '" + name + "': expected one of none, wifi, ethernet, 5g, 4g, 3g, 2g, other");
  }
}
