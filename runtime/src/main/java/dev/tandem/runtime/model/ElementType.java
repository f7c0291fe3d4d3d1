package dev.tandem.runtime.model;

import java.util.Locale;

/** Element types Tandem carries in tensors, with their size and their name on the wire. */
public enum ElementType {
  FLOAT32("float32", 4),
  INT64("int64", 8),
  INT32("int32", 4),
  UINT8("uint8", 1),
  INT8("int8", 1);

  private final String wireName;
  private final int byteSize;

  ElementType(String wireName, int byteSize) {
    this.wireName = wireName;
    this.byteSize = byteSize;
  }

  /** The name used in frame headers, policies and records, e.g. {@code "float32"}. */
  public String wireName() {
    return wireName;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /**
   * The type with the given wire name.
   *
   * @throws IllegalArgumentException naming the unknown type and the known ones
   */
  public static ElementType fromWireName(String name) {
    for (ElementType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown element type '" + name + "': expected one of float32, int64, int32, uint8, int8");
  }

  @Override
  public String toString() {
    return wireName.toLowerCase(Locale.ROOT);
  }
}
