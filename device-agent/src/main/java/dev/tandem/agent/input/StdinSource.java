package dev.tandem.agent.input;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Reads JSON-lines requests from a stream (stdin) until end of stream, one request per line,
 * in order; every answer goes to the output consumer in the same order.
 */
public final class StdinSource {
  private final InputStream in;
  private final InputSink sink;
  private final Consumer<String> output;

  public StdinSource(InputStream in, InputSink sink, Consumer<String> output) {
    this.in = in;
    this.sink = sink;
    this.output = output;
  }

  /** Blocks until end of input; returns the number of requests answered. */
  public long run() throws IOException {
    long n = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.trim().isEmpty()) {
          continue;
        }
        output.accept(sink.submit(line, "stdin"));
        n++;
      }
    }
    return n;
  }
}
