package dev.tandem.tuner.hard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Captured inputs at the store: {@code captures/date=D/{device}/{seq}.json}, one file per decision,
 * partitioned by receive date so that retention deletes whole directories and never touches the
 * record store.
 */
public final class StoreCaptures {
  static final String DIR = "captures";

  /** A capture file and the receive date it is filed under. */
  public record Entry(Path file, LocalDate date) {}

  private StoreCaptures() {}

  /** The first receive date still kept with this retention, as of {@code today}. */
  public static LocalDate oldestKept(LocalDate today, int retentionDays) {
    return today.minusDays(retentionDays - 1L);
  }

  /** Every capture file in the store, by decision id ({@code device:seq}). */
  public static Map<String, Entry> index(Path store) {
    Map<String, Entry> out = new HashMap<>();
    for (Path day : dateDirs(store)) {
      LocalDate date = dateOf(day);
      try (Stream<Path> s = Files.walk(day, 2)) {
        s.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json")
            && !p.getFileName().toString().startsWith(".")).forEach(p -> {
              String seq = p.getFileName().toString().replace(".json", "");
              String device = p.getParent().getFileName().toString();
              out.put(device + ":" + seq, new Entry(p, date));
            });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  /** Deletes every receive-date directory of captures older than the retention. @return files deleted */
  public static int purge(Path store, LocalDate today, int retentionDays) {
    LocalDate keep = oldestKept(today, retentionDays);
    int n = 0;
    for (Path day : dateDirs(store)) {
      if (dateOf(day).isBefore(keep)) {
        n += deleteTree(day);
      }
    }
    return n;
  }

  private static List<Path> dateDirs(Path store) {
    Path root = store.resolve(DIR);
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> s = Files.list(root)) {
      s.filter(Files::isDirectory).filter(p -> dateOf(p) != null).sorted().forEach(out::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static LocalDate dateOf(Path dir) {
    String name = dir.getFileName().toString();
    if (!name.startsWith("date=")) {
      return null;
    }
    try {
      return LocalDate.parse(name.substring(5));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static int deleteTree(Path dir) {
    int[] n = {0};
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
        try {
          if (Files.isRegularFile(p)) {
            n[0]++;
          }
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot delete " + p, e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n[0];
  }
}
