package dev.tandem.tuner.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Headless Chromium for the report tests: screenshots and the DOM after scripts ran. */
final class Chromium {
  static final Path BINARY = Path.of("/usr/bin/chromium");

  private Chromium() {}

  /** Why Chromium cannot be used here, or null when it can. */
  static String unavailable() {
    return Files.isExecutable(BINARY) ? null : BINARY + " is not installed (Debian package chromium)";
  }

  static void screenshot(Path html, Path png, Path profile, int width, int height) throws Exception {
    run(profile, List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height,
        html.toUri().toString()), null);
  }

  static String dumpDom(Path html, Path profile) throws Exception {
    Path out = profile.resolveSibling(profile.getFileName() + "-dom.html");
    run(profile, List.of("--dump-dom", html.toUri().toString()), out);
    return Files.readString(out, StandardCharsets.UTF_8);
  }

  private static void run(Path profile, List<String> extra, Path stdout) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
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
