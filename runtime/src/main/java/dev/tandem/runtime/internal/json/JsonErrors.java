package dev.tandem.runtime.internal.json;

/**
 * Turns a problem found by {@link JsonFields} into the caller's own exception, so that each
 * document (policy, record, frame header, config) fails with its own actionable type.
 */
@FunctionalInterface
public interface JsonErrors {
  /**
   * The exception for one problem.
   *
   * @param path the field's JSON path such as {@code segments[2].threshold}; empty for the
   *     document itself
   * @param value the offending value as written, abbreviated; empty when the field is missing
   * @param problem what was expected, such as {@code must be a number} or {@code is required}
   */
  RuntimeException error(String path, String value, String problem);
}
