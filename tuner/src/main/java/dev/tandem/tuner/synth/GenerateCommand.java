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
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
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
 * collector stores them. {@code --compacted-copy DIR} also writes the same records as a
 * compacted store: the day's {@code records.parquet} with the columns, types, order and
 * compression {@code cloud-relay compact} gives it (columns inferred from the first devices'
 * files as {@code compact} infers them; the records are already distinct and in device and
 * sequence order, so no sort is needed), without compaction's cost at millions of records.
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

  @Option(names = "--compacted-copy", description = "Also write the records as a compacted store (Parquet) here.")
  Path compactedCopy;

  @Option(names = "--fallback-by-round-trip", description = "Fallbacks depend on the round-trip state, not the"
      + " network type (see SyntheticFleet).")
  boolean fallbackByRoundTrip;

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
        .fallbackByRoundTrip(fallbackByRoundTrip).build();
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
    if (compactedCopy != null) {
      long t1 = System.nanoTime();
      Path parquet = writeCompacted(part, compactedCopy, date);
      Path copies = Files.createDirectories(compactedCopy.resolve("policies"));
      Files.write(copies.resolve(PolicyEventRecord.contentHash(policyJson) + ".json"),
          (policyJson + "\n").getBytes(StandardCharsets.UTF_8));
      System.err.printf(Locale.ROOT, "generate: %s (%,d bytes) in %.1f s%n", parquet, Files.size(parquet),
          (System.nanoTime() - t1) / 1e9);
    }
    return 0;
  }

  /**
   * Writes the JSON-lines files of one partition as {@code records.parquet} of the same date in
   * store {@code to}, as {@code compact} would lay it out.
   */
  static Path writeCompacted(Path partition, Path to, LocalDate date) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(partition)) {
      for (Path d : (Iterable<Path>) s.sorted()::iterator) {
        try (Stream<Path> f = Files.list(d)) {
          f.filter(p -> p.toString().endsWith(".jsonl")).sorted().forEach(files::add);
        }
      }
    }
    if (files.isEmpty()) {
      throw new IOException(partition + " holds no JSON-lines files");
    }
    Path dir = Files.createDirectories(to.resolve("records").resolve("date=" + date));
    Path tmp = dir.resolve(".records.parquet.tmp");
    Path target = dir.resolve("records.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      // the columns compact infers (union by name over every line); `date` comes from the path
      StringBuilder columns = new StringBuilder("{");
      try (ResultSet rs = st.executeQuery("DESCRIBE SELECT * FROM read_json(" + sqlList(files.subList(0,
          Math.min(10, files.size()))) + ", format = 'newline_delimited', union_by_name = true, sample_size = -1)")) {
        while (rs.next()) {
          if (rs.getString(1).equals("date")) {
            continue;
          }
          columns.append(columns.length() == 1 ? "" : ", ").append(sqlString(rs.getString(1))).append(": ")
              .append(sqlString(rs.getString(2)));
        }
      }
      columns.append('}');
      st.execute("COPY (SELECT *, DATE '" + date + "' AS received_date FROM read_json(" + sqlList(files)
          + ", format = 'newline_delimited', columns = " + columns + ")) TO " + sqlString(tmp.toAbsolutePath()
          .toString()) + " (FORMAT parquet, COMPRESSION zstd)");
    } catch (SQLException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("cannot write " + target + ": " + e.getMessage(), e);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return target;
  }

  private static String sqlList(List<Path> files) {
    StringBuilder b = new StringBuilder("[");
    for (Path p : files) {
      b.append(b.length() == 1 ? "" : ", ").append(sqlString(p.toAbsolutePath().toString()));
    }
    return b.append(']').toString();
  }

  private static String sqlString(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
