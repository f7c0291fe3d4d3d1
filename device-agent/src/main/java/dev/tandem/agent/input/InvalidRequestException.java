package dev.tandem.agent.input;

/** An input that cannot be parsed or does not fit the configured preprocessing. */
public final class InvalidRequestException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public InvalidRequestException(String message) {
    super(message);
  }
}
