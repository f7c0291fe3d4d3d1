package dev.tandem.tuner.synth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.collect.Compactor;
import dev.tandem.tuner.cli.TandemTune;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
  @TempDir Path dir;

  static List<String> query(String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1) + " " + rs.getString(2));
      }
    }
    return out;
  }

  @Test
  void compactedCopy_isWhatCompactMakesOfTheJsonLines() throws IOException, SQLException {
    Path json = dir.resolve("json");
    Path parquet = dir.resolve("parquet");
    assertThat(TandemTune.commandLine().execute("generate", "--out", json.toString(), "--devices", "12",
        "--decisions-per-device", "150", "--compacted-copy", parquet.toString())).isZero();
    // the real compaction of the JSON-lines store, for comparison
    Path compacted = dir.resolve("compacted");
    try (Stream<Path> files = Files.walk(json)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path q = compacted.resolve(json.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q);
        }
      }
    }
    Compactor.compact(compacted, "2026-11-20");
    String ours = "'" + parquet.resolve("records/date=2026-11-20/records.parquet") + "'";
    String theirs = "'" + compacted.resolve("records/date=2026-11-20/records.parquet") + "'";
    assertThat(query("DESCRIBE SELECT * FROM read_parquet(" + ours + ")"))
        .isEqualTo(query("DESCRIBE SELECT * FROM read_parquet(" + theirs + ")"));
    assertThat(query("SELECT count(*), count(DISTINCT id) FROM read_parquet(" + ours + ")"))
        .isEqualTo(query("SELECT count(*), count(DISTINCT id) FROM read_parquet(" + theirs + ")"));
    assertThat(query("SELECT count(*), 0 FROM (SELECT * FROM read_parquet(" + ours + ") EXCEPT ALL"
        + " SELECT * FROM read_parquet(" + theirs + "))")).containsExactly("0 0");
    assertThat(query("SELECT count(*), 0 FROM (SELECT device, seq, row_number() OVER () FROM read_parquet(" + ours
        + ") EXCEPT ALL SELECT device, seq, row_number() OVER () FROM read_parquet(" + theirs + "))"))
        .as("rows in the same order").containsExactly("0 0");
    assertThat(parquet.resolve("policies")).isDirectoryContaining(p -> p.toString().endsWith(".json"));
  }
}
