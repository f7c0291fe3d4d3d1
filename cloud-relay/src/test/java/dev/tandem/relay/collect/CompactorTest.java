package dev.tandem.relay.collect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompactorTest {
  @TempDir Path dir;

  @Test
  void compact_dayOfBatches_becomesOneParquetFileOfDistinctRecords() throws Exception {
    LogStore s = LogStore.open(dir, LogStoreTest.CLOCK, 1);
    s.store(LogStoreTest.batch("dev-1", "b1", 1, 50, 0));
    s.store(LogStoreTest.batch("dev-1", "b2", 51, 60, 0));
    s.store(LogStoreTest.batch("dev-2", "b1", 1, 5, 0));

    Compactor.Result r = Compactor.compact(dir, "2026-11-20");

    assertThat(r.filesCompacted).isEqualTo(3);
    assertThat(r.rows).isEqualTo(65);
    assertThat(LogStoreTest.files(dir, "records"))
        .containsExactly(dir.resolve("records/date=2026-11-20/records.parquet"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT device, count(*), min(seq), max(seq), "
            + "any_value(received_date)::VARCHAR FROM read_parquet('" + Compactor.sqlPath(r.parquet)
            + "') GROUP BY device ORDER BY device")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("dev-1");
      assertThat(rs.getLong(2)).isEqualTo(60);
      assertThat(rs.getString(5)).isEqualTo("2026-11-20");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getLong(2)).isEqualTo(5);
    }

    // The index comes back from the Parquet file after a restart, and late batches merge in.
    LogStore reopened = LogStore.open(dir, LogStoreTest.CLOCK, 1);
    assertThat(reopened.store(LogStoreTest.batch("dev-1", "b1", 1, 50, 0)).written()).isZero();
    assertThat(reopened.store(LogStoreTest.batch("dev-1", "b3", 61, 70, 0)).written()).isEqualTo(10);
    assertThat(Compactor.compact(dir, "2026-11-20").rows).isEqualTo(75);
    assertThat(Files.list(dir.resolve("records/date=2026-11-20")).count()).isEqualTo(1);
  }
}
