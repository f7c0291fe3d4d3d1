package dev.tandem.relay.serve;

import dev.tandem.runtime.model.Tensor;
import java.util.List;

/** One validated request waiting for its model: what to run, by when, and where to answer. */
final class Pending {
  final String deviceId;
  final String responseTopic;
  final byte[] correlationData;
  final int frameVersion;
  final List<Tensor> inputs;
  final long rows;
  final long receivedNanos;
  final long deadlineNanos;

  Pending(String deviceId, String responseTopic, byte[] correlationData, int frameVersion,
      List<Tensor> inputs, long receivedNanos, long deadlineNanos) {
    this.deviceId = deviceId;
    this.responseTopic = responseTopic;
    this.correlationData = correlationData;
    this.frameVersion = frameVersion;
    this.inputs = inputs;
    this.rows = inputs.isEmpty() || inputs.get(0).rank() == 0 ? 1 : inputs.get(0).dim(0);
    this.receivedNanos = receivedNanos;
    this.deadlineNanos = deadlineNanos;
  }
}
