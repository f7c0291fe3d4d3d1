package dev.tandem.tuner.store;

/**
 * A store that cannot be read as asked: no records at all, no records in the date range,
 * a record of a schema or kind this reader does not know (naming the file and line), or a file
 * that cannot be read. The message says what to do.
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
