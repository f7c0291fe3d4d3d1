package dev.tandem.tuner.drift;

/** What the drift detector compares, in which direction it alarms, and whether a policy moves it. */
public enum Metric {
  MAX_PROB_SHIFT("max_prob_shift", Direction.EITHER, false),
  MARGIN_SHIFT("margin_shift", Direction.EITHER, false),
  ENTROPY_SHIFT("entropy_shift", Direction.EITHER, false),
  ESTIMATED_ACCURACY("estimated_accuracy", Direction.DOWN, false),
  AGREEMENT_EXPLORED("agreement_explored", Direction.DOWN, true),
  OFFLOAD_RATE("offload_rate", Direction.UP, true),
  FALLBACK_RATE("fallback_rate", Direction.UP, true),
  COST_PER_1K("cost_per_1k", Direction.UP, true),
  P95_LATENCY("p95_latency_ms", Direction.UP, true);

  /** The direction of change that raises an alarm. */
  public enum Direction { UP, DOWN, EITHER }

  private final String jsonName;
  private final Direction direction;
  private final boolean policyDependent;

  Metric(String jsonName, Direction direction, boolean policyDependent) {
    this.jsonName = jsonName;
    this.direction = direction;
    this.policyDependent = policyDependent;
  }

  public String jsonName() {
    return jsonName;
  }

  public Direction direction() {
    return direction;
  }

  /** Compared only within one policy version (a publish moves it on purpose). */
  public boolean policyDependent() {
    return policyDependent;
  }
}
