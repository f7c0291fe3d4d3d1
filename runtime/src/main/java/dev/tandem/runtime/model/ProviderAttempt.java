package dev.tandem.runtime.model;

import java.util.Objects;

/**
 * The outcome of trying one execution provider while a {@link ModelSession} was built: either it
 * became the active provider, or it failed with a reason (not in this ONNX Runtime build, could
 * not be configured, or refused the graph). Immutable.
 */
public final class ProviderAttempt {
  private final ExecutionProvider provider;
  private final boolean active;
  private final String reason;

  private ProviderAttempt(ExecutionProvider provider, boolean active, String reason) {
    this.provider = Objects.requireNonNull(provider, "provider");
    this.active = active;
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** An attempt that made {@code provider} the session's active provider. */
  public static ProviderAttempt active(ExecutionProvider provider) {
    return new ProviderAttempt(provider, true, "");
  }

  /** An attempt that failed, with the reason. */
  public static ProviderAttempt failed(ExecutionProvider provider, String reason) {
    if (reason == null || reason.isEmpty()) {
      throw new IllegalArgumentException("a failed attempt of " + provider + " needs a reason");
    }
    return new ProviderAttempt(provider, false, reason);
  }

  public ExecutionProvider provider() {
    return provider;
  }

  /** Whether this attempt made the provider active. */
  public boolean active() {
    return active;
  }

  /** Why the attempt failed; empty for the active provider. */
  public String reason() {
    return reason;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ProviderAttempt)) {
      return false;
    }
    ProviderAttempt a = (ProviderAttempt) o;
    return provider == a.provider && active == a.active && reason.equals(a.reason);
  }

  @Override
  public int hashCode() {
    return Objects.hash(provider, active, reason);
  }

  @Override
  public String toString() {
    return active ? provider.jsonName() + ": active" : provider.jsonName() + ": failed: " + reason;
  }
}
