package dev.tandem.relay.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * HiveMQ Community Edition running inside this JVM, for single-box deployments and tests: one
 * plain MQTT listener, in-memory persistence, anonymous usage statistics off, bound to loopback
 * unless told otherwise. Not for fleets: it has no TLS or authentication configured; put a
 * real broker (Mosquitto with docs/mosquitto/, EMQX, HiveMQ) in front of devices.
 *
 * <p>{@link #close()} stops the broker and deletes its working folder; idempotent.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private final EmbeddedHiveMQ hivemq;
  private final Path home;
  private final String host;
  private final int port;
  private boolean closed;

  private EmbeddedBroker(EmbeddedHiveMQ hivemq, Path home, String host, int port) {
    this.hivemq = hivemq;
    this.home = home;
    this.host = host;
    this.port = port;
  }

  /** Starts a broker on loopback and a free port. */
  public static EmbeddedBroker start() {
    return start("127.0.0.1", 0);
  }

  /**
   * Starts a broker on {@code bindAddress:port}; port 0 picks a free one.
   *
   * @throws BrokerStartException when the broker does not start within 60 s or fails
   */
  public static EmbeddedBroker start(String bindAddress, int port) {
    int p = port == 0 ? freePort(bindAddress) : port;
    Path home;
    try {
      home = Files.createTempDirectory("tandem-hivemq");
      Path conf = Files.createDirectories(home.resolve("conf"));
      Files.createDirectories(home.resolve("data"));
      Files.createDirectories(home.resolve("extensions"));
      Files.write(conf.resolve("config.xml"), config(bindAddress, p).getBytes(StandardCharsets.UTF_8));
      // HiveMQ configures logback for the whole JVM from this file; keep the relay's format and
      // quiet HiveMQ's start-up chatter.
      Files.write(conf.resolve("logback.xml"), LOGBACK.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the embedded broker's folder", e);
    }
    EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
        .withConfigurationFolder(home.resolve("conf"))
        .withDataFolder(home.resolve("data"))
        .withExtensionsFolder(home.resolve("extensions"))
        .build();
    try {
      hivemq.start().get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(hivemq, home);
      throw new BrokerStartException("interrupted while starting the embedded broker", e);
    } catch (ExecutionException | TimeoutException e) {
      closeQuietly(hivemq, home);
      throw new BrokerStartException("the embedded broker did not start on " + bindAddress + ":" + p + ": " + e, e);
    }
    return new EmbeddedBroker(hivemq, home, bindAddress, p);
  }

  private static final String LOGBACK = "<configuration>\n"
      + "  <appender name=\"CONSOLE\" class=\"ch.qos.logback.core.ConsoleAppender\">\n"
      + "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>\n"
      + "  </appender>\n"
      + "  <logger name=\"com.hivemq\" level=\"WARN\"/>\n"
      + "  <logger name=\"oshi\" level=\"WARN\"/>\n"
      + "  <logger name=\"migrations\" level=\"WARN\"/>\n"
      + "  <root level=\"INFO\"><appender-ref ref=\"CONSOLE\"/></root>\n"
      + "</configuration>\n";

  static String config(String bindAddress, int port) {
    return "<?xml version=\"1.0\"?>\n"
        + "<hivemq>\n"
        + "  <listeners>\n"
        + "    <tcp-listener>\n"
        + "      <port>" + port + "</port>\n"
        + "      <bind-address>" + bindAddress + "</bind-address>\n"
        + "    </tcp-listener>\n"
        + "  </listeners>\n"
        + "  <persistence>\n"
        + "    <mode>in-memory</mode>\n"
        + "  </persistence>\n"
        + "  <anonymous-usage-statistics>\n"
        + "    <enabled>false</enabled>\n"
        + "  </anonymous-usage-statistics>\n"
        + "</hivemq>\n";
  }

  private static int freePort(String bindAddress) {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(bindAddress))) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on " + bindAddress, e);
    }
  }

  /** The URL clients connect to, e.g. {@code tcp://127.0.0.1:41883}. */
  public String url() {
    String h = host.equals("0.0.0.0") ? "127.0.0.1" : host;
    return "tcp://" + h + ":" + port;
  }

  public int port() {
    return port;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    closeQuietly(hivemq, home);
  }

  private static void closeQuietly(EmbeddedHiveMQ hivemq, Path home) {
    try {
      hivemq.stop().get(30, TimeUnit.SECONDS);
      hivemq.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Stopping is best effort at shutdown; the process is going away or the test is done.
    }
    try (Stream<Path> files = Files.walk(home)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // A leftover temp folder is harmless.
    }
  }

  /** The embedded broker failed to start. */
  public static final class BrokerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BrokerStartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
