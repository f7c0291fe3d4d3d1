package dev.tandem.relay.policy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.policy.InvalidPolicyException;
import dev.tandem.runtime.policy.Policy;

/**
 * Policy validation for publishing, by the runtime's own parser: what {@code publish} accepts
 * is exactly what a device will apply.
 */
final class PolicyJson {
  static final String VERSION = "version";

  private PolicyJson() {}

  /**
   * Validates a policy document. A missing {@code version} is allowed here: publishing assigns it.
   *
   * @throws PolicyPublisher.PolicyRejectedException with the field and the problem
   */
  static Policy validate(String json) throws PolicyPublisher.PolicyRejectedException {
    JsonElement e;
    try {
      e = JsonParser.parseString(json);
    } catch (RuntimeException ex) {
      throw new PolicyPublisher.PolicyRejectedException("policy is not JSON: " + ex.getMessage());
    }
    if (!e.isJsonObject()) {
      throw new PolicyPublisher.PolicyRejectedException("policy must be a JSON object");
    }
    JsonObject o = e.getAsJsonObject().deepCopy();
    if (!o.has(VERSION)) {
      o.addProperty(VERSION, 0);
    }
    try {
      return Policy.fromJson(o.toString());
    } catch (InvalidPolicyException ex) {
      throw new PolicyPublisher.PolicyRejectedException("invalid policy: " + ex.getMessage());
    }
  }

  static long version(String json) {
    JsonObject o = JsonParser.parseString(json).getAsJsonObject();
    return o.get(VERSION).getAsLong();
  }
}
