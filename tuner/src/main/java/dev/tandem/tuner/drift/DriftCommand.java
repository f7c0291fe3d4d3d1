package dev.tandem.tuner.drift;

import dev.tandem.tuner.observe.DecisionRow;
import dev.tandem.tuner.observe.StoreRows;
import dev.tandem.tuner.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem-tune drift}: exit 0 without alarm, 1 with at least one (one line each on standard
 * output), 2 on an error.
 */
@Command(name = "drift", mixinStandardHelpOptions = true,
    description = "Compares a recent window of decisions with a baseline and alarms on drift."
        + " Exit 0: no alarm; 1: alarm (one line each); 2: error.")
public final class DriftCommand implements Callable<Integer> {
  private static final Pattern DAYS = Pattern.compile("(\\d+)d");

  @Option(names = "--store", required = true, description = "the collector's store directory")
  Path store;

  @Option(names = "--baseline", defaultValue = "7d", description = "baseline length in receive days (default 7d)")
  String baseline;

  @Option(names = "--window", defaultValue = "1d", description = "window length in receive days (default 1d)")
  String window;

  @Option(names = "--until", description = "last receive date of the window (default: the newest in the store)")
  LocalDate until;

  @Option(names = "--baseline-from", description = "explicit baseline: first receive date")
  LocalDate baselineFrom;

  @Option(names = "--baseline-to", description = "explicit baseline: last receive date")
  LocalDate baselineTo;

  @Option(names = "--window-from", description = "explicit window: first receive date")
  LocalDate windowFrom;

  @Option(names = "--window-to", description = "explicit window: last receive date")
  LocalDate windowTo;

  @Option(names = "--false-alarm-rate", defaultValue = "0.01",
      description = "chance of any false alarm per run, all comparisons together (default 0.01)")
  double falseAlarmRate;

  @Option(names = "--min-effect", description = "METRIC=VALUE, the smallest change that may alarm, e.g."
      + " offload_rate=0.05 cost_per_1k=0.1 (repeatable; docs/tuning.md lists metrics and defaults)")
  Map<String, Double> minEffects;

  @Option(names = "--min-devices", defaultValue = "10", description = "devices a comparison needs per window")
  int minDevices;

  @Option(names = "--json", description = "write the JSON result to this file ('-': standard output)")
  String json;

  @Override
  public Integer call() {
    try {
      Windows w = windows();
      List<DecisionRow> b = StoreRows.read(store, w.baselineFrom, w.baselineTo).rows();
      List<DecisionRow> x = StoreRows.read(store, w.windowFrom, w.windowTo).rows();
      DriftOptions.Builder o = DriftOptions.builder().falseAlarmRate(falseAlarmRate).minDevices(minDevices);
      if (minEffects != null) {
        for (var e : minEffects.entrySet()) {
          o.minEffect(metric(e.getKey()), e.getValue());
        }
      }
      DriftResult r = DriftDetector.detect(b, x, o.build());
      for (String n : r.notes()) {
        System.err.println("note: " + n);
      }
      for (Finding f : r.alarms()) {
        System.out.println(f.message());
      }
      System.err.printf("drift: baseline %s..%s (%d decisions), window %s..%s (%d): %d comparisons, %d alarms%n",
          w.baselineFrom, w.baselineTo, b.size(), w.windowFrom, w.windowTo, x.size(), r.findings().size(),
          r.alarms().size());
      if (json != null) {
        if (json.equals("-")) {
          System.out.println(r.toJson());
        } else {
          Files.writeString(Path.of(json), r.toJson(), StandardCharsets.UTF_8);
        }
      }
      return r.alarms().isEmpty() ? 0 : 1;
    } catch (StoreException | IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      System.err.println("error: cannot write " + json + ": " + e.getMessage());
      return 2;
    }
  }

  private record Windows(LocalDate baselineFrom, LocalDate baselineTo, LocalDate windowFrom, LocalDate windowTo) {}

  private Windows windows() {
    boolean explicit = baselineFrom != null || baselineTo != null || windowFrom != null || windowTo != null;
    Windows w;
    if (explicit) {
      if (baselineFrom == null || baselineTo == null || windowFrom == null || windowTo == null) {
        throw new IllegalArgumentException("explicit windows need all four of --baseline-from, --baseline-to,"
            + " --window-from and --window-to");
      }
      w = new Windows(baselineFrom, baselineTo, windowFrom, windowTo);
    } else {
      LocalDate end = until;
      if (end == null) {
        List<LocalDate> dates = StoreRows.dates(store);
        if (dates.isEmpty()) {
          throw new StoreException(store + " has no records/date=YYYY-MM-DD partitions (is it a Tandem log store?)");
        }
        end = dates.get(dates.size() - 1);
      }
      int wd = days("--window", window);
      int bd = days("--baseline", baseline);
      LocalDate wFrom = end.minusDays(wd - 1);
      w = new Windows(wFrom.minusDays(bd), wFrom.minusDays(1), wFrom, end);
    }
    if (w.baselineFrom.isAfter(w.baselineTo) || w.windowFrom.isAfter(w.windowTo)) {
      throw new IllegalArgumentException("a window ends before it starts: baseline " + w.baselineFrom + ".."
          + w.baselineTo + ", window " + w.windowFrom + ".." + w.windowTo);
    }
    if (!w.baselineTo.isBefore(w.windowFrom)) {
      throw new IllegalArgumentException("the baseline (" + w.baselineFrom + ".." + w.baselineTo
          + ") must end before the window starts (" + w.windowFrom + ")");
    }
    return w;
  }

  private static int days(String option, String v) {
    Matcher m = DAYS.matcher(v);
    if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
      throw new IllegalArgumentException(option + " must be a number of days such as 7d, was '" + v + "'");
    }
    return Integer.parseInt(m.group(1));
  }

  private static Metric metric(String name) {
    for (Metric m : Metric.values()) {
      if (m.jsonName().equals(name)) {
        return m;
      }
    }
    StringBuilder known = new StringBuilder();
    for (Metric m : Metric.values()) {
      known.append(known.length() == 0 ? "" : ", ").append(m.jsonName());
    }
    throw new IllegalArgumentException("unknown metric '" + name + "' in --min-effect; known: " + known);
  }
}
