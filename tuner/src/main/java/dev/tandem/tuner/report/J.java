package dev.tandem.tuner.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Terse builders for ECharts option trees (serialised with Gson). */
final class J {
  private J() {}

  static Map<String, Object> obj(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static List<Object> arr(Object... v) {
    return new ArrayList<>(Arrays.asList(v));
  }

  /** A number rounded for the chart (NaN becomes null, which ECharts leaves out). */
  static Double num(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return null;
    }
    return Math.round(v * 1e6) / 1e6;
  }
}
