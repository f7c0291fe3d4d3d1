package dev.tandem.relay.serve;

import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.TensorSpec;
import java.util.List;

/** A model session with the configuration it was loaded under. */
final class LoadedModel implements AutoCloseable {
  final ModelConfig config;
  final ModelSession session;
  final List<TensorSpec> inputs;
  final double[] padValues;

  LoadedModel(ModelConfig config, ModelSession session) {
    this.config = config;
    this.session = session;
    this.inputs = session.info().inputs();
    this.padValues = new double[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      padValues[i] = config.padValue(inputs.get(i).name());
    }
  }

  @Override
  public void close() {
    session.close();
  }
}
