/** Opt-in capture of the inputs of selected decisions, kept on the device with a retention period. */
package dev.tandem.runtime.capture;
