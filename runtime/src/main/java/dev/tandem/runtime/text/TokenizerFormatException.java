package dev.tandem.runtime.text;

/**
 * A tokenizer.json that cannot be read, or that asks for a component this tokenizer does not
 * implement (the message names the field and the value found).
 */
final class TokenizerFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TokenizerFormatException(String message) {
    super(message);
  }

  public TokenizerFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
