package dev.tandem.agent.run;

import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.input.InferRequest;
import dev.tandem.agent.input.InvalidRequestException;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.text.WordPieceTokenizer;
import java.io.IOException;
import java.util.List;

/** Turns a request into the edge model's input tensors, as the config says. Thread-safe. */
final class Preprocessor {
  private final AgentConfig.Preprocessing kind;
  private final WordPieceTokenizer tokenizer;
  private final int maxLength;

  Preprocessor(AgentConfig config) throws IOException {
    this.kind = config.preprocessing();
    if (kind == AgentConfig.Preprocessing.TEXT) {
      AgentConfig.Text t = config.text().get();
      tokenizer = WordPieceTokenizer.fromFile(t.tokenizer());
      maxLength = t.maxLength();
    } else {
      tokenizer = null;
      maxLength = 0;
    }
  }

  List<Tensor> tensors(InferRequest r) {
    if (kind == AgentConfig.Preprocessing.TEXT) {
      if (!r.text().isPresent()) {
        throw new InvalidRequestException("this agent's model takes \"text\"");
      }
      // One message at a time and unpadded: what the device's int8 model expects (WORKLOAD.md).
      return tokenizer.encode(r.text().get(), maxLength).toTensors();
    }
    if (r.tensors().isEmpty()) {
      throw new InvalidRequestException("this agent's model takes \"inputs\" (raw tensors)");
    }
    return r.tensors();
  }
}
