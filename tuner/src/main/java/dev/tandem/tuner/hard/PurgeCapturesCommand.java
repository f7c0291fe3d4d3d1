package dev.tandem.tuner.hard;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem-tune purge-captures}: deletes captured inputs past retention from the store. */
@Command(name = "purge-captures", mixinStandardHelpOptions = true,
    description = "Deletes the store's captured inputs filed more than --retention-days receive days ago"
        + " (whole captures/date=D directories; the record store is not touched). Run it daily from cron.")
public final class PurgeCapturesCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, description = "the collector's store directory")
  Path store;

  @Option(names = "--retention-days", defaultValue = "30", description = "receive days a capture is kept (30)")
  int retentionDays;

  @Option(names = "--today", description = "the date retention counts from (default: today, UTC)")
  LocalDate today;

  @Override
  public Integer call() {
    if (retentionDays < 1) {
      System.err.println("error: --retention-days must be at least 1, was " + retentionDays);
      return 2;
    }
    if (!Files.isDirectory(store)) {
      System.err.println("error: " + store + " is not a directory");
      return 2;
    }
    LocalDate d = today != null ? today : LocalDate.now(ZoneOffset.UTC);
    int n = StoreCaptures.purge(store, d, retentionDays);
    System.out.println("purge-captures: deleted " + n + " captures filed before "
        + StoreCaptures.oldestKept(d, retentionDays));
    return 0;
  }
}
