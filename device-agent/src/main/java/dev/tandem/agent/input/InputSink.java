package dev.tandem.agent.input;

/**
 * Where input sources hand their requests: the agent, which answers each with one output JSON
 * line. Called from the sources' own threads; implementations are thread-safe.
 */
@FunctionalInterface
public interface InputSink {
  /**
   * Answers one raw request (a JSON object as text) with its output JSON object as text. Never
   * throws for a bad request: the answer then carries an {@code error}.
   */
  String submit(String requestJson, String source);
}
