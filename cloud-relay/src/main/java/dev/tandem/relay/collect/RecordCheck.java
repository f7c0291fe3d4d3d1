package dev.tandem.relay.collect;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

/**
 * Checks one record line before it is stored: it must be a JSON object of a record kind and
 * schema version this collector understands, from the device whose topic carried it, with a
 * sequence number inside the batch's declared range.
 */
final class RecordCheck {
  static final String DEVICE = "device";
  static final String SEQ = "seq";

  /** A checked line: its sequence number, or why it was rejected. */
  static final class Checked {
    final long seq;
    final String rejection;

    private Checked(long seq, String rejection) {
      this.seq = seq;
      this.rejection = rejection;
    }

    boolean ok() {
      return rejection == null;
    }
  }

  private RecordCheck() {}

  static Checked check(String line, IncomingBatch batch) {
    JsonObject obj;
    try {
      JsonElement e = JsonParser.parseString(line);
      if (!e.isJsonObject()) {
        return reject("not a JSON object");
      }
      obj = e.getAsJsonObject();
    } catch (RuntimeException e) {
      return reject("not JSON: " + e.getMessage());
    }
    String schemaProblem = RecordSchemas.problem(line);
    if (schemaProblem != null) {
      return reject("schema: " + schemaProblem);
    }
    JsonElement dev = obj.get(DEVICE);
    if (dev == null || !dev.isJsonPrimitive() || !((JsonPrimitive) dev).isString()) {
      return reject("no device field");
    }
    if (!dev.getAsString().equals(batch.device())) {
      return reject("device " + dev.getAsString() + " does not match topic device " + batch.device());
    }
    JsonElement seqEl = obj.get(SEQ);
    if (seqEl == null || !seqEl.isJsonPrimitive() || !((JsonPrimitive) seqEl).isNumber()) {
      return reject("no seq field");
    }
    long seq;
    try {
      seq = seqEl.getAsBigDecimal().longValueExact();
    } catch (ArithmeticException e) {
      return reject("seq is not an integer: " + seqEl);
    }
    if (seq < batch.seqFrom() || seq > batch.seqTo()) {
      return reject("seq " + seq + " outside batch range " + batch.seqFrom() + ".." + batch.seqTo());
    }
    return new Checked(seq, null);
  }

  private static Checked reject(String why) {
    return new Checked(-1, why);
  }
}
