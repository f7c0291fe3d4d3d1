package dev.tandem.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class SkippedTestsReportTest {
  @Test
  void skippedTests_areListedWithTheirReasons(@TempDir Path dir) throws IOException {
    Path report = dir.resolve("target/skipped-tests.txt");
    String before = System.getProperty(SkippedTestsReport.REPORT_PROPERTY);
    System.setProperty(SkippedTestsReport.REPORT_PROPERTY, report.toString());
    try {
      Launcher launcher = LauncherFactory.create(LauncherConfig.builder()
          .enableTestExecutionListenerAutoRegistration(false)
          .addTestExecutionListeners(new SkippedTestsReport())
          .build());
      launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Sample.class)).build());
    } finally {
      if (before == null) {
        System.clearProperty(SkippedTestsReport.REPORT_PROPERTY);
      } else {
        System.setProperty(SkippedTestsReport.REPORT_PROPERTY, before);
      }
    }
    List<String> lines = Files.readAllLines(report, StandardCharsets.UTF_8);
    assertThat(lines.get(0)).startsWith("Skipped tests and why");
    assertThat(lines.subList(1, lines.size())).containsExactlyInAnyOrder(
        "SKIPPED SkippedTestsReportTest$Sample.needsSomething: Assumption failed: the thing is missing",
        "SKIPPED SkippedTestsReportTest$Sample.notNow: disabled: waits for the thing");
  }

  /** Run only through the launcher above (nested classes are not picked up by the build). */
  static class Sample {
    @Test
    void runs() {}

    @Test
    void needsSomething() {
      Assumptions.assumeTrue(false, "the thing is missing");
    }

    @Test
    @Disabled("waits for the thing")
    void notNow() {}
  }
}
