/**
 * ONNX models on the device: {@link dev.tandem.runtime.model.ModelSession} loads one with a
 * preference list of execution providers, {@link dev.tandem.runtime.model.Inputs} and
 * {@link dev.tandem.runtime.model.Tensor} carry its inputs and outputs.
 */
package dev.tandem.runtime.model;
