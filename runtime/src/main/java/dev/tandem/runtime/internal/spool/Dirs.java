package dev.tandem.runtime.internal.spool;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Directory fsync, so that a rename or a new file survives a power loss. */
public final class Dirs {
  private Dirs() {}

  public static void force(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some platforms cannot open or force a directory; the rename is still atomic there, only
      // its durability across a power loss is left to the file system.
    }
  }
}
