package dev.tandem.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.testing.TestDevice;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.testing.TinyModels;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cloud-relay serve --embedded-broker} as its own JVM, started with this test's class
 * path on the command line: the launch that used to die with SIGSEGV while loading the first
 * model (ONNX Runtime's telemetry overflowed the main thread's stack matching a long
 * {@code /proc/self/cmdline}; see {@code dev.tandem.runtime.internal.model.OrtEnvironments}).
 */
class ServeProcessTest {
  static final List<Tensor> X = Collections.singletonList(Tensor.ofFloats("features", new float[] {1, 2, 3, 4}, 1, 4));
  /** Comfortably past the ~4 KB at which the unpatched relay crashed, whatever the class path's length. */
  static final int MIN_COMMAND_LINE_CHARS = 16 * 1024;

  @TempDir Path dir;
  Process process;

  @AfterEach
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void serve_embeddedBroker_longCommandLine_readyAnswersAndStopsOnSigterm() throws Exception {
    Files.write(dir.resolve("tiny.onnx"), TinyModels.classifier());
    int brokerPort = freePort();
    int metricsPort = freePort();
    Path config = dir.resolve("relay.json");
    Files.write(config, ("{\"relayId\": \"relay-p\",\n"
        + " \"models\": [{\"name\": \"tiny\", \"file\": \"tiny.onnx\", \"version\": \"1\", \"providers\": [\"cpu\"],"
        + " \"intraOpThreads\": 1}],\n"
        + " \"metrics\": {\"host\": \"127.0.0.1\", \"port\": " + metricsPort + "}}\n").getBytes(StandardCharsets.UTF_8));

    List<String> cmd = new ArrayList<>(Arrays.asList(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + System.getProperty("tandem.test.tmpdir", System.getProperty("java.io.tmpdir")),
        "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path")));
    int length = String.join(" ", cmd).length();
    if (length < MIN_COMMAND_LINE_CHARS) {
      // The class path alone may be short (a short local repository path): pad the command line
      // so the test always covers the launch that crashed.
      cmd.add("-Dtandem.test.padding=" + String.join("", Collections.nCopies(MIN_COMMAND_LINE_CHARS - length, "x")));
    }
    cmd.addAll(Arrays.asList(CloudRelayCommand.class.getName(), "serve", "--embedded-broker",
        "--broker-port", Integer.toString(brokerPort), "--config", config.toString(), "--reload-interval-ms", "0"));
    assertThat(String.join(" ", cmd).length()).isGreaterThanOrEqualTo(MIN_COMMAND_LINE_CHARS);
    Path log = dir.resolve("serve.log");
    process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();

    awaitReady(metricsPort, log);
    try (TestDevice device = new TestDevice("tcp://127.0.0.1:" + brokerPort, Topics.defaults(), "dev-p")) {
      ReplyFrame r = device.request("tiny", X, 5_000, 1).get(10, TimeUnit.SECONDS);
      assertThat(r.status()).as(logText(log)).isEqualTo(ReplyStatus.OK);
      assertThat(r.relayId()).isEqualTo("relay-p");
      assertThat(r.modelVersion()).isEqualTo("1");
      assertThat(r.outputs().get(1).toFloatArray()).containsExactly(5f, 6.5f, 6f);
    }

    process.destroy(); // SIGTERM
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited within 20 s of SIGTERM; %s", logText(log)).isTrue();
    // 128 + SIGTERM: the JVM ran its shutdown hooks and exited, rather than crashing (139) or hanging.
    assertThat(process.exitValue()).as(logText(log)).isEqualTo(143);
    assertThat(logText(log)).contains("stopping: answering queued requests", "relay relay-p stopped")
        .doesNotContain(" ERROR ");
  }

  /** Polls /readyz until 200; fails at once with the log when the process dies. */
  void awaitReady(int metricsPort, Path log) throws Exception {
    URL url = new URL("http://127.0.0.1:" + metricsPort + "/readyz");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setConnectTimeout(1_000);
        c.setReadTimeout(1_000);
        int code = c.getResponseCode();
        c.disconnect();
        if (code == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      if (!process.isAlive()) {
        throw new AssertionError("serve exited with status " + process.exitValue() + " before it was ready; "
            + logText(log));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("serve not ready within 30 s; " + logText(log));
      }
      Thread.sleep(200);
    }
  }

  static String logText(Path log) {
    try {
      return "relay log:\n" + new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "relay log unreadable: " + e;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
