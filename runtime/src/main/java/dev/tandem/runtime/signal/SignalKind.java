package dev.tandem.runtime.signal;

/** The confidence signals a policy can put a threshold on. */
public enum SignalKind {
  /** Top-1 probability; higher is more confident. */
  MAX_PROB("max_prob", true),
  /** Top-1 minus top-2 probability; higher is more confident. */
  MARGIN("margin", true),
  /** Shannon entropy of the probabilities in nats; lower is more confident. */
  ENTROPY("entropy", false);

  private final String jsonName;
  private final boolean higherIsConfident;

  SignalKind(String jsonName, boolean higherIsConfident) {
    this.jsonName = jsonName;
    this.higherIsConfident = higherIsConfident;
  }

  /** The name in policies and records, e.g. {@code "max_prob"}. */
  public String jsonName() {
    return jsonName;
  }

  /** Whether a larger value of this signal means a more confident edge answer. */
  public boolean higherIsConfident() {
    return higherIsConfident;
  }

  /**
   * The signal with the given JSON name.
   *
   * @throws IllegalArgumentException naming the unknown signal and the known ones
   */
  public static SignalKind fromJsonName(String name) {
    for (SignalKind k : values()) {
      if (k.jsonName.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown signal '" + name + "': expected one of max_prob, margin, entropy");
  }
}
