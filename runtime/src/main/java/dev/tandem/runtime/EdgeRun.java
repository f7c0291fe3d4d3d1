package dev.tandem.runtime;

import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.record.EdgeResult;
import dev.tandem.runtime.signal.Signals;
import java.util.List;

/** One run of the edge model: its outputs, their signals, the time it took and where it ran. Immutable. */
final class EdgeRun {
  final List<Tensor> outputs;
  final Signals signals;
  final double ms;
  final ExecutionProvider provider;

  EdgeRun(List<Tensor> outputs, Signals signals, double ms, ExecutionProvider provider) {
    this.outputs = outputs;
    this.signals = signals;
    this.ms = ms;
    this.provider = provider;
  }

  EdgeResult result() {
    return EdgeResult.of(signals, ms, provider.jsonName());
  }
}
