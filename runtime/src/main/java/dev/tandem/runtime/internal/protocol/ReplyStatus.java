package dev.tandem.runtime.internal.protocol;

/** The status a relay puts in its reply frame, under {@link #wireName()}. */
public enum ReplyStatus {
  OK("ok"),
  BAD_REQUEST("bad_request"),
  UNKNOWN_MODEL("unknown_model"),
  EXPIRED("expired"),
  BUSY("busy"),
  THROTTLED("throttled"),
  INTERNAL_ERROR("internal_error");

  private final String wireName;

  ReplyStatus(String wireName) {
    this.wireName = wireName;
  }

  /** Name in frames, e.g. {@code "busy"}. */
  public String wireName() {
    return wireName;
  }

  /**
   * The status with the given name.
   *
   * @throws IllegalArgumentException naming the unknown status
   */
  public static ReplyStatus fromWireName(String name) {
    for (ReplyStatus s : values()) {
      if (s.wireName.equals(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown reply status '" + name + "'");
  }
}
