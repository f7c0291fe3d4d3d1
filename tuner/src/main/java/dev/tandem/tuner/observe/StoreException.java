package dev.tandem.tuner.observe;

/** The store cannot be read as asked: not a store, or nothing in the requested range. */
public final class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }
}
