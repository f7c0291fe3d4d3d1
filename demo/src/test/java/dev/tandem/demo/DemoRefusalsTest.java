package dev.tandem.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the demo refuses, each with a message that says what to do: another demo on the same
 * folder, a port in use, a disk without room. The disk cases use a real small tmpfs (mounting
 * needs root; without it they are skipped) and {@code /dev/full}, whose writes fail with
 * ENOSPC.
 */
class DemoRefusalsTest {
  @TempDir
  Path dir;

  private DemoSettings.Builder settings(Path out) {
    return DemoSettings.builder().devices(1).messages(1).outDir(out).cacheRoot(dir.resolve("cache")).port(0)
        .out(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)).progress(null);
  }

  @Test
  void aSecondDemoOnTheSameFolder_isRefusedNamingTheHolder_untilTheFirstReleasesIt() throws Exception {
    Path out = dir.resolve("runs");
    try (RunLock first = RunLock.acquire(out)) {
      assertThatThrownBy(() -> new Demo(settings(out).build()).run()).isInstanceOf(DemoException.class)
          .hasMessageContaining("another demo is running in " + out)
          .hasMessageContaining("(process " + ProcessHandle.current().pid() + ")")
          .hasMessageContaining("--out DIR").hasMessageContaining("--port");
    }
    try (RunLock again = RunLock.acquire(out)) {
      assertThat(Files.readString(out.resolve(RunLock.FILE))).isEqualTo(Long.toString(ProcessHandle.current().pid()));
    }
  }

  @Test
  void aPortInUse_isRefusedBeforeAnythingStarts() throws Exception {
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = busy.getLocalPort();
      assertThatThrownBy(() -> new Demo(settings(dir.resolve("runs")).port(port).build()).run())
          .isInstanceOf(DemoException.class).hasMessageContaining("port " + port + " on 127.0.0.1 is in use")
          .hasMessageContaining("--port 0");
    }
    assertThat(dir.resolve("cache")).doesNotExist(); // refused before the models step
  }

  @Test
  void aWriteFailingForLackOfSpace_isRecognised() {
    assumeTrue(Files.isWritable(Path.of("/dev/full")), "no /dev/full here");
    IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
        () -> Files.write(Path.of("/dev/full"), new byte[4096]));
    assertThat(Preflight.isDiskFull(e)).as(e.toString()).isTrue();
    assertThat(Preflight.isDiskFull(new IOException("Permission denied"))).isFalse();
  }

  @Test
  void aFolderWithTooLittleSpace_isRefusedBeforeAnythingStarts() throws Exception {
    Path small = Files.createDirectories(dir.resolve("small"));
    assumeTrue(mount(small, "1m"), "mounting a tmpfs needs root");
    try {
      assertThatThrownBy(() -> new Demo(settings(small.resolve("runs")).build()).run())
          .isInstanceOf(DemoException.class)
          .hasMessageContaining("not enough free disk space for the demo's store and spools in " + small.resolve("runs"))
          .hasMessageContaining("200 MB needed").hasMessageContaining("--out DIR");
    } finally {
      umount(small);
    }
  }

  @Test
  void aFullDisk_endsTheRunWithWhatToDo() throws Exception {
    Path full = Files.createDirectories(dir.resolve("full"));
    assumeTrue(mount(full, "64k"), "mounting a tmpfs needs root");
    try {
      Files.createDirectories(full.resolve("runs"));
      try (OutputStream o = Files.newOutputStream(full.resolve("filler"))) {
        byte[] block = new byte[4096];
        for (int i = 0; i < 1024; i++) {
          o.write(block);
          o.flush();
        }
      } catch (IOException expected) {
        // the tmpfs is full now
      }
      // The run lock's first write (the process id) fails for lack of space.
      assertThatThrownBy(() -> new Demo(settings(full.resolve("runs")).build()).run())
          .isInstanceOf(DemoException.class).hasMessageStartingWith("the disk is full (")
          .hasMessageContaining("free some space in " + full.resolve("runs"))
          .hasMessageContaining("--out DIR / --cache DIR");
    } finally {
      umount(full);
    }
  }

  private static boolean mount(Path at, String size) throws Exception {
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", at.toString())
        .redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0;
  }

  private static void umount(Path at) throws Exception {
    Process p = new ProcessBuilder("umount", at.toString()).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    p.waitFor(1, TimeUnit.MINUTES);
  }
}
