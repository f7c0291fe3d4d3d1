package dev.tandem.runtime.spool;

import dev.tandem.runtime.record.Record;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What reading one spool segment gave: the records in file order, whether its last line was torn
 * (an append cut short by a crash: no newline at the end), and the lines elsewhere that could
 * not be read, with the reason for each. Immutable.
 */
public final class ReadResult {
  private final List<Record> records;
  private final int tornLines;
  private final List<String> corruptLines;

  ReadResult(List<Record> records, int tornLines, List<String> corruptLines) {
    this.records = Collections.unmodifiableList(new ArrayList<>(records));
    this.tornLines = tornLines;
    this.corruptLines = Collections.unmodifiableList(new ArrayList<>(corruptLines));
  }

  public List<Record> records() {
    return records;
  }

  /** 1 when the file ends in a partial line that was skipped, else 0. */
  public int tornLines() {
    return tornLines;
  }

  /** One message per complete line that could not be decoded (line number and reason); skipped. */
  public List<String> corruptLines() {
    return corruptLines;
  }
}
