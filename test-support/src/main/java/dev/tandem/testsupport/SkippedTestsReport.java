package dev.tandem.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Lists every skipped test with its reason, so that no test is skipped silently: a test or
 * class aborted by an assumption (e.g. {@link Tools#require} for a missing tool) or disabled.
 * Each skip is appended to the file named by the system property {@code tandem.skipped.report}
 * (default {@code target/skipped-tests.txt}); the build prints that file at the end of each
 * module's tests. Registered with the JUnit Platform through {@code META-INF/services}, so any
 * module with this one on its test class path reports its skips.
 */
public final class SkippedTestsReport implements TestExecutionListener {
  /** The system property naming the report file. */
  public static final String REPORT_PROPERTY = "tandem.skipped.report";

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    record(test, "disabled: " + reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      String reason = result.getThrowable().map(t -> t.getMessage() == null ? t.toString() : t.getMessage())
          .orElse("aborted without a reason");
      record(test, reason);
    }
  }

  /** The report file this JVM appends to. */
  public static Path reportFile() {
    String p = System.getProperty(REPORT_PROPERTY, "").trim();
    return p.isEmpty() ? Paths.get("target", "skipped-tests.txt") : Paths.get(p);
  }

  private static synchronized void record(TestIdentifier test, String reason) {
    Path file = reportFile().toAbsolutePath();
    String line = "SKIPPED " + name(test) + ": " + reason.replace('\n', ' ') + System.lineSeparator();
    try {
      Files.createDirectories(file.getParent());
      if (!Files.exists(file)) {
        Files.write(file, ("Skipped tests and why (" + file + "):" + System.lineSeparator()).getBytes(StandardCharsets.UTF_8),
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      Files.write(file, line.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the skipped-tests report " + file, e);
    }
  }

  static String name(TestIdentifier test) {
    Optional<TestSource> source = test.getSource();
    if (source.isPresent() && source.get() instanceof MethodSource) {
      MethodSource m = (MethodSource) source.get();
      String n = simple(m.getClassName()) + "." + m.getMethodName();
      return test.getDisplayName().startsWith(m.getMethodName()) ? n : n + " [" + test.getDisplayName() + "]";
    }
    if (source.isPresent() && source.get() instanceof ClassSource) {
      return simple(((ClassSource) source.get()).getClassName());
    }
    return test.getDisplayName();
  }

  private static String simple(String className) {
    return className.substring(className.lastIndexOf('.') + 1);
  }
}
