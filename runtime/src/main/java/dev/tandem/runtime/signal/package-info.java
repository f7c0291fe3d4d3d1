/** Confidence signals (max probability, margin, entropy) scored from a model's outputs. */
package dev.tandem.runtime.signal;
