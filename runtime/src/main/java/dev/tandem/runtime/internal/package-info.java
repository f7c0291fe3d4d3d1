/**
 * Not API. Implementation shared by the runtime's packages and by Tandem's own modules (the relay,
 * the agent, the tuner, the benchmarks); it may change in any release without notice, and it is
 * left out of the Javadoc. Apps use the packages above it.
 */
package dev.tandem.runtime.internal;
