/**
 * Tandem: run an edge model, route each input between it and a cloud relay, and record every
 * decision. Start with {@link dev.tandem.runtime.Tandem#builder()}; each call to
 * {@link dev.tandem.runtime.Tandem#infer} returns a {@link dev.tandem.runtime.Decision}.
 * {@link dev.tandem.runtime.CloudInput} gives the cloud model its own input where it differs.
 *
 * <p>Packages under {@code dev.tandem.runtime.internal} are not API: they may change in any
 * release and are left out of the Javadoc.
 */
package dev.tandem.runtime;
