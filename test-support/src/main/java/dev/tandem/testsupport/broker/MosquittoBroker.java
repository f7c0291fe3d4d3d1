package dev.tandem.testsupport.broker;

import dev.tandem.testsupport.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker for tests: the {@code mosquitto} that {@link Tools#require} finds, on
 * a free loopback port, with a generated configuration that sets
 * {@code set_tcp_nodelay true}. {@link #stop()} and {@link #start()} restart it on the same
 * port; {@link #pause()} freezes it (SIGSTOP) so it holds connections but answers nothing.
 *
 * <pre>{@code
 * try (MosquittoBroker broker = MosquittoBroker.launch()) {
 *   client.connect(broker.url());
 * }
 * }</pre>
 *
 * <p>For tests of a Mosquitto configuration (TLS, client certificates, passwords, ACLs) or of
 * Mosquitto itself; other tests take {@link TestBrokers#start()}, which needs no install.
 *
 * <p>Not thread-safe; meant to be driven by one test thread. Without Mosquitto, starting it skips
 * the test (or fails it under {@code -Dtandem.require=mosquitto}) with an install hint.
 */
public final class MosquittoBroker implements TestBroker {
  private final int port;
  private final Path dir;
  private final Path config;
  private final Path log;
  private final boolean tls;
  private Process process;
  private boolean closed;

  private MosquittoBroker(Builder b) throws IOException {
    this.port = b.port > 0 ? b.port : TestBrokers.freePort();
    this.dir = Files.createTempDirectory(TestBrokers.tmpRoot(), "mosquitto-");
    this.config = dir.resolve("mosquitto.conf");
    this.log = dir.resolve("mosquitto.log");
    List<String> lines = new ArrayList<>();
    // Started as root, mosquitto would drop to the "mosquitto" user and fail to read our files.
    lines.add("user " + System.getProperty("user.name"));
    lines.add("log_dest stdout");
    lines.add("log_type error");
    lines.add("log_type warning");
    lines.add("log_type notice");
    if (b.baseConfig != null) {
      // A given configuration, with its listener moved to our loopback port.
      boolean certified = false;
      for (String line : Files.readAllLines(b.baseConfig, StandardCharsets.UTF_8)) {
        String t = line.trim();
        if (t.startsWith("listener ")) {
          line = "listener " + port + " 127.0.0.1";
        }
        certified |= t.startsWith("certfile ");
        lines.add(line);
      }
      this.tls = certified;
      lines.addAll(b.extraLines);
      Files.write(config, lines, StandardCharsets.UTF_8);
      return;
    }
    this.tls = b.caFile != null;
    lines.add("listener " + port + " 127.0.0.1");
    lines.add("set_tcp_nodelay true");
    lines.add("persistence false");
    if (b.passwordFile != null) {
      lines.add("allow_anonymous false");
      lines.add("password_file " + b.passwordFile.toAbsolutePath());
    } else {
      lines.add("allow_anonymous true");
    }
    if (tls) {
      lines.add("cafile " + b.caFile.toAbsolutePath());
      lines.add("certfile " + b.certFile.toAbsolutePath());
      lines.add("keyfile " + b.keyFile.toAbsolutePath());
      if (b.requireClientCertificate) {
        lines.add("require_certificate true");
      }
    }
    lines.addAll(b.extraLines);
    Files.write(config, lines, StandardCharsets.UTF_8);
  }

  /** Starts a broker with the defaults (anonymous, plain TCP). */
  public static MosquittoBroker launch() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public BrokerKind kind() {
    return BrokerKind.MOSQUITTO;
  }

  /** {@code tcp://127.0.0.1:port}, or {@code ssl://...} when TLS is configured. */
  @Override
  public String url() {
    return (tls ? "ssl" : "tcp") + "://127.0.0.1:" + port;
  }

  @Override
  public int port() {
    return port;
  }

  /** The generated configuration file. */
  public Path configFile() {
    return config;
  }

  @Override
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the broker (again) on its port and waits until it accepts connections.
   *
   * @throws IllegalStateException if Mosquitto is missing, exits, or does not listen within 30 s
   */
  @Override
  public synchronized MosquittoBroker start() {
    if (closed) {
      throw new IllegalStateException("broker is closed");
    }
    if (isRunning()) {
      return this;
    }
    ProcessBuilder pb = new ProcessBuilder(executable(), "-c", config.toString());
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      process = TestBrokers.track(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + executable(), e);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto exited with " + process.exitValue() + ": " + logText());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return this;
      } catch (IOException notYet) {
        TestBrokers.sleep(20); // not listening yet; retry until the deadline
      }
    }
    throw new IllegalStateException("mosquitto did not listen on port " + port + " within 30 s: " + logText());
  }

  /** Stops the broker (SIGTERM, then SIGKILL after 5 s); connections drop. Idempotent. */
  @Override
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    resume();
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    TestBrokers.untrack(process);
    process = null;
  }

  /** Freezes the broker (SIGSTOP): connections stay open, nothing is read or answered. */
  @Override
  public synchronized void pause() {
    TestBrokers.signal(process, "STOP");
  }

  /** Undoes {@link #pause()} (SIGCONT). */
  @Override
  public synchronized void resume() {
    TestBrokers.signal(process, "CONT");
  }

  /** What the broker logged so far (errors, warnings, notices). */
  @Override
  public String logText() {
    try {
      return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /** Stops the broker and deletes its files. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    try {
      for (Path p : new Path[] {config, log, dir}) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover file in target/tmp is harmless; the build's clean removes it
    }
  }

  private static String executable() {
    return Tools.require("mosquitto").toString();
  }

  /** Builder for {@link MosquittoBroker}. */
  public static final class Builder {
    private int port;
    private Path caFile;
    private Path certFile;
    private Path keyFile;
    private boolean requireClientCertificate;
    private Path passwordFile;
    private Path baseConfig;
    private final List<String> extraLines = new ArrayList<>();

    private Builder() {}

    /**
     * Runs with this configuration file (e.g. a shipped one) instead of the generated listener,
     * authentication and TLS lines: each {@code listener} line is moved to this broker's
     * loopback port, and the user, logging and {@link #configLine} lines are added. Paths in the
     * file are used as they are. The URL is {@code ssl://} when the file has a {@code certfile}.
     * Not combinable with {@link #tls} or {@link #passwordFile}.
     */
    public Builder configFile(Path file) {
      this.baseConfig = file;
      return this;
    }

    /** A fixed port; by default a free one is picked. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Serve TLS with this CA, server certificate and key (PEM); the URL becomes {@code ssl://}. */
    public Builder tls(Path caFile, Path certFile, Path keyFile) {
      this.caFile = caFile;
      this.certFile = certFile;
      this.keyFile = keyFile;
      return this;
    }

    /** With TLS: clients must present a certificate signed by the CA. */
    public Builder requireClientCertificate(boolean require) {
      this.requireClientCertificate = require;
      return this;
    }

    /** Require a username and password from this Mosquitto password file. */
    public Builder passwordFile(Path passwordFile) {
      this.passwordFile = passwordFile;
      return this;
    }

    /** An extra line for the generated configuration, e.g. {@code max_inflight_messages 1}. */
    public Builder configLine(String line) {
      extraLines.add(line);
      return this;
    }

    /** Writes the configuration without starting the broker. */
    public MosquittoBroker build() {
      if (baseConfig != null && (caFile != null || passwordFile != null)) {
        throw new IllegalStateException("configFile replaces tls and passwordFile; set them in the file");
      }
      if (caFile != null && (certFile == null || keyFile == null)) {
        throw new IllegalStateException("tls needs the CA, certificate and key files");
      }
      try {
        return new MosquittoBroker(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the mosquitto configuration", e);
      }
    }

    /** Builds and starts the broker. */
    public MosquittoBroker start() {
      MosquittoBroker b = build();
      try {
        return b.start();
      } catch (RuntimeException e) {
        b.close();
        throw e;
      }
    }
  }
}
