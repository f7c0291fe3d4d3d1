package dev.tandem.relay.policy;

import com.google.gson.JsonObject;
import dev.tandem.runtime.internal.json.JsonFields;
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
    JsonObject o;
    try {
      o = JsonFields.parse(json, PolicyJson::rejected).raw().deepCopy();
    } catch (Rejected ex) {
      throw new PolicyPublisher.PolicyRejectedException(ex.getMessage());
    }
    if (!o.has(VERSION)) {
      o.addProperty(VERSION, 0);
    }
    try {
      return Policy.fromJson(o.toString());
    } catch (InvalidPolicyException ex) {
      throw new PolicyPublisher.PolicyRejectedException("invalid policy: " + ex.getMessage());
    }
  }

  /** The version of a policy document, read strictly. */
  static long version(String json) {
    return JsonFields.parse(json, PolicyJson::rejected).integer(VERSION);
  }

  private static Rejected rejected(String path, String value, String problem) {
    return new Rejected((path.isEmpty() ? "policy " : "policy field '" + path + "' ") + problem
        + (value.isEmpty() ? "" : ", was " + value));
  }

  /** A document that is not a JSON object, before it becomes a checked rejection. */
  private static final class Rejected extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message);
    }
  }
}
