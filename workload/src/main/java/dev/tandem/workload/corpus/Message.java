package dev.tandem.workload.corpus;

import java.util.Objects;

/**
 * One message of the corpus: a stable id ({@code group/number}, e.g. {@code spam-1/00042}), its
 * cleaned text (subject and body, headers and HTML stripped) and its label. Immutable.
 */
public final class Message {
  private final String id;
  private final String text;
  private final Label label;

  public Message(String id, String text, Label label) {
    this.id = Objects.requireNonNull(id, "id");
    this.text = Objects.requireNonNull(text, "text");
    this.label = Objects.requireNonNull(label, "label");
    if (id.isEmpty()) {
      throw new IllegalArgumentException("message id is empty");
    }
  }

  public String id() {
    return id;
  }

  public String text() {
    return text;
  }

  public Label label() {
    return label;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Message)) {
      return false;
    }
    Message m = (Message) o;
    return id.equals(m.id) && text.equals(m.text) && label == m.label;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, text, label);
  }

  @Override
  public String toString() {
    return "Message{" + id + ", " + label + ", " + text.length() + " chars}";
  }
}
