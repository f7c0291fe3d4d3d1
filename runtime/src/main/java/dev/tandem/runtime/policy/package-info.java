/**
 * The routing policy: {@link dev.tandem.runtime.policy.Policy#decide} is a pure function of a
 * {@link dev.tandem.runtime.policy.DecisionContext}, so a decision record replays to the same
 * route and reason. Policies are read from and written to JSON (docs/policy.md).
 */
package dev.tandem.runtime.policy;
