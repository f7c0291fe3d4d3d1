package dev.tandem.relay.policy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/** Policy validation for publishing, by the runtime's own parser and validator. */
final class PolicyJson {
  static final String VERSION = "version";

  private PolicyJson() {}

  static void validate(String json) throws PolicyPublisher.PolicyRejectedException {
    JsonElement e;
    try {
      e = JsonParser.parseString(json);
    } catch (RuntimeException ex) {
      throw new PolicyPublisher.PolicyRejectedException("policy is not JSON: " + ex.getMessage());
    }
    if (!e.isJsonObject()) {
      throw new PolicyPublisher.PolicyRejectedException("policy must be a JSON object");
    }
  }

  static long version(String json) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    return o.get(VERSION).getAsLong();
  }
}
