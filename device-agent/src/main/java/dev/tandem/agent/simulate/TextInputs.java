package dev.tandem.agent.simulate;

import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.text.TextInput;
import java.util.Objects;
import java.util.Optional;

/**
 * How a simulated device takes text: the edge model's {@link TextInput} and, when the cloud model
 * has its own tokenizer or token budget, the cloud's. Each device's {@link Tandem} gets them, so
 * {@code tandem.infer(text)} tokenizes for the edge, and for the cloud only when it offloads (the
 * runtime's text front end). Immutable and thread-safe.
 */
public final class TextInputs {
  private final TextInput edge;
  private final TextInput cloud;

  private TextInputs(TextInput edge, TextInput cloud) {
    this.edge = Objects.requireNonNull(edge, "edge");
    this.cloud = cloud;
  }

  /** Text for an edge model only: an offload sends the cloud the edge's own tokens. */
  public static TextInputs edgeOnly(TextInput edge) {
    return new TextInputs(edge, null);
  }

  /** Text for an edge and a cloud model, each with its own tokenizer and token budget. */
  public static TextInputs of(TextInput edge, TextInput cloud) {
    return new TextInputs(edge, Objects.requireNonNull(cloud, "cloud"));
  }

  public TextInput edge() {
    return edge;
  }

  /** The cloud's own text input, if it has one. */
  public Optional<TextInput> cloud() {
    return Optional.ofNullable(cloud);
  }

  /** Gives a device's builder these inputs. */
  Tandem.Builder applyTo(Tandem.Builder b) {
    b.textInput(edge);
    if (cloud != null) {
      b.cloudTextInput(cloud);
    }
    return b;
  }
}
