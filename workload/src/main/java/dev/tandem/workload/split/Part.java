package dev.tandem.workload.split;

/** The three parts of a split. */
public enum Part {
  /** Trains the classifier heads. */
  TRAIN,
  /** Tunes thresholds and the head's regularisation (the fleet whose logs the tuner reads). */
  CALIBRATION,
  /** Only reported on; never tuned on. */
  TEST;

  /** Lower-case name, as in file names ({@code calibration.jsonl}). */
  public String fileName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
