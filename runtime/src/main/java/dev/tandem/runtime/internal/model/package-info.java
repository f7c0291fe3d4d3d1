/** Not API. ONNX Runtime environment plumbing. */
package dev.tandem.runtime.internal.model;
