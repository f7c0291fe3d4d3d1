package dev.tandem.agent;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Mosquitto on a free loopback port, stoppable and restartable on the same port. */
public final class TestBroker implements AutoCloseable {
  private final Path dir;
  private final int port;
  private Process process;

  public TestBroker(Path dir) throws IOException {
    this.dir = dir;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path conf = dir.resolve("mosquitto.conf");
    Files.write(conf, ("listener " + port + " 127.0.0.1\nallow_anonymous true\n"
        + "set_tcp_nodelay true\npersistence true\npersistence_location " + dir + "/\n"
        + "max_queued_messages 100000\n").getBytes(StandardCharsets.UTF_8));
    start();
  }

  public String url() {
    return "tcp://127.0.0.1:" + port;
  }

  public void start() throws IOException {
    process = new ProcessBuilder("/usr/sbin/mosquitto", "-c", dir.resolve("mosquitto.conf").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException(ie);
        }
      }
    }
    throw new IOException("mosquitto did not start on port " + port);
  }

  public void stop() throws InterruptedException {
    if (process != null) {
      process.destroy();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
