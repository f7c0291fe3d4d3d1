package dev.tandem.tuner.report;

import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.tuner.observe.DecisionRow;

/** The confidence signal a threshold is on, read from a row, and its direction. */
record Signal(SignalKind kind) {
  double value(DecisionRow r) {
    return switch (kind) {
      case MAX_PROB -> r.maxProb();
      case MARGIN -> r.margin();
      case ENTROPY -> r.entropy();
    };
  }

  /** Confident (the edge answer stands) at threshold t, as {@code Policy.decide} reads it. */
  boolean confident(double value, double t) {
    return kind == SignalKind.ENTROPY ? value <= t : value >= t;
  }

  String name() {
    return kind.jsonName();
  }
}
