package dev.tandem.runtime.internal.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's process-wide environment, created on a thread with a stack large enough for
 * it, with ONNX Runtime's telemetry events turned off. Every Tandem component gets its
 * environment here ({@link ModelSession} does); code of an application that uses ONNX Runtime
 * directly in the same process should call {@link #get()} before its first {@code
 * OrtEnvironment.getEnvironment()}.
 *
 * <p>Why: the Linux build of ONNX Runtime we ship (1.29) starts its telemetry client while
 * creating the environment, and that client matches the whole of {@code /proc/self/cmdline}
 * against a {@code std::regex}. libstdc++'s regex matcher recurses once per character (about
 * 250 bytes of stack each), so a JVM launched with a command line of roughly 4 KB or more (a
 * long {@code -cp}, as from a test or an IDE, or long {@code -D} options) overflows the 1 MB
 * stack of the thread that first touches ONNX Runtime and dies with SIGSEGV; the overflow
 * leaves the JVM no stack to write an hs_err file. {@code java -jar} keeps the command line
 * short. See docs/relay.md, "Known issues".
 *
 * <p>Creating the environment once here makes every later {@link
 * OrtEnvironment#getEnvironment()} return the existing one. Telemetry: an embedded runtime must
 * not report on its users' devices, so events are turned off ({@code OrtEnvironment#setTelemetry});
 * the Linux build may still create its cache folder unless {@code ORT_DISABLE_TELEMETRY=1} is
 * set in the environment. Thread-safe and idempotent; costs one short-lived thread on the first
 * call.
 */
public final class OrtEnvironments {
  private static final Logger log = LoggerFactory.getLogger(OrtEnvironments.class);
  /** Stack for the start-up thread beyond what the command line needs. */
  private static final long BASE_STACK_BYTES = 8L << 20;
  /** Stack per command-line byte: four times the ~250 bytes the regex takes per character. */
  private static final long STACK_BYTES_PER_CMDLINE_BYTE = 1024;

  private static volatile boolean started;

  private OrtEnvironments() {}

  /**
   * ONNX Runtime's default environment, created on the first call on a dedicated thread (the
   * caller waits for it).
   *
   * @throws RuntimeException or {@link Error} as {@link OrtEnvironment#getEnvironment()} throws
   *     them (e.g. {@link UnsatisfiedLinkError} when the native library cannot load)
   */
  public static OrtEnvironment get() {
    ensureStarted();
    return OrtEnvironment.getEnvironment();
  }

  private static void ensureStarted() {
    if (started) {
      return;
    }
    synchronized (OrtEnvironments.class) {
      if (started) {
        return;
      }
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Thread t = new Thread(null, () -> {
        try {
          OrtEnvironment env = OrtEnvironment.getEnvironment();
          try {
            env.setTelemetry(false);
          } catch (OrtException | RuntimeException e) {
            log.debug("ONNX Runtime telemetry could not be turned off: {}", e.toString());
          }
        } catch (Throwable e) { // rethrown on the caller's thread below
          failure.set(e);
        }
      }, "ort-environment-start", stackBytes(commandLineBytes()));
      t.start();
      boolean interrupted = false;
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the native call cannot be abandoned half-way; finish waiting
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      Throwable e = failure.get();
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      if (e instanceof Error) {
        throw (Error) e;
      }
      if (e != null) {
        throw new IllegalStateException("ONNX Runtime's environment did not start: " + e, e);
      }
      started = true;
    }
  }

  /** The stack the start-up thread gets for a command line of {@code cmdlineBytes}. */
  static long stackBytes(long cmdlineBytes) {
    return BASE_STACK_BYTES + STACK_BYTES_PER_CMDLINE_BYTE * Math.max(0, cmdlineBytes);
  }

  /** Length of {@code /proc/self/cmdline}, or 0 where there is none (not Linux). */
  static long commandLineBytes() {
    Path cmdline = Paths.get("/proc/self/cmdline");
    if (!Files.isReadable(cmdline)) {
      return 0;
    }
    // procfs reports size 0; count the bytes.
    long n = 0;
    byte[] buf = new byte[8192];
    try (InputStream in = Files.newInputStream(cmdline)) {
      for (int r; (r = in.read(buf)) > 0; ) {
        n += r;
      }
    } catch (IOException e) {
      return 0;
    }
    return n;
  }
}
