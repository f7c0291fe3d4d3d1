package dev.tandem.runtime.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import org.junit.jupiter.api.Test;

class OrtEnvironmentsTest {
  /** Measured: ONNX Runtime 1.29's start-up takes about 260 bytes of stack per command-line byte. */
  static final long MEASURED_BYTES_PER_CMDLINE_BYTE = 260;

  @Test
  void stackBytes_coversMeasuredNeedWithMargin() {
    for (long n : new long[] {0, 4_096, 100_000, 2_097_152}) {
      assertThat(OrtEnvironments.stackBytes(n))
          .isGreaterThanOrEqualTo(2 * MEASURED_BYTES_PER_CMDLINE_BYTE * n + (1 << 20));
    }
  }

  @Test
  void commandLineBytes_linux_countsThisJvmsCommandLine() {
    if (System.getProperty("os.name").startsWith("Linux")) {
      // At least "java" and the main class or jar.
      assertThat(OrtEnvironments.commandLineBytes()).isGreaterThan(10);
    }
  }

  @Test
  void get_twice_returnsOneUsableEnvironment() {
    OrtEnvironment first = OrtEnvironments.get();
    assertThat(OrtEnvironments.get()).isSameAs(first).isSameAs(OrtEnvironment.getEnvironment());
    assertThat(first.getVersion()).isNotEmpty();
  }
}
