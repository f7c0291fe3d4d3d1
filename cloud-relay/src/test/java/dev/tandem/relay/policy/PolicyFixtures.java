package dev.tandem.relay.policy;

/** Policy documents for the publish tests. */
final class PolicyFixtures {
  static final String INVALID_FIELD = "policy must be a JSON object";

  private PolicyFixtures() {}

  static String valid(double threshold) {
    return "{\"mode\":\"cascade\",\"threshold\":" + threshold + "}";
  }

  static String invalid() {
    return "[1,2]";
  }
}
