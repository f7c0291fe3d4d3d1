package dev.tandem.testsupport.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts brokers for tests.
 *
 * <pre>{@code
 * try (TestBroker broker = TestBrokers.start()) {      // any broker: the default one
 *   client.connect(broker.url());
 * }
 * }</pre>
 *
 * <p>The default broker is HiveMQ CE in a child JVM, so tests need only the JDK; the system
 * property {@code tandem.test.broker=mosquitto} runs them on Mosquitto instead. Tests about a
 * particular broker's behaviour start that {@link BrokerKind}; tests of a Mosquitto
 * configuration (TLS, passwords, ACLs) use {@link MosquittoBroker#builder()}.
 */
public final class TestBrokers {
  /** The system property choosing the default broker: {@code hivemq} (default) or {@code mosquitto}. */
  public static final String DEFAULT_PROPERTY = "tandem.test.broker";

  /** Broker processes still running, killed when the test JVM exits (e.g. a test left one frozen). */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "test-brokers-cleanup"));
  }

  private TestBrokers() {}

  /** Kills the process when this JVM exits, unless {@link #untrack} came first. */
  static Process track(Process process) {
    RUNNING.add(process);
    return process;
  }

  static void untrack(Process process) {
    if (process != null) {
      RUNNING.remove(process);
    }
  }

  /** Starts the default broker on a free port. */
  public static TestBroker start() {
    return builder().start();
  }

  /** Starts a broker of this kind on a free port. */
  public static TestBroker start(BrokerKind kind) {
    return builder(kind).start();
  }

  /** A builder for the default broker. */
  public static Builder builder() {
    return builder(defaultKind());
  }

  /** A builder for a broker of this kind. */
  public static Builder builder(BrokerKind kind) {
    return new Builder(kind);
  }

  /** The kind {@link #start()} starts: {@code -Dtandem.test.broker}, HiveMQ by default. */
  public static BrokerKind defaultKind() {
    String p = System.getProperty(DEFAULT_PROPERTY, "").trim();
    if (p.isEmpty()) {
      return BrokerKind.HIVEMQ;
    }
    try {
      return BrokerKind.valueOf(p.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("-D" + DEFAULT_PROPERTY + "=" + p + ": expected hivemq or mosquitto", e);
    }
  }

  /** Options every kind of broker understands. */
  public static final class Builder {
    private final BrokerKind kind;
    private int port;
    private int receiveMaximum;

    private Builder(BrokerKind kind) {
      this.kind = kind;
    }

    /** A fixed port; by default a free one is picked. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /**
     * The Receive Maximum the broker announces (how many QoS 1/2 publishes a client may have in
     * flight towards it); Mosquitto's {@code max_inflight_messages}. By default the broker's own.
     */
    public Builder receiveMaximum(int receiveMaximum) {
      if (receiveMaximum < 1 || receiveMaximum > 65535) {
        throw new IllegalArgumentException("receiveMaximum must be 1..65535, was " + receiveMaximum);
      }
      this.receiveMaximum = receiveMaximum;
      return this;
    }

    /** Prepares the broker without starting it. */
    public TestBroker build() {
      if (kind == BrokerKind.MOSQUITTO) {
        MosquittoBroker.Builder b = MosquittoBroker.builder().port(port);
        if (receiveMaximum > 0) {
          b.configLine("max_inflight_messages " + receiveMaximum);
        }
        return b.build();
      }
      return new HiveMqBroker(port > 0 ? port : freePort(), receiveMaximum);
    }

    /** Prepares and starts the broker. */
    public TestBroker start() {
      TestBroker b = build();
      try {
        return b.start();
      } catch (RuntimeException | Error e) {
        b.close();
        throw e;
      }
    }
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static Path tmpRoot() throws IOException {
    String t = System.getProperty("tandem.test.tmpdir", System.getProperty("java.io.tmpdir"));
    Path p = Paths.get(t);
    Files.createDirectories(p);
    return p;
  }

  static void signal(Process process, String name) {
    if (process == null || !process.isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot send SIG" + name + " to the broker", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a leftover folder in target/tmp is harmless; the build's clean removes it
    }
  }
}
