package dev.tandem.agent.config;

/** A configuration file that cannot be used; the message names the field and the bad value. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String field;

  public ConfigException(String field, String problem) {
    super(field.isEmpty() ? problem : field + ": " + problem);
    this.field = field;
  }

  /** The JSON path of the offending field, e.g. {@code spool.disk_budget_bytes}. */
  public String field() {
    return field;
  }
}
