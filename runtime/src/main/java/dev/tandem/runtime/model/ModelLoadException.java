package dev.tandem.runtime.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A model that could not be loaded: unreadable or malformed bytes, a tensor type Tandem cannot
 * carry, or no execution provider in the preference list that accepted the graph. Carries the
 * provider attempts made so far (empty when loading failed before any provider was tried).
 */
public final class ModelLoadException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<ProviderAttempt> attempts;

  public ModelLoadException(String message, Throwable cause) {
    this(message, Collections.<ProviderAttempt>emptyList(), cause);
  }

  public ModelLoadException(String message, List<ProviderAttempt> attempts, Throwable cause) {
    super(message, cause);
    this.attempts = Collections.unmodifiableList(new ArrayList<>(attempts));
  }

  /** The provider attempts made before loading failed, in order. */
  public List<ProviderAttempt> attempts() {
    return attempts == null ? Collections.<ProviderAttempt>emptyList() : attempts;
  }
}
