package dev.tandem.relay.policy;

/** Policy documents for the publish tests. */
final class PolicyFixtures {
  static final String INVALID_FIELD = "threshold";
  static final String HASH = "ab".repeat(32);

  private PolicyFixtures() {}

  static String valid(double threshold) {
    return "{\"schema\": 1, \"model\": \"minilm\", \"edge_model_hash\": \"" + HASH + "\","
        + " \"mode\": \"cascade\", \"signal\": \"max_prob\", \"threshold\": " + threshold + ", \"deadline_ms\": 300}";
  }

  static String invalid() {
    return valid(1.5);
  }
}
