package dev.tandem.tuner.report;

import java.util.ArrayList;
import java.util.List;

/** A chart's numbers: a header row and formatted cells. */
record Table(List<String> header, List<List<String>> rows) {
  static Builder builder(String... header) {
    return new Builder(List.of(header));
  }

  static final class Builder {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    private Builder(List<String> header) {
      this.header = header;
    }

    Builder row(Object... cells) {
      List<String> r = new ArrayList<>();
      for (Object c : cells) {
        r.add(format(c));
      }
      rows.add(r);
      return this;
    }

    Table build() {
      return new Table(header, List.copyOf(rows));
    }
  }

  static String format(Object c) {
    if (c instanceof Double d) {
      if (d.isNaN()) {
        return "–";
      }
      double a = Math.abs(d);
      if (a != 0 && (a < 0.001 || a >= 1e6)) {
        return String.format("%.3g", d);
      }
      return String.format("%.4f", d).replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return String.valueOf(c);
  }
}
