package dev.tandem.tuner.observe;

import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.record.RecordFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads the JSON-lines batches of a collector's store ({@code records/date=D/{device}/{batch}.jsonl},
 * docs/log-store.md) into {@link DecisionRow}s, one per distinct (device, seq), with labels and late
 * replies joined. A label or late reply filed on a later receive date than its decision is joined
 * too, as long as that date is read.
 *
 * <p>Rows are held in memory: meant for a window of days, not a whole large store.
 */
public final class StoreRows {
  private StoreRows() {}

  /** What was read, and how many lines could not be decoded. */
  public record Result(List<DecisionRow> rows, long skippedLines, List<LocalDate> dates) {}

  /**
   * Reads the receive dates {@code from}..{@code to} (inclusive; null = open).
   *
   * @throws StoreException when the directory is not a store or holds no records in that range
   */
  public static Result read(Path store, LocalDate from, LocalDate to) {
    Path records = store.resolve("records");
    if (!Files.isDirectory(records)) {
      throw new StoreException(store + " is not a Tandem log store: it has no records/ directory"
          + " (docs/log-store.md describes the layout)");
    }
    Map<String, DecisionRecord> decisions = new LinkedHashMap<>();
    Map<String, LocalDate> dateOf = new HashMap<>();
    Map<String, AmendmentRecord> late = new HashMap<>();
    Map<String, AmendmentRecord> labels = new HashMap<>();
    List<LocalDate> dates = new ArrayList<>();
    long skipped = 0;
    for (Path partition : partitions(records)) {
      LocalDate date = partitionDate(partition);
      if (date == null || (from != null && date.isBefore(from)) || (to != null && date.isAfter(to))) {
        continue;
      }
      dates.add(date);
      List<Path> files;
      try (Stream<Path> s = Files.walk(partition)) {
        files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl")
            && !p.getFileName().toString().startsWith(".")).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (Path f : files) {
        try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
          for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (line.isBlank()) {
              continue;
            }
            Record rec;
            try {
              rec = RecordCodec.decode(line);
            } catch (RecordFormatException e) {
              skipped++;
              continue;
            }
            if (rec instanceof DecisionRecord d) {
              String id = d.device() + ":" + d.seq();
              if (decisions.putIfAbsent(id, d) == null) {
                dateOf.put(id, date);
              }
            } else if (rec instanceof AmendmentRecord a) {
              if (a.type() == AmendmentRecord.Type.LABEL) {
                labels.putIfAbsent(a.decisionId(), a);
              } else {
                late.putIfAbsent(a.decisionId(), a);
              }
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read " + f, e);
        }
      }
    }
    if (decisions.isEmpty()) {
      throw new StoreException("no decision records in " + records
          + (from != null || to != null ? " for receive dates " + (from == null ? "..." : from) + " to "
              + (to == null ? "..." : to) : "")
          + (dates.isEmpty() ? " (no date=YYYY-MM-DD partition in range)" : ""));
    }
    List<DecisionRow> rows = new ArrayList<>(decisions.size());
    for (var e : decisions.entrySet()) {
      rows.add(DecisionRow.of(e.getValue(), dateOf.get(e.getKey()), late.get(e.getKey()), labels.get(e.getKey())));
    }
    rows.sort(Comparator.comparing(DecisionRow::device).thenComparingLong(DecisionRow::seq));
    return new Result(List.copyOf(rows), skipped, List.copyOf(dates));
  }

  /** The store's receive dates, oldest first. */
  public static List<LocalDate> dates(Path store) {
    Path records = store.resolve("records");
    if (!Files.isDirectory(records)) {
      return List.of();
    }
    return partitions(records).stream().map(StoreRows::partitionDate).filter(d -> d != null).sorted().toList();
  }

  private static List<Path> partitions(Path records) {
    try (Stream<Path> s = Files.list(records)) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static LocalDate partitionDate(Path partition) {
    String name = partition.getFileName().toString();
    if (!name.startsWith("date=")) {
      return null;
    }
    try {
      return LocalDate.parse(name.substring(5));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
