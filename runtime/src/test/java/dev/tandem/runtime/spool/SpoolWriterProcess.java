package dev.tandem.runtime.spool;

import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.testing.SampleRecords;
import java.nio.file.Paths;

/**
 * A child JVM for the crash test: appends records to a spool with fsync on every record and
 * prints "appended <seq>" after each append returned, until it is killed.
 */
public final class SpoolWriterProcess {
  private SpoolWriterProcess() {}

  public static void main(String[] args) {
    try (Spool spool = Spool.builder(Paths.get(args[0])).maxSegmentBytes(64 * 1024).fsync(FsyncPolicy.everyRecord())
        .build()) {
      for (long seq = 1; ; seq++) {
        Record r = SampleRecords.mixed("crash-dev", seq, 1, seq).get(0);
        spool.append(r);
        System.out.println("appended " + r.seq());
        System.out.flush();
      }
    }
  }
}
