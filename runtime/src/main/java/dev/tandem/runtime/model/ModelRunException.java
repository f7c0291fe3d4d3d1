package dev.tandem.runtime.model;

/**
 * ONNX Runtime failed a run whose inputs passed validation (for instance dynamic dimensions that
 * the graph needs to agree, or a kernel error). The session stays usable.
 */
public final class ModelRunException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelRunException(String message, Throwable cause) {
    super(message, cause);
  }
}
