package dev.tandem.tuner.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.tandem.testsupport.Tools;

/** Headless Chromium for the report tests: screenshots and the DOM after scripts ran. */
final class Chromium {
  private final Path binary;

  private Chromium(Path binary) {
    this.binary = binary;
  }

  /** Chromium, or the test is skipped with the reason (failed when -Dtandem.require names it). */
  static Chromium require() {
    return new Chromium(Tools.require("chromium"));
  }

  void screenshot(Path html, Path png, Path profile, int width, int height) throws Exception {
    run(profile, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
        html.toUri().toString()), null);
  }

  String dumpDom(Path html, Path profile) throws Exception {
    Path out = profile.resolveSibling(profile.getFileName() + "-dom.html");
    run(profile, List.of("--dump-dom", html.toUri().toString()), out);
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private void run(Path profile, List<String> extra, Path stdout) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-dev-shm-usage", "--hide-scrollbars", "--virtual-time-budget=10000",
        "--user-data-dir=" + profile.toAbsolutePath()));
    cmd.addAll(extra);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Path log = profile.resolveSibling(profile.getFileName() + ".log");
    pb.redirectError(log.toFile());
    pb.redirectOutput(stdout != null ? stdout.toFile() : log.toFile());
    Process p = pb.start();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("chromium did not finish in 180 s: " + String.join(" ", cmd));
    }
    if (p.exitValue() != 0) {
      throw new IOException("chromium exited " + p.exitValue() + ": " + Files.readString(log));
    }
  }
}
