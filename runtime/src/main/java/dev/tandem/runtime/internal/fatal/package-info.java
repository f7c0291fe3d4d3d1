/** What the long-lived threads of the relay, the collector and the agent do with an {@link java.lang.Error}. */
package dev.tandem.runtime.internal.fatal;
