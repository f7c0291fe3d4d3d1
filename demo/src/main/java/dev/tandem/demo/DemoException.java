package dev.tandem.demo;

/** The demo cannot go on, for a reason the user can act on; the message says what to do. */
public final class DemoException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DemoException(String message) {
    super(message);
  }

  public DemoException(String message, Throwable cause) {
    super(message, cause);
  }
}
