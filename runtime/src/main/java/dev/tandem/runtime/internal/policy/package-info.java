/**
 * Not API. The policy's rule with memory that only the runtime drives: the round-trip estimator
 * behind the deadline-risk rule, fed by {@code Tandem} and rebuilt from records by
 * {@code RecordReplay.roundTripAfter}.
 */
package dev.tandem.runtime.internal.policy;
