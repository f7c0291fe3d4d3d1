package dev.tandem.runtime.record;

/** A record line that cannot be read: not JSON, an unknown schema or kind, or a missing or mistyped field. */
public final class RecordFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RecordFormatException(String message) {
    super(message);
  }

  public RecordFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
