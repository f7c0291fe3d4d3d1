package dev.tandem.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.testing.TinyModels;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * 10,000 runs must not grow the process's resident memory (VmRSS).
 *
 * <p>The runs happen in a child JVM with a fixed, pre-touched 64 MiB heap and a 16 MiB cap on
 * direct buffers, so that the Java heap's pages are resident from the start and pending direct
 * buffers force a GC early: what grows after that is native memory. (In the test JVM itself the
 * heap keeps touching new pages for tens of thousands of runs and hides any signal.)
 *
 * <p>Bound: each run of the tiny classifier at batch 256 moves 4 KiB of input and 6 KiB of
 * outputs through native memory. Between the checkpoint after 4,000 warm-up runs and the end
 * (6,000 runs), clean runs grew VmRSS by 2 to 10 MiB on this machine (JIT and malloc arenas still
 * settling; it stays flat from about 10,000 runs on), while leaving each run's result open grew
 * it by 49 MiB. 16 MiB sits between the two: it catches any per-run leak of about 3 KiB or more.
 */
@Tag("memory")
class NativeMemoryTest {
  private static final int WARM_UP = 4_000;
  private static final int RUNS = 10_000;
  private static final long BOUND_KIB = 16 * 1024;

  static long vmRssKib() throws IOException {
    for (String line : Files.readAllLines(Paths.get("/proc/self/status"), StandardCharsets.US_ASCII)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }

  @Test
  void run_tenThousandTimes_residentMemorySettles() throws Exception {
    Assumptions.assumeTrue(Files.isReadable(Paths.get("/proc/self/status")), "needs Linux /proc");
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(Arrays.asList(java, "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch",
        "-XX:MaxDirectMemorySize=16m", "-Xshare:off",
        "-Djava.io.tmpdir=" + System.getProperty("tandem.test.tmpdir", System.getProperty("java.io.tmpdir")),
        "-cp", System.getProperty("java.class.path"), Probe.class.getName(), Integer.toString(RUNS)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    }
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("probe output %s", lines).isZero();
    String result = lines.get(lines.size() - 1);
    System.out.println(result);
    assertThat(result).startsWith("rss ");
    String[] kib = result.substring(4).split(" ");
    long start = Long.parseLong(kib[0]);
    long end = Long.parseLong(kib[kib.length - 1]);
    assertThat(end - start).as("VmRSS growth in KiB over %d runs: %s", RUNS - WARM_UP, result).isLessThan(BOUND_KIB);
  }

  /** The child JVM: runs the model and prints VmRSS after warm-up, every 2,000 runs and at the end. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      int runs = Integer.parseInt(args[0]);
      Random random = new Random(42);
      float[] features = new float[256 * 4];
      for (int i = 0; i < features.length; i++) {
        features[i] = random.nextFloat();
      }
      List<Tensor> in = Inputs.builder().addFloat32("features", features, 256, 4).build();
      StringBuilder rss = new StringBuilder("rss");
      long checksum = 0;
      try (ModelSession session = ModelSession.builder().bytes(TinyModels.classifier()).intraOpThreads(1).build()) {
        for (int i = 1; i <= runs; i++) {
          checksum += session.run(in).get(0).byteLength();
          if (i >= WARM_UP && i % 2_000 == 0) {
            System.gc();
            rss.append(' ').append(vmRssKib());
          }
        }
      }
      if (checksum != (long) runs * 256 * 3 * 4) {
        throw new AssertionError("wrong output sizes: " + checksum);
      }
      System.out.println(rss);
    }
  }
}
