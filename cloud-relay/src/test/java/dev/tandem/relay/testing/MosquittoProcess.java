package dev.tandem.relay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's {@code /usr/sbin/mosquitto} with a given configuration on a free loopback port,
 * for the relay's tests. Fails (never skips) with how to install it when it is missing.
 */
public final class MosquittoProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private MosquittoProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** The mosquitto binary, or an error saying how to install it. */
  public static Path binary() {
    for (String p : new String[] {"/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"}) {
      if (Files.isExecutable(Paths.get(p))) {
        return Paths.get(p);
      }
    }
    throw new AssertionError("mosquitto is not installed: the relay's broker tests need it. "
        + "Install it with: sudo apt-get install -y mosquitto (.ci/run does this)");
  }

  /** A plain listener, anonymous clients, TCP_NODELAY. */
  public static MosquittoProcess plain(Path dir) {
    int port = freePort();
    return start(dir, "listener " + port + " 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\npersistence false\n", port);
  }

  /**
   * Starts mosquitto with {@code config}, in which the caller already put {@code port}. Adds a
   * {@code user} line so that, started as root, mosquitto does not switch to a user that cannot
   * read the test's files.
   */
  public static MosquittoProcess start(Path dir, String config, int port) {
    Path bin = binary();
    try {
      Path conf = dir.resolve("mosquitto-" + port + ".conf");
      Path log = dir.resolve("mosquitto-" + port + ".log");
      Files.write(conf, ("user " + System.getProperty("user.name") + "\n" + config).getBytes(StandardCharsets.UTF_8));
      Process p = new ProcessBuilder(bin.toString(), "-c", conf.toString())
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      MosquittoProcess m = new MosquittoProcess(p, port, log);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < until) {
        if (!p.isAlive()) {
          throw new IllegalStateException("mosquitto exited: " + m.logText());
        }
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("127.0.0.1", port), 200);
          return m;
        } catch (IOException e) {
          Thread.sleep(20); // not listening yet
        }
      }
      m.close();
      throw new IllegalStateException("mosquitto did not listen on " + port + ": " + m.logText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  public String logText() {
    try {
      return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
