package dev.tandem.runtime.model;

/**
 * Execution providers a {@link ModelSession} can be asked to use, in the order of a deployment's
 * preference. Which of them a given ONNX Runtime build carries is known only at run time
 * ({@code OrtEnvironment.getAvailableProviders()}); the session records why each one it skipped
 * failed.
 */
public enum ExecutionProvider {
  /** Qualcomm NPUs (Hexagon) through QNN. */
  QNN("qnn"),
  /** Android's Neural Networks API (deprecated from Android 15). */
  NNAPI("nnapi"),
  /** XNNPACK: optimised float kernels for ARM and x86 CPUs; takes only part of most graphs. */
  XNNPACK("xnnpack"),
  /** Apple Core ML. */
  COREML("coreml"),
  /** NVIDIA CUDA. */
  CUDA("cuda"),
  /** NVIDIA TensorRT. */
  TENSORRT("tensorrt"),
  /** ONNX Runtime's own CPU kernels; always present. */
  CPU("cpu");

  private final String jsonName;

  ExecutionProvider(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The name in configurations and records, e.g. {@code "xnnpack"}. */
  public String jsonName() {
    return jsonName;
  }

  /**
   * The provider with the given JSON name (case-insensitive).
   *
   * @throws IllegalArgumentException naming the unknown provider and the known ones
   */
  public static ExecutionProvider fromJsonName(String name) {
    for (ExecutionProvider p : values()) {
      if (p.jsonName.equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown execution provider '" + name
        + "': expected one of qnn, nnapi, xnnpack, coreml, cuda, tensorrt, cpu");
  }
}
