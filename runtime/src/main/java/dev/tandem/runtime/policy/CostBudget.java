package dev.tandem.runtime.policy;

/**
 * The policy's cost budget as a token bucket: it refills at {@code usd_per_hour} up to
 * {@code burst_usd}, starts full, and each decision that sends a request spends the offload's
 * expected cost (recorded in its context, so that a device's records replay it exactly).
 * Thread-safe.
 */
public final class CostBudget {
  private double usdPerMs;
  private double burstUsd;
  private double levelUsd;
  private long lastMs = Long.MIN_VALUE;

  /** A full budget with the policy's settings; a policy without a budget gives an unlimited one. */
  public CostBudget(Policy policy) {
    configure(policy);
    this.levelUsd = burstUsd;
  }

  /** Adopts a new policy's settings, keeping the level (clamped to the new capacity). */
  public synchronized void configure(Policy policy) {
    this.usdPerMs = policy.costBudgetUsdPerHour() / 3_600_000.0;
    this.burstUsd = policy.costBudgetBurstUsd();
    this.levelUsd = Math.min(levelUsd, burstUsd);
  }

  /** USD available at {@code nowMs}. Time never runs backwards here: an earlier time refills nothing. */
  public synchronized double available(long nowMs) {
    refill(nowMs);
    return levelUsd;
  }

  /** Spends {@code usd} at {@code nowMs}. */
  public synchronized void spend(long nowMs, double usd) {
    refill(nowMs);
    levelUsd -= usd;
  }

  private void refill(long nowMs) {
    if (lastMs != Long.MIN_VALUE && nowMs > lastMs) {
      levelUsd = Math.min(burstUsd, levelUsd + (nowMs - lastMs) * usdPerMs);
    }
    if (lastMs == Long.MIN_VALUE || nowMs > lastMs) {
      lastMs = nowMs;
    }
  }

  /**
   * Rebuilds the budget one device's decisions would have left: in time order, each decision
   * that sent a request spends its expected offload cost.
   *
   * @param times decision times in ms, in order
   * @param spent the expected offload cost of each decision that sent a request, 0 otherwise
   */
  public static CostBudget replay(Policy policy, long[] times, double[] spent) {
    if (times.length != spent.length) {
      throw new IllegalArgumentException("times and spent differ in length: " + times.length + " vs " + spent.length);
    }
    CostBudget b = new CostBudget(policy);
    for (int i = 0; i < times.length; i++) {
      b.available(times[i]);
      if (spent[i] > 0) {
        b.spend(times[i], spent[i]);
      }
    }
    return b;
  }
}
