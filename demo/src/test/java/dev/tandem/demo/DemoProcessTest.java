package dev.tandem.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tandem.workload.build.BuildOptions;
import dev.tandem.workload.build.ReferenceModels;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tandem demo} as a user runs it, in its own JVM: Ctrl-C (SIGINT) in the middle of the
 * calibration fleet stops every part (exit status 130, the message, the broker's port and the run
 * lock released, no process left behind), and a second demo on the same folder while the first
 * runs is refused with the holder's process id. Reference models come from a generated corpus
 * (no npm), built once into a cache the child processes share.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class DemoProcessTest {
  @TempDir
  static Path shared;

  static Path cache;
  static Path corpus;
  static Path classpathJar;

  @BeforeAll
  static void models() throws Exception {
    assumeTrue(!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win"),
        "SIGINT is sent with kill(1)");
    corpus = DemoLoopTest.corpus(shared.resolve("corpus"), 200, 11);
    cache = shared.resolve("cache");
    // The options the command line builds with for --corpus: the child finds this build cached.
    ReferenceModels.ensureBuilt(cache, BuildOptions.builder().fp32Edge(false).seed(1).corpusDir(corpus).build());
    classpathJar = classpathJar(shared.resolve("classpath.jar"));
  }

  /** A jar whose manifest carries this JVM's class path: the child's command line stays short. */
  static Path classpathJar(Path jar) throws IOException {
    Manifest m = new Manifest();
    m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    String cp = java.util.Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(s -> !s.isEmpty()).map(s -> Path.of(s).toAbsolutePath().toUri().toString())
        .collect(Collectors.joining(" "));
    m.getMainAttributes().put(Attributes.Name.CLASS_PATH, cp);
    try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o, m)) {
      // the manifest is all
    }
    return jar;
  }

  /** Starts {@code tandem demo} with these arguments; stdout and stderr go to files in {@code logs}. */
  static Process demo(Path logs, String name, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
        "-Dslf4j.provider=ch.qos.logback.classic.spi.LogbackServiceProvider", "-cp", classpathJar.toString(),
        TandemCli.class.getName(), "demo", "--cache", cache.toString(), "--corpus", corpus.toString()));
    cmd.addAll(List.of(args));
    Files.createDirectories(logs);
    return new ProcessBuilder(cmd).redirectOutput(logs.resolve(name + ".out").toFile())
        .redirectError(logs.resolve(name + ".err").toFile()).start();
  }

  static String read(Path f) throws IOException {
    return Files.exists(f) ? new String(Files.readAllBytes(f), StandardCharsets.UTF_8) : "";
  }

  /** Waits until {@code file} contains {@code text}, or the process ends. */
  static boolean awaitText(Process p, Path file, String text, long timeoutMs) throws Exception {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      if (read(file).contains(text)) {
        return true;
      }
      if (!p.isAlive()) {
        return read(file).contains(text);
      }
      Thread.sleep(200);
    }
    return false;
  }

  @Test
  void ctrlC_stopsEveryPartCleanly_andASecondRunMeanwhileIsRefused() throws Exception {
    Path out = shared.resolve("runs");
    Path logs = shared.resolve("logs");
    // 3 devices at 0.1 messages per second: the calibration phase lasts minutes, Ctrl-C lands inside it.
    Process first = demo(logs, "first", "--out", out.toString(), "--port", "0", "--devices", "3", "--messages", "40",
        "--rate", "0.1");
    try {
      assertThat(awaitText(first, logs.resolve("first.out"), "[3/7]", 600_000))
          .as("the first demo reaches its calibration fleet; stdout:%n%s%nstderr:%n%s", read(logs.resolve("first.out")),
              read(logs.resolve("first.err")))
          .isTrue();
      Thread.sleep(3000);
      int port = brokerPort(read(logs.resolve("first.out")));

      // A second demo on the same folder: refused at once, naming the first.
      Process second = demo(logs, "second", "--out", out.toString(), "--port", "0", "--devices", "1");
      assertThat(second.waitFor(3, TimeUnit.MINUTES)).isTrue();
      assertThat(second.exitValue()).isEqualTo(2);
      assertThat(read(logs.resolve("second.err"))).contains("another demo is running in")
          .contains("(process " + first.pid() + ")").contains("--out DIR");
      assertThat(first.isAlive()).isTrue();

      List<ProcessHandle> children = first.descendants().collect(Collectors.toList());
      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(first.pid())).inheritIO().start();
      assertThat(kill.waitFor(1, TimeUnit.MINUTES)).isTrue();
      assertThat(first.waitFor(4, TimeUnit.MINUTES)).as("the demo ends after Ctrl-C").isTrue();

      String err = read(logs.resolve("first.err"));
      assertThat(first.exitValue()).as("stderr:%n%s", err).isEqualTo(130);
      assertThat(err).contains("demo: stopping every part")
          .contains("demo: stopped (Ctrl-C); every part was closed");
      assertThat(children).noneMatch(ProcessHandle::isAlive);
      // The broker's port is free again, and so is the folder's lock.
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress("127.0.0.1", port));
      }
      try (RunLock lock = RunLock.acquire(out)) {
        assertThat(lock).isNotNull();
      }
    } finally {
      first.destroyForcibly();
    }
  }

  @Test
  void aPortInUse_isRefusedBeforeAnythingStarts_withWhatToDo() throws Exception {
    Path logs = shared.resolve("logs-port");
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = busy.getLocalPort();
      Process p = demo(logs, "port", "--out", shared.resolve("runs-port").toString(), "--port", Integer.toString(port));
      assertThat(p.waitFor(3, TimeUnit.MINUTES)).isTrue();
      String err = read(logs.resolve("port.err"));
      assertThat(p.exitValue()).as("stderr:%n%s", err).isEqualTo(2);
      assertThat(err).contains("port " + port + " on 127.0.0.1 is in use").contains("--port 0");
      assertThat(read(logs.resolve("port.out"))).doesNotContain("[1/7]");
    }
  }

  private static int brokerPort(String stdout) {
    Matcher m = Pattern.compile("broker tcp://127\\.0\\.0\\.1:(\\d+)").matcher(stdout);
    assertThat(m.find()).as("the broker's address in:%n%s", stdout).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
