package dev.tandem.agent.input;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a directory for request files: each {@code *.json} file (one request, or JSON lines)
 * is answered and then moved to {@code done/} beside it, so a restart does not answer it twice
 * and a half-written file is never read (writers should create {@code name.json.tmp} and rename,
 * or write elsewhere and move in). Files are taken in name order. Polls (a WatchService would
 * miss files on some network and overlay file systems), every {@code pollMs}.
 */
public final class DirectorySource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DirectorySource.class);

  private final Path dir;
  private final Path done;
  private final InputSink sink;
  private final Consumer<String> output;
  private final long pollMs;
  private final Thread thread;
  private volatile boolean running = true;

  public DirectorySource(Path dir, InputSink sink, Consumer<String> output, long pollMs) throws IOException {
    this.dir = dir;
    this.done = dir.resolve("done");
    this.sink = sink;
    this.output = output;
    this.pollMs = pollMs;
    Files.createDirectories(done);
    thread = new Thread(this::loop, "input-dir");
    thread.setDaemon(true);
  }

  public DirectorySource start() {
    thread.start();
    return this;
  }

  /** Answers every file present now; returns how many requests were answered. */
  public int pollOnce() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
      for (Path p : ds) {
        if (Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    }
    Collections.sort(files);
    int n = 0;
    for (Path f : files) {
      String text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
      String trimmed = text.trim();
      if (trimmed.isEmpty()) {
        continue;
      }
      if (trimmed.indexOf('\n') < 0 || !trimmed.startsWith("{") || isSingleObject(trimmed)) {
        output.accept(sink.submit(trimmed, "dir:" + f.getFileName()));
        n++;
      } else {
        for (String line : trimmed.split("\n")) {
          if (!line.trim().isEmpty()) {
            output.accept(sink.submit(line, "dir:" + f.getFileName()));
            n++;
          }
        }
      }
      Files.move(f, done.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
    }
    return n;
  }

  private static boolean isSingleObject(String text) {
    try {
      com.google.gson.JsonParser.parseString(text);
      return true;
    } catch (RuntimeException e) {
      return false; // not one JSON document: read it as JSON lines
    }
  }

  private void loop() {
    while (running) {
      try {
        pollOnce();
      } catch (IOException e) {
        log.warn("input directory {}: {}", dir, e.toString());
      }
      try {
        Thread.sleep(pollMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
