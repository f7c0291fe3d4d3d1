/**
 * Text models on the device: a pure-Java WordPiece tokenizer read from a {@code tokenizer.json},
 * and {@link dev.tandem.runtime.text.TextInput}, the tokenizer with a model's length budget, with
 * which {@code Tandem.infer(String)} answers a text.
 */
package dev.tandem.runtime.text;
