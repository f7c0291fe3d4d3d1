/** Text models on the device: a pure-Java WordPiece tokenizer read from a {@code tokenizer.json}. */
package dev.tandem.runtime.text;
