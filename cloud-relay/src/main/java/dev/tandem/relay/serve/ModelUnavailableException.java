package dev.tandem.relay.serve;

/** A configured model could not be loaded (missing file, no provider accepted it, bad shape). */
public final class ModelUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelUnavailableException(String message) {
    super(message);
  }

  public ModelUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
