package dev.tandem.tuner.report;

import static dev.tandem.tuner.report.J.arr;
import static dev.tandem.tuner.report.J.num;
import static dev.tandem.tuner.report.J.obj;

import dev.tandem.runtime.policy.Mode;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.tuner.observe.DecisionRow;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Builds the report's five charts from the rows of a window. */
final class Sections {
  /** Reliability bins with fewer labelled decisions are in the table only. */
  static final int MIN_BIN = 30;
  private static final String[] LAT_SOURCES = {"edge", "cloud", "end to end"};

  private Sections() {}

  static Map<String, Object> base(String title, String subtitle) {
    return obj("animation", false, "title", obj("text", title, "subtext", subtitle, "left", "center"),
        "tooltip", obj("trigger", "axis"), "legend", obj("top", 50),
        "grid", obj("top", 100, "left", 70, "right", 80, "bottom", 50));
  }

  static double thresholdOf(Policy p) {
    if (p == null || p.mode() != Mode.CASCADE) {
      return Double.NaN;
    }
    return p.threshold();
  }

  /** Accuracy (or agreement) against offload rate, with oracle and random routing. */
  static Section tradeoff(ThresholdSweep sweep, Policy current, Policy recommended) {
    double ct = thresholdOf(current);
    double rt = thresholdOf(recommended);
    List<Object> curve = arr();
    List<Object> oracle = arr();
    List<Object> random = arr();
    Table.Builder t = Table.builder("threshold", "offload rate", sweep.labelled() ? "accuracy" : "agreement",
        "oracle", "random");
    for (double th : sweep.grid(ct, rt)) {
      ThresholdSweep.Point p = sweep.at(th);
      curve.add(arr(num(p.offloadRate()), num(p.quality())));
      t.row(th, p.offloadRate(), p.quality(), sweep.oracle(p.offloadRate()), sweep.random(p.offloadRate()));
    }
    for (int i = 0; i <= 20; i++) {
      double r = i / 20.0;
      oracle.add(arr(num(r), num(sweep.oracle(r))));
      random.add(arr(num(r), num(sweep.random(r))));
    }
    List<Object> marks = arr();
    List<String> notes = new ArrayList<>(sweep.notes());
    addMark(marks, sweep, ct, "current", "#d62728", notes);
    addMark(marks, sweep, rt, "recommended", "#2ca02c", notes);
    if (recommended == null) {
      notes.add("No recommended policy given (--recommended, or tune --report): only the current one is marked.");
    }
    String q = sweep.labelled() ? "accuracy (labelled decisions)" : "agreement with the cloud";
    Map<String, Object> o = base(q + " vs offload rate", "threshold rule alone; oracle and random at the same rates");
    o.put("xAxis", obj("type", "value", "name", "offload rate", "min", 0, "max", 1));
    o.put("yAxis", obj("type", "value", "name", sweep.labelled() ? "accuracy" : "agreement", "scale", true));
    o.put("series", arr(
        obj("name", "threshold on " + sweep.signalName(), "type", "line", "showSymbol", false, "data", curve,
            "markPoint", obj("data", marks)),
        obj("name", "oracle router", "type", "line", "showSymbol", false, "lineStyle", obj("type", "dashed"),
            "data", oracle),
        obj("name", "random routing", "type", "line", "showSymbol", false, "lineStyle", obj("type", "dotted"),
            "data", random)));
    return new Section("tradeoff", "Quality against offload rate",
        "Each point of the solid line is one threshold: the share of decisions it would send to the cloud and"
            + " the estimated " + q + " of the answers. The oracle router knows which answer is right and"
            + " offloads exactly the decisions the edge gets wrong and the cloud gets right; random routing"
            + " offloads the same share at random. A good signal lies close to the oracle and well above"
            + " random. Red marks the current policy, green the recommended one.",
        o, t.build(), notes);
  }

  private static void rename(Map<String, Object> o, String name) {
    @SuppressWarnings("unchecked")
    List<Object> s = (List<Object>) o.get("series");
    @SuppressWarnings("unchecked")
    Map<String, Object> first = (Map<String, Object>) s.get(0);
    first.put("name", name);
  }

  private static void addMark(List<Object> marks, ThresholdSweep sweep, double th, String name, String colour,
      List<String> notes) {
    if (Double.isNaN(th)) {
      return;
    }
    ThresholdSweep.Point p = sweep.at(th);
    if (Double.isNaN(p.quality())) {
      notes.add("The " + name + " policy's quality cannot be estimated from these records.");
      return;
    }
    marks.add(obj("name", name, "coord", arr(num(p.offloadRate()), num(p.quality())), "value", name,
        "itemStyle", obj("color", colour), "label", obj("fontSize", 10)));
  }

  /** Cost per 1,000 decisions against threshold, and the monthly forecast at current traffic. */
  static Section cost(ThresholdSweep sweep, Policy current, Policy recommended, double decisionsPerDay,
      double observedCostPerDecision) {
    double ct = thresholdOf(current);
    double rt = thresholdOf(recommended);
    List<Object> per1k = arr();
    List<Object> monthly = arr();
    Table.Builder t = Table.builder("threshold", "offload rate", "cost per 1,000 (USD)", "monthly at current traffic (USD)");
    double month = decisionsPerDay * 30;
    for (double th : sweep.grid(ct, rt)) {
      ThresholdSweep.Point p = sweep.at(th);
      per1k.add(arr(num(th), num(p.costPerDecision() * 1000)));
      monthly.add(arr(num(th), num(p.costPerDecision() * month)));
      t.row(th, p.offloadRate(), p.costPerDecision() * 1000, p.costPerDecision() * month);
    }
    List<Object> lines = arr();
    if (!Double.isNaN(ct)) {
      lines.add(obj("xAxis", num(ct), "name", "current", "lineStyle", obj("color", "#d62728")));
    }
    if (!Double.isNaN(rt)) {
      lines.add(obj("xAxis", num(rt), "name", "recommended", "lineStyle", obj("color", "#2ca02c")));
    }
    Map<String, Object> o = base("Cost per 1,000 decisions vs threshold",
        String.format("traffic %.0f decisions/day; observed cost %.4f USD per 1,000; monthly = 30 days",
            decisionsPerDay, observedCostPerDecision * 1000));
    o.put("xAxis", obj("type", "value", "name", "threshold (" + sweep.signalName() + ")", "scale", true));
    o.put("yAxis", arr(obj("type", "value", "name", "USD / 1,000"), obj("type", "value", "name", "USD / month")));
    o.put("series", arr(
        obj("name", "cost per 1,000", "type", "line", "showSymbol", false, "data", per1k,
            "markLine", obj("symbol", "none", "label", obj("formatter", "{b}"), "data", lines)),
        obj("name", "monthly forecast", "type", "line", "yAxisIndex", 1, "showSymbol", false,
            "lineStyle", obj("type", "dashed"), "data", monthly)));
    List<String> notes = new ArrayList<>(sweep.notes());
    return new Section("cost", "Cost per 1,000 decisions and monthly forecast",
        "Expected cost per 1,000 decisions if the threshold were set to each value: the edge's energy on every"
            + " decision plus, for each decision it would offload, the mean cost (network and cloud) of the"
            + " offloads observed on that decision's network type. The dashed line (right axis) is that cost"
            + " at the traffic of the window (decisions per receive day), over 30 days. Vertical lines mark"
            + " the current and the recommended thresholds.",
        o, t.build(), notes);
  }

  /** Latency distributions (p5, p25, p50, p75, p95) per network type. */
  static Section latency(List<DecisionRow> rows) {
    TreeMap<String, List<double[]>> byNet = new TreeMap<>();
    Map<String, List<Double>[]> values = new TreeMap<>();
    for (DecisionRow r : rows) {
      @SuppressWarnings("unchecked")
      List<Double>[] v = values.computeIfAbsent(r.network(), k -> new List[] {new ArrayList<>(),
          new ArrayList<>(), new ArrayList<>()});
      if (r.edgeLatencyMs() >= 0) {
        v[0].add(r.edgeLatencyMs());
      }
      if (r.cloudRoundTripMs() >= 0) {
        v[1].add(r.cloudRoundTripMs());
      }
      v[2].add(r.latencyMs());
    }
    Table.Builder t = Table.builder("network", "latency", "n", "p5", "p25", "p50", "p75", "p95");
    List<Object> categories = arr();
    List<List<Object>> data = List.of(arr(), arr(), arr());
    for (var e : values.entrySet()) {
      categories.add(e.getKey());
      for (int s = 0; s < 3; s++) {
        double[] v = Stats.sorted(e.getValue()[s].stream().mapToDouble(Double::doubleValue).toArray());
        double[] q = {Stats.quantile(v, .05), Stats.quantile(v, .25), Stats.quantile(v, .5), Stats.quantile(v, .75),
            Stats.quantile(v, .95)};
        data.get(s).add(v.length == 0 ? arr() : arr(num(q[0]), num(q[1]), num(q[2]), num(q[3]), num(q[4])));
        t.row(e.getKey(), LAT_SOURCES[s], v.length, q[0], q[1], q[2], q[3], q[4]);
      }
    }
    Map<String, Object> o = base("Latency per network type (ms)", "box: p25–p75, line: median, whiskers: p5–p95");
    o.put("tooltip", obj("trigger", "item"));
    o.put("xAxis", obj("type", "category", "data", categories));
    o.put("yAxis", obj("type", "log", "name", "ms"));
    List<Object> series = arr();
    for (int s = 0; s < 3; s++) {
      series.add(obj("name", LAT_SOURCES[s], "type", "boxplot", "data", data.get(s)));
    }
    o.put("series", series);
    return new Section("latency", "Latency distributions per network type",
        "For each network type: the edge model's run time, the cloud round trip measured on the device"
            + " (replies that came in time), and the end-to-end latency the app saw (a fallback waits for its"
            + " deadline). Boxes span p25 to p75, whiskers p5 to p95, on a log scale.",
        o, t.build(), List.of());
  }

  /** Daily trends of offload, agreement, fallback, cost per 1,000 and p95, with policy changes marked. */
  static Section trends(List<DecisionRow> rows) {
    TreeMap<LocalDate, List<DecisionRow>> byDate = new TreeMap<>();
    for (DecisionRow r : rows) {
      byDate.computeIfAbsent(r.date(), k -> new ArrayList<>()).add(r);
    }
    Table.Builder t = Table.builder("receive date", "decisions", "policy versions", "offload rate",
        "agreement (explored)", "explored n", "fallback rate", "cost per 1,000 (USD)", "p95 latency (ms)");
    List<Object> dates = arr();
    List<Object> offload = arr();
    List<Object> agree = arr();
    List<Object> fallback = arr();
    List<Object> cost = arr();
    List<Object> p95 = arr();
    List<Object> changes = arr();
    long lastMax = -1;
    for (var e : byDate.entrySet()) {
      List<DecisionRow> d = e.getValue();
      long n = d.size();
      long off = d.stream().filter(DecisionRow::offloaded).count();
      long fb = d.stream().filter(DecisionRow::fallback).count();
      List<DecisionRow> explored = d.stream().filter(r -> (r.explored() || r.shadow()) && r.hasCloudAnswer()
          && r.hasEdge()).toList();
      double agreement = explored.isEmpty() ? Double.NaN
          : explored.stream().filter(r -> r.edgePrediction() == r.cloudPrediction()).count()
              / (double) explored.size();
      double c = d.stream().mapToDouble(DecisionRow::costUsd).sum() / n * 1000;
      double p = Stats.quantile(Stats.sorted(d.stream().mapToDouble(DecisionRow::latencyMs).toArray()), .95);
      TreeSet<Long> versions = new TreeSet<>();
      d.forEach(r -> versions.add(r.policyVersion()));
      String day = e.getKey().toString();
      if (lastMax >= 0 && versions.last() != lastMax) {
        changes.add(obj("xAxis", day, "name", "policy v" + versions.last()));
      }
      lastMax = versions.last();
      dates.add(day);
      double offRate = (double) off / n;
      double fbRate = off == 0 ? Double.NaN : (double) fb / off;
      offload.add(num(offRate));
      agree.add(num(agreement));
      fallback.add(num(fbRate));
      cost.add(num(c));
      p95.add(num(p));
      t.row(day, n, versions.toString(), offRate, agreement, explored.size(), fbRate, c, p);
    }
    Map<String, Object> o = base("Daily trends", "by receive date; dashed vertical lines: a new policy version appears");
    o.put("xAxis", obj("type", "category", "data", dates));
    o.put("yAxis", arr(obj("type", "value", "name", "rate", "min", 0, "max", 1),
        obj("type", "value", "name", "p95 ms", "position", "right"),
        obj("type", "value", "name", "USD / 1,000", "position", "right", "offset", 60)));
    o.put("grid", obj("top", 100, "left", 70, "right", 140, "bottom", 50));
    o.put("series", arr(
        obj("name", "offload rate", "type", "line", "data", offload,
            "markLine", obj("symbol", "none", "lineStyle", obj("type", "dashed", "color", "#555"),
                "label", obj("formatter", "{b}"), "data", changes)),
        obj("name", "agreement (explored)", "type", "line", "data", agree),
        obj("name", "fallback rate", "type", "line", "data", fallback),
        obj("name", "cost per 1,000 (USD)", "type", "bar", "yAxisIndex", 2, "barMaxWidth", 14, "data", cost,
            "itemStyle", obj("opacity", 0.5)),
        obj("name", "p95 latency (ms)", "type", "line", "yAxisIndex", 1, "lineStyle", obj("type", "dotted"),
            "data", p95)));
    return new Section("trends", "Daily trends",
        "Per receive date: the share of decisions offloaded, the edge's agreement with the cloud on explored"
            + " and shadow decisions (an unbiased sample; agreement on offloaded decisions moves whenever"
            + " confidence does), the share of offloads that fell back to the edge, the cost per 1,000"
            + " decisions and the p95 end-to-end latency. A dashed line marks the first day a new policy"
            + " version appears in the records.",
        o, t.build(), List.of());
  }

  /** Reliability diagram: the edge's accuracy against its max_prob on labelled decisions. */
  static Section reliability(List<DecisionRow> rows) {
    int bins = 10;
    long[] n = new long[bins];
    long[] right = new long[bins];
    double[] conf = new double[bins];
    long total = 0;
    for (DecisionRow r : rows) {
      if (!r.hasLabel() || !r.hasEdge() || Double.isNaN(r.maxProb())) {
        continue;
      }
      int b = Math.min(bins - 1, (int) (r.maxProb() * bins));
      n[b]++;
      right[b] += r.edgePrediction() == r.label() ? 1 : 0;
      conf[b] += r.maxProb();
      total++;
    }
    Table.Builder t = Table.builder("max_prob bin", "labelled n", "mean confidence", "accuracy", "95 % low",
        "95 % high");
    List<Object> acc = arr();
    List<Object> diag = arr(arr(0, 0), arr(1, 1));
    List<Object> ticks = arr();
    double ece = 0;
    for (int b = 0; b < bins; b++) {
      String label = String.format("%.1f–%.1f", b / (double) bins, (b + 1) / (double) bins);
      if (n[b] == 0) {
        t.row(label, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        continue;
      }
      double mc = conf[b] / n[b];
      double a = (double) right[b] / n[b];
      double[] ci = Stats.wilson(right[b], n[b]);
      ece += (double) n[b] / total * Math.abs(a - mc);
      if (n[b] >= MIN_BIN) {
        acc.add(arr(num(mc), num(a)));
        ticks.add(arr(num(mc), num(ci[0])));
        ticks.add(arr(num(mc), num(ci[1])));
      }
      t.row(label, n[b], mc, a, ci[0], ci[1]);
    }
    List<String> notes = new ArrayList<>();
    if (total < 200) {
      notes.add("Only " + total + " labelled decisions: the diagram is not reliable.");
    }
    Map<String, Object> o = base("Reliability of max_prob",
        String.format("%d labelled decisions; expected calibration error %.3f", total, ece));
    o.put("xAxis", obj("type", "value", "name", "mean max_prob in bin", "min", 0, "max", 1));
    o.put("yAxis", obj("type", "value", "name", "accuracy", "min", 0, "max", 1));
    o.put("series", arr(
        obj("name", "edge accuracy", "type", "line", "data", acc, "symbolSize", 8),
        obj("name", "95 % interval", "type", "scatter", "symbol", "rect", "symbolSize", arr(12, 2),
            "data", ticks),
        obj("name", "perfectly calibrated", "type", "line", "showSymbol", false,
            "lineStyle", obj("type", "dashed", "color", "#999"), "data", diag)));
    return new Section("reliability", "Reliability diagram",
        "Labelled decisions binned by the edge's max_prob: the mean confidence of each bin against the share"
            + " the edge got right, with 95 % Wilson intervals (bins of fewer than 30 are in the table only). On the dashed diagonal max_prob is calibrated;"
            + " below it the edge is over-confident. The expected calibration error (ECE) is the bins' mean"
            + " distance from the diagonal, weighted by their size. The drift alarm's label-free accuracy"
            + " estimate rests on this calibration.",
        o, t.build(), notes);
  }
}
