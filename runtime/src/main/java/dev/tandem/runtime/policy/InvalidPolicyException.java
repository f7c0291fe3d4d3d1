package dev.tandem.runtime.policy;

/**
 * A policy that cannot be used: malformed JSON, an unknown or mistyped field, or a value out of
 * range. Carries the field (a JSON path such as {@code "segments[1].threshold"}) and the
 * offending value as written, so a rejection can be recorded and shown as it is.
 */
public final class InvalidPolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final String value;

  public InvalidPolicyException(String field, String value, String problem) {
    super("policy field '" + field + "'" + (value.isEmpty() ? "" : " = " + value) + ": " + problem);
    this.field = field;
    this.value = value;
  }

  /** The JSON path of the offending field; empty for a document that is not JSON at all. */
  public String field() {
    return field;
  }

  /** The offending value as written; empty when the field is missing. */
  public String value() {
    return value;
  }
}
