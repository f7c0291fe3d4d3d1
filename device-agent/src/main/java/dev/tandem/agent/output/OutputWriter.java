package dev.tandem.agent.output;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes answers as JSON lines, one per call, flushed at once (another process may be reading
 * the file or the pipe line by line). Thread-safe: lines from concurrent sources never mix.
 */
public final class OutputWriter implements AutoCloseable {
  private final Writer out;
  private final boolean closeStream;

  private OutputWriter(OutputStream stream, boolean closeStream) {
    this.out = new OutputWriter.NoCloseWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8));
    this.closeStream = closeStream;
  }

  /** Answers to stdout (left open on close). */
  public static OutputWriter stdout() {
    return new OutputWriter(System.out, false);
  }

  /** Answers appended to a file (created with its directories). */
  public static OutputWriter file(Path file) throws IOException {
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    return new OutputWriter(Files.newOutputStream(file, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND), true);
  }

  public synchronized void write(String jsonLine) {
    try {
      out.write(jsonLine);
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write an answer", e);
    }
  }

  @Override
  public synchronized void close() throws IOException {
    out.flush();
    if (closeStream) {
      ((NoCloseWriter) out).reallyClose();
    }
  }

  private static final class NoCloseWriter extends java.io.FilterWriter {
    NoCloseWriter(Writer w) {
      super(w);
    }

    @Override
    public void close() throws IOException {
      flush();
    }

    void reallyClose() throws IOException {
      super.close();
    }
  }
}
