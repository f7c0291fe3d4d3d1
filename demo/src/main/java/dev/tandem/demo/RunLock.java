package dev.tandem.demo;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One demo per output folder at a time: an OS file lock on {@code .tandem-demo.lock}, released
 * when the process ends however it ends. The file names the holder's process id.
 */
final class RunLock implements AutoCloseable {
  static final String FILE = ".tandem-demo.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private RunLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** @throws DemoException when another demo holds the folder */
  static RunLock acquire(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(FILE);
    FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
        throw new DemoException("another demo is running in " + dir
            + (holder.isEmpty() ? "" : " (process " + holder + ")")
            + ": wait for it to finish (or stop it with Ctrl-C), or give this one its own folder with --out DIR"
            + " and its own broker port with --port");
      }
      ch.truncate(0);
      ch.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)));
      ch.force(false);
      return new RunLock(ch, l);
    } catch (IOException | RuntimeException e) {
      ch.close(); // releases the lock too: a failed start leaves no open file behind
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
