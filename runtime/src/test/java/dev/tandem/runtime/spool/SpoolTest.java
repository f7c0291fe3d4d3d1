package dev.tandem.runtime.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.testing.SampleRecords;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {
  @TempDir Path dir;

  private static List<String> ids(List<Record> records) {
    return records.stream().map(Record::id).collect(Collectors.toList());
  }

  @Test
  void append_thenRead_returnsRecordsInOrder() {
    List<Record> records = SampleRecords.mixed("d", 1, 50, 1);
    try (Spool s = Spool.builder(dir).build()) {
      records.forEach(s::append);
    }
    ReadResult r = Spool.readAll(dir);
    assertThat(ids(r.records())).isEqualTo(ids(records));
    assertThat(r.tornLines()).isZero();
    assertThat(r.corruptLines()).isEmpty();
  }

  @Test
  void read_truncatedAtEveryByteOfLastLine_returnsEarlierRecordsAndCountsTornOne() throws IOException {
    List<Record> records = SampleRecords.mixed("d", 1, 10, 2); // the last is a (short) amendment
    try (Spool s = Spool.builder(dir).build()) {
      records.forEach(s::append);
    }
    Path seg = Spool.listSegments(dir).get(0);
    byte[] full = Files.readAllBytes(seg);
    int lastStart = full.length - RecordCodec.encode(records.get(9)).getBytes(StandardCharsets.UTF_8).length - 1;
    Path cut = dir.resolve("cut");
    Files.createDirectories(cut);
    for (int off = lastStart; off <= full.length; off++) {
      Path f = cut.resolve("segment-00000000000000000001.jsonl");
      Files.write(f, Arrays.copyOf(full, off));
      ReadResult r = Spool.read(f);
      boolean torn = off > lastStart && off < full.length;
      assertThat(ids(r.records())).as("offset " + off)
          .isEqualTo(ids(records.subList(0, off == full.length ? 10 : 9)));
      assertThat(r.tornLines()).as("offset " + off).isEqualTo(torn ? 1 : 0);
      assertThat(r.corruptLines()).isEmpty();
    }
  }

  @Test
  void open_afterTornTail_cutsItOffAndAppendsOnALineBoundary() throws IOException {
    List<Record> records = SampleRecords.mixed("d", 1, 10, 3);
    try (Spool s = Spool.builder(dir).build()) {
      records.subList(0, 9).forEach(s::append);
    }
    Path seg = Spool.listSegments(dir).get(0);
    byte[] full = Files.readAllBytes(seg);
    Files.write(seg, Arrays.copyOf(full, full.length - 17)); // the last append was cut short
    try (Spool s = Spool.builder(dir).build()) {
      assertThat(s.repairedTornLines()).isEqualTo(1);
      s.append(records.get(9));
    }
    ReadResult r = Spool.readAll(dir);
    assertThat(ids(r.records())).containsExactlyElementsOf(ids(Arrays.asList(records.get(0), records.get(1),
        records.get(2), records.get(3), records.get(4), records.get(5), records.get(6), records.get(7), records.get(9))));
    assertThat(r.tornLines()).isZero();
  }

  @Test
  void append_rotatesBySizeAndRemoveDeletesClosedSegments() {
    List<Record> records = SampleRecords.mixed("d", 1, 100, 4);
    try (Spool s = Spool.builder(dir).maxSegmentBytes(8192).build()) {
      records.forEach(s::append);
      List<Path> closed = s.closedSegments();
      assertThat(closed).hasSizeGreaterThan(3);
      for (Path p : Spool.listSegments(dir)) {
        assertThat(p.toFile().length()).isLessThanOrEqualTo(8192);
      }
      assertThat(s.rotate()).isPresent();
      assertThat(s.rotate()).as("nothing to rotate").isEmpty();
      List<Path> all = s.closedSegments();
      assertThat(ids(Spool.readAll(dir).records())).isEqualTo(ids(records));
      for (Path p : all) {
        assertThat(s.remove(p)).isTrue();
      }
      assertThat(s.sizeBytes()).isZero();
      assertThatThrownBy(() -> s.remove(Paths.get("/etc/passwd"))).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void append_overDiskBudget_evictsOldestAndCountsWhatWasEvicted() {
    List<Record> records = SampleRecords.mixed("d", 1, 300, 5);
    long evicted;
    try (Spool s = Spool.builder(dir).maxSegmentBytes(4096).diskBudgetBytes(16384).build()) {
      for (Record r : records) {
        s.append(r);
        assertThat(s.sizeBytes()).isLessThanOrEqualTo(16384);
      }
      evicted = s.evictedRecords();
      assertThat(s.evictedSegments()).isPositive();
    }
    List<Record> left = Spool.readAll(dir).records();
    assertThat(evicted + left.size()).isEqualTo(records.size());
    // What is left is the newest, contiguous up to the last record.
    assertThat(ids(left)).isEqualTo(ids(records.subList(records.size() - left.size(), records.size())));
    try (Spool s = Spool.builder(dir).maxSegmentBytes(4096).diskBudgetBytes(16384).build()) {
      assertThat(s.evictedRecords()).as("eviction count survives a restart").isEqualTo(evicted);
    }
  }

  @Test
  void builder_rejectsABudgetSmallerThanTwoSegments() {
    assertThatThrownBy(() -> Spool.builder(dir).maxSegmentBytes(4096).diskBudgetBytes(4096).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("diskBudgetBytes");
  }

  @Test
  void append_afterClose_isRefused_closeIsIdempotent() {
    Spool s = Spool.builder(dir).build();
    s.close();
    s.close();
    assertThatThrownBy(() -> s.append(SampleRecords.mixed("d", 1, 1, 1).get(0)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void fsyncIntervalAndNone_writeEverythingByClose() {
    for (FsyncPolicy f : Arrays.asList(FsyncPolicy.interval(5), FsyncPolicy.none())) {
      Path d = dir.resolve(f.toString().replace(' ', '_'));
      List<Record> records = SampleRecords.mixed("d", 1, 40, 6);
      try (Spool s = Spool.builder(d).fsync(f).build()) {
        records.forEach(s::append);
      }
      assertThat(ids(Spool.readAll(d).records())).isEqualTo(ids(records));
    }
  }

  /** A child JVM appends with fsync=every and is SIGKILLed: every append that returned is on disk. */
  @Test
  void sigkill_everyRecordWhoseAppendReturnedIsOnDisk() throws Exception {
    String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    Path spoolDir = dir.resolve("spool");
    Process child = new ProcessBuilder(java, "-Xshare:off", "-cp", System.getProperty("java.class.path"),
        SpoolWriterProcess.class.getName(), spoolDir.toString())
        .redirectErrorStream(true)
        .start();
    Set<Long> acked = new HashSet<>();
    List<String> other = new ArrayList<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("appended ")) {
          acked.add(Long.parseLong(line.substring(9)));
          if (acked.size() == 300) {
            child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close
            break;
          }
        } else {
          other.add(line);
        }
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(acked).as("child output: " + other).hasSize(300);
    ReadResult r = Spool.readAll(spoolDir);
    Set<Long> onDisk = r.records().stream().map(Record::seq).collect(Collectors.toSet());
    assertThat(onDisk).containsAll(acked);
    assertThat(r.corruptLines()).isEmpty();
    // The spool opens again after the crash and continues on a line boundary.
    try (Spool s = Spool.builder(spoolDir).maxSegmentBytes(64 * 1024).build()) {
      s.append(SampleRecords.mixed("crash-dev", 1_000_000, 1, 1).get(0));
    }
    assertThat(Spool.readAll(spoolDir).tornLines()).isZero();
  }
}
