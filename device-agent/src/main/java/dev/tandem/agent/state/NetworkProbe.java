package dev.tandem.agent.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Guesses the network type from Linux's {@code /sys/class/net}: among interfaces that are up
 * (loopback and virtual bridges aside), ethernet beats wifi beats cellular. Wifi is an
 * interface with a {@code wireless} directory or a {@code wl*} name; cellular is {@code ww*},
 * {@code rmnet*}, {@code ppp*} or {@code wwan*} (reported as "4g" and metered, the cautious
 * choice); ethernet is {@code eth*} or {@code en*}. No interface up: "none" (offline).
 * Configure the type explicitly where this guess is wrong.
 */
public final class NetworkProbe {
  private final Path dir;

  /** A probe result: the policy JSON name of the network type and whether it is metered. */
  public static final class Reading {
    public final String networkType;
    public final boolean metered;

    Reading(String networkType, boolean metered) {
      this.networkType = networkType;
      this.metered = metered;
    }
  }

  public NetworkProbe(Path netDir) {
    this.dir = netDir;
  }

  public Reading read() {
    int best = 0; // 0 none, 1 other, 2 cell, 3 wifi, 4 ethernet
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path iface : ds) {
          String name = iface.getFileName().toString();
          if (name.equals("lo") || name.startsWith("docker") || name.startsWith("veth")
              || name.startsWith("br-") || name.startsWith("virbr")) {
            continue;
          }
          if (!state(iface).equals("up")) {
            continue;
          }
          int rank;
          if (Files.isDirectory(iface.resolve("wireless")) || name.startsWith("wl")) {
            rank = 3;
          } else if (name.startsWith("ww") || name.startsWith("rmnet") || name.startsWith("ppp")) {
            rank = 2;
          } else if (name.startsWith("eth") || name.startsWith("en")) {
            rank = 4;
          } else {
            rank = 1;
          }
          best = Math.max(best, rank);
        }
      } catch (IOException e) {
        best = 1; // cannot tell: assume connected by some means, let offloads find out
      }
    }
    switch (best) {
      case 4:
        return new Reading("ethernet", false);
      case 3:
        return new Reading("wifi", false);
      case 2:
        return new Reading("4g", true);
      case 1:
        return new Reading("other", false);
      default:
        return new Reading("none", false);
    }
  }

  private static String state(Path iface) {
    try {
      return new String(Files.readAllBytes(iface.resolve("operstate")), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
