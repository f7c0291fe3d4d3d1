/**
 * Text models on the device: {@link dev.tandem.runtime.text.TextInput}, a model's
 * {@code tokenizer.json} (read by a pure-Java WordPiece tokenizer, package-private here) with its
 * length budget, with which {@code Tandem.infer(String)} answers a text, and which gives any
 * other code the model's input tensors for a text.
 */
package dev.tandem.runtime.text;
