package dev.tandem.relay.collect;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites one receive-date partition's batch files into a single Parquet file with DuckDB:
 * {@code records/date=D/records.parquet}, one row per distinct (device, seq), ordered by device
 * and sequence, with the partition's date as {@code received_date}. A second compaction of the
 * same day (batches that arrived after the first) merges into the existing file.
 *
 * <p>Crash safety: the Parquet file is written under a temporary name, fsynced and renamed;
 * only then are the JSON-lines files it absorbed deleted. A crash in between leaves records in
 * both forms; the next compaction, the store's index and the (device, seq) distinct all treat
 * that as one copy.
 *
 * <p>Run it on a day that is over (the default command refuses today's partition) so no
 * collector is writing into it.
 */
public final class Compactor {
  private static final Logger log = LoggerFactory.getLogger(Compactor.class);
  private static final Pattern DAY = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private Compactor() {}

  /** What one compaction did. */
  public static final class Result {
    public final String day;
    public final int filesCompacted;
    public final long rows;
    public final Path parquet;

    Result(String day, int filesCompacted, long rows, Path parquet) {
      this.day = day;
      this.filesCompacted = filesCompacted;
      this.rows = rows;
      this.parquet = parquet;
    }
  }

  /**
   * Compacts day {@code day} (YYYY-MM-DD) of the store at {@code root}.
   *
   * @throws IllegalArgumentException when {@code day} is not a date
   * @throws IOException when files cannot be read or written, or DuckDB fails
   */
  public static Result compact(Path root, String day) throws IOException {
    if (!DAY.matcher(day).matches()) {
      throw new IllegalArgumentException("day must be YYYY-MM-DD, was " + day);
    }
    Path dir = root.resolve(LogStore.RECORDS).resolve("date=" + day);
    Path target = dir.resolve(LogStore.PARQUET);
    List<Path> inputs = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> devices = Files.newDirectoryStream(dir, Files::isDirectory)) {
        for (Path d : devices) {
          try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.jsonl")) {
            for (Path f : ds) {
              inputs.add(f);
            }
          }
        }
      }
    }
    Collections.sort(inputs);
    if (inputs.isEmpty()) {
      long rows = Files.exists(target) ? countRows(target) : 0;
      return new Result(day, 0, rows, target);
    }
    Path tmp = dir.resolve(".records.parquet.tmp");
    Files.deleteIfExists(tmp);
    StringBuilder list = new StringBuilder("[");
    for (int i = 0; i < inputs.size(); i++) {
      list.append(i == 0 ? "" : ", ").append('\'').append(sqlPath(inputs.get(i))).append('\'');
    }
    list.append(']');
    String fresh = "SELECT *, DATE '" + day + "' AS received_date FROM read_json(" + list
        + ", format = 'newline_delimited', union_by_name = true, sample_size = -1)";
    String all = Files.exists(target)
        ? "SELECT * FROM read_parquet('" + sqlPath(target) + "') UNION ALL BY NAME " + fresh
        : fresh;
    String sql = "COPY (SELECT * FROM (" + all + ") QUALIFY row_number() OVER "
        + "(PARTITION BY device, seq ORDER BY seq) = 1 ORDER BY device, seq) TO '" + sqlPath(tmp)
        + "' (FORMAT parquet, COMPRESSION zstd)";
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("compaction of " + day + " failed: " + e.getMessage(), e);
    }
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    LogStore.fsyncDir(dir);
    for (Path f : inputs) {
      Files.deleteIfExists(f);
    }
    try (DirectoryStream<Path> devices = Files.newDirectoryStream(dir, Files::isDirectory)) {
      for (Path d : devices) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
          if (!ds.iterator().hasNext()) {
            Files.deleteIfExists(d);
          }
        }
      }
    }
    long rows = countRows(target);
    log.info("compacted {}: {} files into {} ({} rows)", day, inputs.size(), target, rows);
    return new Result(day, inputs.size(), rows, target);
  }

  static long countRows(Path parquet) throws IOException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT count(*) FROM read_parquet('" + sqlPath(parquet) + "')")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IOException("cannot read " + parquet + ": " + e.getMessage(), e);
    }
  }

  /** A path as a single-quoted SQL string body. */
  static String sqlPath(Path p) {
    return p.toAbsolutePath().toString().replace("'", "''");
  }
}
