package dev.tandem.runtime.internal.fatal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Failures#exitProcess()} ends the JVM with status 70; {@link Failures#report()} keeps it running. */
class FailuresExitTest {
  /** A process whose worker thread dies of an Error no code of ours catches. */
  public static final class DyingWorker {
    public static void main(String[] args) throws Exception {
      Failures f = Failures.exitProcess();
      f.installAsDefaultHandler("test process");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("shutdown hook ran")));
      Thread t = new Thread(() -> {
        throw new OutOfMemoryError("injected");
      }, "worker");
      t.start();
      Thread.sleep(60_000); // the main thread would go on for a minute: the failure must end it
      System.out.println("still running");
    }
  }

  @Test
  void exitProcess_errorOnAnyThread_endsTheJvmWithStatus70_afterItsShutdownHooks() throws Exception {
    Process p = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), DyingWorker.class.getName())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isEqualTo(Failures.EXIT_CODE);
    assertThat(out).contains("shutdown hook ran", "fatal error in test process thread worker")
        .doesNotContain("still running");
  }

  @Test
  void report_recordsTheFirstFailure_andKeepsRunning() {
    Failures f = Failures.report();
    assertThat(f.failed()).isFalse();
    f.fatal("a", new OutOfMemoryError("first"));
    f.fatal("b", new StackOverflowError());
    assertThat(f.failure()).hasValue("a: java.lang.OutOfMemoryError: first");
  }
}
