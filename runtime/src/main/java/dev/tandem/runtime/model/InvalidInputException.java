package dev.tandem.runtime.model;

/**
 * Inputs that do not match what the model declares: an unknown, missing or repeated input, or one
 * whose element type, rank or a fixed dimension differs. Thrown before ONNX Runtime sees the
 * inputs. The message names the input, what was given and what the model expects.
 */
public final class InvalidInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String inputName;

  public InvalidInputException(String inputName, String message) {
    super(message);
    this.inputName = inputName;
  }

  /** The name of the offending input as given (or as declared, for a missing one). */
  public String inputName() {
    return inputName;
  }
}
