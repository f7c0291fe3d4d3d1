package dev.tandem.testsupport.broker;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * HiveMQ CE in a child JVM, so that {@link #stop()} and {@link #start()} restart it on the same
 * port and {@link #pause()} freezes it like any broker process. The same configuration as the
 * cloud relay's embedded broker: one plain TCP listener on loopback, in-memory persistence. Each
 * start warms the broker up with a few thousand messages before the test gets it.
 */
final class HiveMqBroker implements TestBroker {
  private static final long START_TIMEOUT_S = 120;
  private final int port;
  private final Path home;
  private final Path log;
  private final Object logLock = new Object();
  private Process process;
  private boolean closed;

  HiveMqBroker(int port, int receiveMaximum) {
    this.port = port;
    try {
      this.home = Files.createTempDirectory(TestBrokers.tmpRoot(), "hivemq-");
      Path conf = Files.createDirectories(home.resolve("conf"));
      Files.createDirectories(home.resolve("data"));
      Files.createDirectories(home.resolve("extensions"));
      Files.write(conf.resolve("config.xml"), config(port, receiveMaximum).getBytes(StandardCharsets.UTF_8));
      Files.write(conf.resolve("logback.xml"), LOGBACK.getBytes(StandardCharsets.UTF_8));
      this.log = home.resolve("hivemq.log");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the HiveMQ test broker's folder", e);
    }
  }

  @Override
  public BrokerKind kind() {
    return BrokerKind.HIVEMQ;
  }

  @Override
  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  @Override
  public synchronized HiveMqBroker start() {
    if (closed) {
      throw new IllegalStateException("broker is closed");
    }
    if (isRunning()) {
      return this;
    }
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx384m");
    command.add("-XX:+UseSerialGC");
    command.add("-Djava.io.tmpdir=" + home);
    command.add(HiveMqMain.class.getName());
    command.add(home.toString());
    command.add(Integer.toString(port));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    // The class path goes through the environment: long JVM command lines are fragile.
    pb.environment().put("CLASSPATH", classPath());
    CountDownLatch ready = new CountDownLatch(1);
    try {
      process = TestBrokers.track(pb.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start a JVM for the HiveMQ test broker", e);
    }
    Process p = process;
    Thread pump = new Thread(() -> pump(p.getInputStream(), ready), "hivemq-test-broker-log");
    pump.setDaemon(true);
    pump.start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_S);
    try {
      while (System.nanoTime() < until) {
        if (ready.await(50, TimeUnit.MILLISECONDS) && TestBrokers.accepts(port)) {
          return this;
        }
        if (!p.isAlive()) {
          TestBrokers.untrack(p);
          process = null;
          throw new IllegalStateException("the HiveMQ test broker exited with " + p.exitValue() + ": " + logText());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
      throw new IllegalStateException("interrupted while starting the HiveMQ test broker", e);
    }
    stop();
    throw new IllegalStateException("the HiveMQ test broker did not listen on port " + port + " within "
        + START_TIMEOUT_S + " s: " + logText());
  }

  private void pump(InputStream out, CountDownLatch ready) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(out, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.equals(HiveMqMain.READY)) {
          ready.countDown();
        }
        synchronized (logLock) {
          Files.write(log, (line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8),
              StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
      }
    } catch (IOException e) {
      // the child is gone; its log so far stays
    }
  }

  /** Kills the child JVM (its connections drop at once, as when a broker host fails). */
  @Override
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    TestBrokers.untrack(process);
    process = null;
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (TestBrokers.accepts(port) && System.nanoTime() < until) {
      TestBrokers.sleep(20);
    }
  }

  @Override
  public synchronized void pause() {
    TestBrokers.signal(process, "STOP");
  }

  @Override
  public synchronized void resume() {
    TestBrokers.signal(process, "CONT");
  }

  @Override
  public String logText() {
    synchronized (logLock) {
      try {
        return Files.exists(log) ? new String(Files.readAllBytes(log), StandardCharsets.UTF_8) : "";
      } catch (IOException e) {
        return "(log unreadable: " + e + ")";
      }
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    stop();
    closed = true;
    TestBrokers.deleteTree(home);
  }

  /** This module's classes and HiveMQ's jars (listed at build time in hivemq.classpath). */
  private static String classPath() {
    String jars;
    try (InputStream in = HiveMqBroker.class.getResourceAsStream("hivemq.classpath")) {
      if (in == null) {
        throw new IllegalStateException("hivemq.classpath is missing from tandem-test-support: rebuild it with Maven");
      }
      jars = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read hivemq.classpath", e);
    }
    try {
      String self = Paths.get(HiveMqBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
      return self + File.pathSeparator + jars;
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate tandem-test-support's classes", e);
    }
  }

  static String config(int port, int receiveMaximum) {
    StringBuilder x = new StringBuilder();
    x.append("<?xml version=\"1.0\"?>\n<hivemq>\n")
        .append("  <listeners>\n    <tcp-listener>\n")
        .append("      <port>").append(port).append("</port>\n")
        .append("      <bind-address>127.0.0.1</bind-address>\n")
        .append("    </tcp-listener>\n  </listeners>\n")
        .append("  <persistence>\n    <mode>in-memory</mode>\n  </persistence>\n")
        .append("  <anonymous-usage-statistics>\n    <enabled>false</enabled>\n  </anonymous-usage-statistics>\n");
    if (receiveMaximum > 0) {
      x.append("  <mqtt>\n    <receive-maximum>\n      <server-receive-maximum>").append(receiveMaximum)
          .append("</server-receive-maximum>\n    </receive-maximum>\n  </mqtt>\n");
    }
    return x.append("</hivemq>\n").toString();
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
}
