package dev.tandem.relay.policy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator's own record of published policies, on local disk: one file per version,
 * {@code {dir}/{fleet}/{model}/{version}.json}, written once and never replaced. It survives a
 * broker that lost its retained messages, so {@code publish} can still number the next version.
 */
public final class PolicyHistory {
  private static final Pattern FILE = Pattern.compile("(\\d{1,18})\\.json");

  private final Path root;

  public PolicyHistory(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  private Path dir(String fleet, String model) {
    return root.resolve(fleet).resolve(model);
  }

  /** The file of one version. */
  public Path file(String fleet, String model, long version) {
    return dir(fleet, model).resolve(version + ".json");
  }

  /**
   * The highest version recorded for (fleet, model), empty when none is.
   *
   * @throws IOException when the directory cannot be read
   */
  public OptionalLong highest(String fleet, String model) throws IOException {
    Path d = dir(fleet, model);
    if (!Files.isDirectory(d)) {
      return OptionalLong.empty();
    }
    long max = -1;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
      for (Path p : ds) {
        Matcher m = FILE.matcher(p.getFileName().toString());
        if (m.matches()) {
          max = Math.max(max, Long.parseLong(m.group(1)));
        }
      }
    }
    return max < 0 ? OptionalLong.empty() : OptionalLong.of(max);
  }

  /** The content of one version, if recorded. */
  public Optional<String> read(String fleet, String model, long version) throws IOException {
    Path f = file(fleet, model, version);
    if (!Files.exists(f)) {
      return Optional.empty();
    }
    return Optional.of(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
  }

  /**
   * Records a version, durably; never replaces an existing entry.
   *
   * @throws FileAlreadyExistsException when the version is already recorded
   * @throws IOException when it cannot be written
   */
  public void record(String fleet, String model, long version, String json) throws IOException {
    Path d = dir(fleet, model);
    Files.createDirectories(d);
    Path f = file(fleet, model, version);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // a platform that cannot fsync a directory: the file itself is forced
    }
  }
}
