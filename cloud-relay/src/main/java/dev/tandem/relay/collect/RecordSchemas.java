package dev.tandem.relay.collect;

import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.record.RecordFormatException;

/**
 * The record schemas this collector accepts: whatever the runtime's {@link RecordCodec} reads,
 * so the devices' writer and the store's checker are one definition.
 */
final class RecordSchemas {
  private RecordSchemas() {}

  /** Why {@code line} is not a record this collector understands, or null when it is. */
  static String problem(String line) {
    try {
      RecordCodec.decode(line);
      return null;
    } catch (RecordFormatException e) {
      return e.getMessage();
    }
  }
}
