package dev.tandem.runtime.internal.fatal;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a component's long-lived threads report an {@link Error} (an {@code OutOfMemoryError},
 * a {@code StackOverflowError}, a linkage error) that leaves the component unable to do its
 * work. A process must never go on half-dead: in a command-line entry point ({@link
 * #exitProcess()}) the first failure ends the JVM with {@link #EXIT_CODE}, so that its supervisor
 * (systemd's {@code Restart=always}) starts it again; embedded in another program ({@link
 * #report()}: a demo, a test) the component only records that it failed, its health endpoint
 * says so, and the host JVM keeps running. Thread-safe.
 */
public final class Failures {
  private static final Logger log = LoggerFactory.getLogger(Failures.class);

  /** The exit status of a process ended by a fatal error: 70, {@code EX_SOFTWARE} of sysexits.h. */
  public static final int EXIT_CODE = 70;
  /** How long shutdown hooks may run after a fatal error before the JVM is halted. */
  static final long HALT_AFTER_MS = 15_000;

  private final boolean exit;
  private final AtomicReference<String> failure = new AtomicReference<>();

  private Failures(boolean exit) {
    this.exit = exit;
  }

  /** Records failures; the component reports itself failed, the JVM keeps running. */
  public static Failures report() {
    return new Failures(false);
  }

  /** Records the first failure and ends the process with {@link #EXIT_CODE}. */
  public static Failures exitProcess() {
    return new Failures(true);
  }

  /**
   * A thread of {@code component} met {@code error} and cannot go on. Logs it, records the first
   * one, and with {@link #exitProcess()} starts the JVM's exit (shutdown hooks run, on another
   * thread, so the failing thread may return; the JVM is halted if they take longer than 15 s).
   */
  public void fatal(String component, Throwable error) {
    String what = component + ": " + error;
    if (failure.compareAndSet(null, what)) {
      log.error("fatal error in {}; {}", component,
          exit ? "exiting with status " + EXIT_CODE + " for the supervisor to restart the process"
              : "it reports itself failed", error);
    } else {
      log.error("another fatal error in {}", component, error);
    }
    if (exit) {
      Thread halt = new Thread(() -> {
        try {
          TimeUnit.MILLISECONDS.sleep(HALT_AFTER_MS);
        } catch (InterruptedException e) {
          return;
        }
        Runtime.getRuntime().halt(EXIT_CODE);
      }, "fatal-halt");
      halt.setDaemon(true);
      halt.start();
      Thread exiter = new Thread(() -> System.exit(EXIT_CODE), "fatal-exit");
      exiter.start();
    }
  }

  /** The first failure, as "component: error", or empty while none occurred. */
  public Optional<String> failure() {
    return Optional.ofNullable(failure.get());
  }

  public boolean failed() {
    return failure.get() != null;
  }

  /**
   * Makes an {@link Error} that ends any thread without a handler of its own (a library's thread
   * too) fatal; exceptions are only logged, as the JVM would.
   */
  public void installAsDefaultHandler(String component) {
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
      if (e instanceof Error) {
        fatal(component + " thread " + t.getName(), e);
      } else {
        log.error("thread {} ended by an exception", t.getName(), e);
      }
    });
  }
}
