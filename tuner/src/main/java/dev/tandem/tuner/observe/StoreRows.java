package dev.tandem.tuner.observe;

import dev.tandem.tuner.store.StoreException;
import dev.tandem.tuner.store.StoreQuery;
import dev.tandem.tuner.store.StoreReader;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A window of a store as {@link DecisionRow}s, each with the receive date it was filed under,
 * read through the tuner's {@link StoreReader} (JSON-lines batches and compacted Parquet; a bare
 * spool directory too, dated by the devices' clocks) one receive date at a time. Labels and late
 * replies join their decisions whenever they were received.
 *
 * <p>Rows are held in memory: meant for a window of days, not a whole large store.
 */
public final class StoreRows {
  private StoreRows() {}

  /** What was read: the rows and the receive dates that held decisions. */
  public record Result(List<DecisionRow> rows, List<LocalDate> dates) {}

  /**
   * Reads the receive dates {@code from}..{@code to} (inclusive; null = open).
   *
   * @throws StoreException when the directory is not a store or holds no decisions in that range
   */
  public static Result read(Path store, LocalDate from, LocalDate to) {
    List<DecisionRow> rows = new ArrayList<>();
    List<LocalDate> dates = new ArrayList<>();
    try (StoreReader all = StoreReader.open(StoreQuery.builder(store).build())) {
      if (all.isSpool()) {
        all.forEachDevice(log -> log.decisions().forEach(d -> {
          LocalDate date = Instant.ofEpochMilli(d.record().timeMs()).atZone(ZoneOffset.UTC).toLocalDate();
          if ((from == null || !date.isBefore(from)) && (to == null || !date.isAfter(to))) {
            rows.add(DecisionRow.of(d, date));
          }
        }));
      } else {
        for (LocalDate date : all.receiveDates()) {
          if ((from != null && date.isBefore(from)) || (to != null && date.isAfter(to))) {
            continue;
          }
          try (StoreReader day = StoreReader.open(StoreQuery.builder(store).from(date).to(date).build())) {
            day.forEachDevice(log -> log.decisions().forEach(d -> rows.add(DecisionRow.of(d, date))));
            dates.add(date);
          } catch (StoreException e) {
            if (!e.getMessage().startsWith("no decision records")) {
              throw e;
            }
          }
        }
      }
    }
    if (rows.isEmpty()) {
      throw new StoreException("no decision records in " + store
          + (from != null || to != null ? " for receive dates " + (from == null ? "..." : from) + " to "
              + (to == null ? "..." : to) : "")
          + "; its receive dates: " + dates(store));
    }
    rows.sort(Comparator.comparing(DecisionRow::device).thenComparingLong(DecisionRow::seq));
    return new Result(List.copyOf(rows), List.copyOf(dates));
  }

  /** The store's receive dates, oldest first (empty for a spool directory or no store). */
  public static List<LocalDate> dates(Path store) {
    try (StoreReader r = StoreReader.open(StoreQuery.builder(store).build())) {
      return r.receiveDates();
    } catch (StoreException e) {
      return List.of();
    }
  }
}
