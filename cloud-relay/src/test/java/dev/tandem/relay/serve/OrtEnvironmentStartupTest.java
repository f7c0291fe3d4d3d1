package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.Test;

class OrtEnvironmentStartupTest {
  /** Measured: ONNX Runtime 1.29's start-up takes about 260 bytes of stack per command-line byte. */
  static final long MEASURED_BYTES_PER_CMDLINE_BYTE = 260;

  @Test
  void stackBytes_coversMeasuredNeedWithMargin() {
    for (long n : new long[] {0, 4_096, 100_000, 2_097_152}) {
      assertThat(OrtEnvironmentStartup.stackBytes(n))
          .isGreaterThanOrEqualTo(2 * MEASURED_BYTES_PER_CMDLINE_BYTE * n + (1 << 20));
    }
  }

  @Test
  void commandLineBytes_linux_countsThisJvmsCommandLine() {
    if (System.getProperty("os.name").startsWith("Linux")) {
      // At least "java" and the main class or jar.
      assertThat(OrtEnvironmentStartup.commandLineBytes()).isGreaterThan(10);
    }
  }

  @Test
  void ensureStarted_twice_leavesOneUsableEnvironment() {
    OrtEnvironmentStartup.ensureStarted();
    OrtEnvironmentStartup.ensureStarted();
    assertThat(OrtEnvironment.getEnvironment().getVersion()).isNotEmpty();
  }
}
