package dev.tandem.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.collect.DeviceGaps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent on a really full file system: a 512 KiB tmpfs holding its spool, filled up with a
 * file. Every request is answered, through a restart on the full disk too; what cannot be
 * written is counted and health says degraded; once space returns, records flow to the collector
 * again and the drops show there as evicted gaps, not losses. Needs root (to mount the tmpfs):
 * skipped with the reason otherwise.
 */
class AgentFullDiskTest {
  @TempDir Path dir;

  @Test
  void fullDisk_everyRequestAnswered_dropsCountedAsGaps_degraded_restartAnswers_recordsFlowOnceSpaceReturns()
      throws Exception {
    Path mount = dir.resolve("small");
    Files.createDirectories(mount);
    String reason = mountTmpfs(mount);
    Assumptions.assumeTrue(reason == null, () -> {
      System.out.println("AgentFullDiskTest skipped: " + reason);
      return reason;
    });
    try (Fleet f = new Fleet(dir)) {
      f.collector.close(); // no acks: the spool keeps everything, as on a device offline
      f.collector = null;
      String spool = "\"spool\": {\"dir\": \"" + mount.resolve("spool") + "\", \"fsync\": \"every\","
          + " \"reserve_bytes\": 16384}";
      String cfg = f.config("dev-full", "").replaceFirst("\"spool\": \\{[^}]*\\}", spool);
      Random rnd = new Random(7);

      Agent a = f.agent("dev-full", "");
      a.close();
      f.agents.remove(a);
      a = Agent.start(dev.tandem.agent.config.AgentConfig.parse(cfg, dir), new Agent.Options());
      // Fill what is left, but a few KiB.
      Path filler = mount.resolve("filler");
      fill(filler);
      for (int i = 0; i < 400; i++) {
        String answer = a.submit(Fleet.request(rnd, "r" + i), "test");
        assertThat(answer).as("request %d", i).contains("decision_id").doesNotContain("\"error\"");
      }
      String metrics = a.metrics().render();
      assertThat(metrics).contains("tandem_agent_records_dropped_total{reason=");
      assertThat(a.health()).startsWith("degraded");
      a.close();

      // A restart on the full disk answers too.
      Agent b = Agent.start(dev.tandem.agent.config.AgentConfig.parse(cfg, dir), new Agent.Options());
      try {
        for (int i = 0; i < 100; i++) {
          assertThat(b.submit(Fleet.request(rnd, "s" + i), "test")).contains("decision_id")
              .doesNotContain("\"error\"");
        }
        // Space returns, the collector comes back: records flow and the drops are gaps, not losses.
        Files.delete(filler);
        f.startCollector();
        for (int i = 0; i < 50; i++) {
          assertThat(b.submit(Fleet.request(rnd, "t" + i), "test")).contains("decision_id");
        }
        assertThat(b.health()).isNull();
        Fleet.await(b::uploaded, 60_000, "the spool uploaded");
        DeviceGaps g = f.store.gaps().get("dev-full");
        assertThat(g).isNotNull();
        assertThat(g.stored()).isPositive();
        assertThat(g.evicted()).as(g.toString()).isPositive();
        assertThat(g.lost()).as(g.toString()).isZero();
      } finally {
        b.close();
      }
    } finally {
      new ProcessBuilder("umount", "-l", mount.toString()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Mounts a 512 KiB tmpfs; returns null, or why it could not. */
  static String mountTmpfs(Path at) throws InterruptedException {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "not root (mounting a tmpfs needs root)";
    }
    try {
      Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", at.toString())
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "mount -t tmpfs failed: " + out.trim();
      }
      return null;
    } catch (IOException e) {
      return "cannot run mount: " + e.getMessage();
    }
  }

  /** Writes to {@code file} until the file system is full, then frees 8 KiB. */
  static void fill(Path file) throws IOException {
    byte[] block = new byte[4096];
    try (java.io.OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      // full
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(Math.max(0, ch.size() - 8192));
    }
  }
}
