package dev.tandem.tuner.report;

import dev.tandem.runtime.policy.InvalidPolicyException;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.tuner.observe.StoreRows;
import dev.tandem.tuner.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem-tune report}: the fleet report as one self-contained HTML file. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Writes one self-contained HTML report (charts and their numbers) of a store's decisions.")
public final class ReportCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, description = "the collector's store directory")
  Path store;

  @Option(names = "--from", description = "first receive date (YYYY-MM-DD), default: the oldest")
  LocalDate from;

  @Option(names = "--to", description = "last receive date, default: the newest")
  LocalDate to;

  @Option(names = "--policy", description = "the policy in force (JSON), marked on the charts")
  Path policy;

  @Option(names = "--recommended", description = "a recommended policy (tune's policy.json), marked too")
  Path recommended;

  @Option(names = "--out", required = true, description = "the HTML file to write")
  Path out;

  @Override
  public Integer call() {
    try {
      StoreRows.Result r = StoreRows.read(store, from, to);
      FleetReport report = FleetReport.of(r.rows(), readPolicy(policy), readPolicy(recommended));
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(out, report.html(), StandardCharsets.UTF_8);
      System.out.println("report: " + r.rows().size() + " decisions -> " + out);
      return 0;
    } catch (StoreException | InvalidPolicyException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      System.err.println("error: cannot write " + out + ": " + e.getMessage());
      return 2;
    }
  }

  static Policy readPolicy(Path p) {
    if (p == null) {
      return null;
    }
    try {
      return Policy.fromJson(Files.readString(p, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read policy " + p + ": " + e.getMessage());
    }
  }
}
