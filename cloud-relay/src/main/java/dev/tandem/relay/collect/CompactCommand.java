package dev.tandem.relay.collect;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code compact}: rewrite a day's batch files into Parquet with DuckDB. */
@Command(name = "compact", mixinStandardHelpOptions = true,
    description = "Rewrite one receive-date partition of the log store into a Parquet file.")
public final class CompactCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, description = "Root directory of the log store")
  Path store;

  @Option(names = "--date", description = "Day to compact, YYYY-MM-DD (UTC; default: yesterday)")
  String date;

  @Option(names = "--allow-today", description = "Compact today's partition too (stop collectors first)")
  boolean allowToday;

  @Override
  public Integer call() throws Exception {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    String day = date != null ? date : today.minusDays(1).toString();
    if (day.equals(today.toString()) && !allowToday) {
      System.err.println("refusing to compact today's partition (" + day
          + ") while collectors may write into it; pass --allow-today if they are stopped");
      return 2;
    }
    Compactor.Result r = Compactor.compact(store, day);
    System.out.println("compacted " + r.day + ": " + r.filesCompacted + " batch files, "
        + r.rows + " records in " + r.parquet);
    return 0;
  }
}
