package dev.tandem.tuner.synth;

import dev.tandem.runtime.policy.ExplorationKind;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.record.PolicyEventRecord;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.tuner.store.DeviceLog;
import dev.tandem.tuner.store.LoggedDecision;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem-tune generate}: writes a synthetic fleet's records (see {@link SyntheticFleet})
 * in a collector's store layout, for benchmarks and trying the tuner: one JSON-lines file per
 * device under one receive date, and the policy's content under {@code policies/}, as the
 * collector stores them. Compact it with {@code cloud-relay compact} for Parquet.
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Writes a synthetic fleet's decision records (known truth) as a collector's store.")
public final class GenerateCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, description = "Store directory to create.")
  Path out;

  @Option(names = "--devices", defaultValue = "1000", description = "Devices (default ${DEFAULT-VALUE}).")
  int devices;

  @Option(names = "--decisions-per-device", defaultValue = "10000",
      description = "Decisions per device (default ${DEFAULT-VALUE}).")
  int decisions;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threshold", defaultValue = "0.8", description = "The logging policy's max_prob threshold.")
  double threshold;

  @Option(names = "--exploration", defaultValue = "0.1", description = "Exploration rate (default ${DEFAULT-VALUE}).")
  double exploration;

  @Option(names = "--exploration-kind", defaultValue = "shadow", description = "live or shadow.")
  String explorationKind;

  @Option(names = "--label-fraction", defaultValue = "0.3", description = "Share of decisions labelled.")
  double labelFraction;

  @Option(names = "--date", defaultValue = "2026-11-20", description = "The receive date of the partition.")
  LocalDate date;

  @Override
  public Integer call() throws IOException {
    if (devices < 1 || decisions < 1) {
      System.err.println("generate: --devices and --decisions-per-device must be at least 1");
      return 2;
    }
    ExplorationKind kind;
    try {
      kind = ExplorationKind.valueOf(explorationKind.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      System.err.println("generate: --exploration-kind must be live or shadow, was " + explorationKind);
      return 2;
    }
    SyntheticFleet fleet = SyntheticFleet.builder().devices(devices).decisionsPerDevice(decisions).seed(seed)
        .threshold(threshold).exploration(exploration, kind).labels(labelFraction, SyntheticFleet.Labelling.RANDOM)
        .build();
    Path part = out.resolve("records").resolve("date=" + date);
    Files.createDirectories(part);
    String policyJson = fleet.policy().toJson();
    Path policies = Files.createDirectories(out.resolve("policies"));
    Files.write(policies.resolve(PolicyEventRecord.contentHash(policyJson) + ".json"),
        (policyJson + "\n").getBytes(StandardCharsets.UTF_8));
    AtomicLong written = new AtomicLong();
    AtomicLong done = new AtomicLong();
    long t0 = System.nanoTime();
    IntStream.range(0, devices).parallel().forEach(i -> {
      DeviceLog log = fleet.device(i);
      Path dir = part.resolve(log.device());
      try {
        Files.createDirectories(dir);
        try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("generated.jsonl"), StandardCharsets.UTF_8)) {
          long n = 0;
          w.write(RecordCodec.encode(log.policyEvents().get(0).withoutContent()));
          w.newLine();
          n++;
          long seq = log.decisions().get(log.decisions().size() - 1).record().seq() + 1;
          for (LoggedDecision d : log.decisions()) {
            w.write(RecordCodec.encode(d.record()));
            w.newLine();
            n++;
          }
          for (LoggedDecision d : log.decisions()) {
            if (d.labelled()) {
              w.write(RecordCodec.encode(AmendmentRecord.label(log.device(), seq++, d.record().timeMs() + 1,
                  d.record().id(), d.label())));
              w.newLine();
              n++;
            }
          }
          written.addAndGet(n);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
      }
      long k = done.incrementAndGet();
      if (k % Math.max(1, devices / 20) == 0) {
        System.err.printf(Locale.ROOT, "generate: %d of %d devices, %,d records (%.0f s)%n", k, devices, written.get(),
            (System.nanoTime() - t0) / 1e9);
      }
    });
    System.err.printf(Locale.ROOT, "generate: %,d records of %d devices in %s (%.1f s)%n", written.get(), devices, out,
        (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
