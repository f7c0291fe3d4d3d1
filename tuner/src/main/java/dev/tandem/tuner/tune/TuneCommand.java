package dev.tandem.tuner.tune;

import dev.tandem.runtime.policy.InvalidPolicyException;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.tuner.report.FleetReport;
import dev.tandem.tuner.store.StoreException;
import dev.tandem.tuner.store.StoreQuery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code tandem-tune tune}: estimates the threshold grid from a fleet's records and writes the
 * recommended policy (docs/tuning.md). Exit status 0 with a recommendation, 3 when the
 * objectives cannot be met (the nearest candidate is named), 2 on bad input.
 */
@Command(name = "tune", mixinStandardHelpOptions = true,
    description = "Replays the fleet's decisions under 100 candidate thresholds, estimates each with 95% intervals,"
        + " and writes the cheapest policy meeting the objectives.")
public final class TuneCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--store", required = true, description = "The collector's store, or a spool directory.")
  Path store;

  @Option(names = "--from", description = "First receive date (YYYY-MM-DD) to include.")
  LocalDate from;

  @Option(names = "--to", description = "Last receive date (YYYY-MM-DD) to include.")
  LocalDate to;

  @Option(names = "--policy", description = "The policy in force (default: the newest the store holds).")
  Path policy;

  @Option(names = "--signal", description = "max_prob, margin or entropy (default: the policy's).")
  String signal;

  @Option(names = "--by-segment", description = "Tune a threshold per network type and device class too.")
  boolean bySegment;

  @Option(names = "--min-accuracy", description = "Lower bound on accuracy (agreement without labels), 0..1.")
  Double minAccuracy;

  @Option(names = "--max-cost-per-1k", description = "Upper bound on USD per 1,000 decisions.")
  Double maxCost;

  @Option(names = "--max-p95-ms", description = "Upper bound on the p95 end-to-end latency.")
  Double maxP95;

  @Option(names = "--max-offload", description = "Upper bound on the share of decisions sent to the cloud, 0..1.")
  Double maxOffload;

  @Option(names = "--target-offload", description = "Pick the candidate whose estimated offload is nearest, 0..1.")
  Double targetOffload;

  @Option(names = "--candidates", defaultValue = "100", description = "Thresholds at signal quantiles (default 100).")
  int candidates;

  @Option(names = "--resamples", defaultValue = "1000", description = "Bootstrap resamples (default 1000).")
  int resamples;

  @Option(names = "--seed", defaultValue = "1", description = "Bootstrap seed (default 1).")
  long seed;

  @Option(names = "--out", required = true, description = "Output directory.")
  Path out;

  @Option(names = "--report", description = "Also write the fleet report (HTML) of the same window, with the"
      + " policy in force and the recommended one marked.")
  Path report;

  @Override
  public Integer call() throws IOException {
    java.io.PrintStream err = System.err;
    java.io.PrintStream outStream = System.out;
    try {
      TuneRun.Settings s = new TuneRun.Settings();
      s.query = StoreQuery.builder(store).from(from).to(to).progress(line -> err.println("tune: " + line)).build();
      if (policy != null) {
        try {
          s.policy = Policy.fromJson(new String(Files.readAllBytes(policy), StandardCharsets.UTF_8));
        } catch (InvalidPolicyException e) {
          throw new IllegalArgumentException("--policy " + policy + ": " + e.getMessage(), e);
        }
      }
      if (signal != null) {
        try {
          s.signal = SignalKind.fromJsonName(signal);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("--signal must be max_prob, margin or entropy, was '" + signal + "'");
        }
      }
      check("--min-accuracy", minAccuracy, 0, 1);
      check("--max-offload", maxOffload, 0, 1);
      check("--target-offload", targetOffload, 0, 1);
      check("--max-cost-per-1k", maxCost, 0, Double.MAX_VALUE);
      check("--max-p95-ms", maxP95, 0, Double.MAX_VALUE);
      if (resamples < 1000) {
        throw new IllegalArgumentException("--resamples must be at least 1000 for the intervals, was " + resamples);
      }
      if (candidates < 2) {
        throw new IllegalArgumentException("--candidates must be at least 2, was " + candidates);
      }
      s.objectives = new Objectives(nan(minAccuracy), nan(maxCost), nan(maxP95), nan(maxOffload), nan(targetOffload));
      s.bySegment = bySegment;
      s.candidates = candidates;
      s.resamples = resamples;
      s.seed = seed;
      s.progress = line -> err.println("tune: " + line);
      TuneRun.Result r = TuneRun.run(s);
      TuneOutputs.write(r, out, outStream);
      if (report != null) {
        int n = FleetReport.write(store, from, to, r.base, r.recommended, report);
        outStream.println("report: " + n + " decisions -> " + report);
      }
      return r.recommended != null ? 0 : 3;
    } catch (StoreException | IllegalArgumentException e) {
      err.println("tune: " + e.getMessage());
      return 2;
    }
  }

  private static void check(String name, Double v, double min, double max) {
    if (v != null && (v.isNaN() || v < min || v > max)) {
      throw new IllegalArgumentException(name + " must be within [" + min + ", " + max + "], was " + v);
    }
  }

  private static double nan(Double v) {
    return v == null ? Double.NaN : v;
  }
}
