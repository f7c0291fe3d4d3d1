package dev.tandem.agent.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * Reads the battery from Linux's power-supply class ({@code /sys/class/power_supply}): the
 * first supply of type {@code Battery} gives {@code capacity} (percent) and {@code status};
 * charging means status Charging or Full, or any mains/USB supply online. A board without a
 * battery reads empty (mains powered). Each call reads a handful of small sysfs files.
 */
public final class BatteryProbe {
  private final Path dir;

  /** A reading: percent 0..100 and whether it is charging. */
  public static final class Reading {
    public final int percent;
    public final boolean charging;

    Reading(int percent, boolean charging) {
      this.percent = percent;
      this.charging = charging;
    }

    @Override
    public String toString() {
      return percent + "%" + (charging ? " charging" : "");
    }
  }

  public BatteryProbe(Path powerSupplyDir) {
    this.dir = powerSupplyDir;
  }

  /** The battery now, or empty when there is none (or the class is absent). */
  public Optional<Reading> read() {
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    Integer percent = null;
    boolean charging = false;
    boolean mainsOnline = false;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path supply : ds) {
        String type = read(supply.resolve("type")).orElse("");
        if (type.equalsIgnoreCase("Battery") && percent == null) {
          Optional<String> cap = read(supply.resolve("capacity"));
          if (!cap.isPresent()) {
            continue;
          }
          try {
            percent = Math.max(0, Math.min(100, Integer.parseInt(cap.get())));
          } catch (NumberFormatException e) {
            continue; // a battery that reports garbage is treated as absent
          }
          String status = read(supply.resolve("status")).orElse("").toLowerCase(Locale.ROOT);
          charging = status.equals("charging") || status.equals("full");
        } else if (!type.equalsIgnoreCase("Battery")) {
          mainsOnline |= read(supply.resolve("online")).orElse("0").equals("1");
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return percent == null ? Optional.empty() : Optional.of(new Reading(percent, charging || mainsOnline));
  }

  private static Optional<String> read(Path p) {
    try {
      return Optional.of(new String(Files.readAllBytes(p), StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return Optional.empty(); // an attribute this driver does not expose
    }
  }
}
