package dev.tandem.tuner.tune;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes a run's {@code policy.json}, {@code candidates.csv}, {@code summary.json} and terminal table. */
final class TuneOutputs {
  static final String POLICY = "policy.json";
  static final String CANDIDATES = "candidates.csv";
  static final String SUMMARY = "summary.json";

  private TuneOutputs() {}

  static void write(TuneRun.Result r, Path out, PrintStream terminal) throws IOException {
    Files.createDirectories(out);
    Files.deleteIfExists(out.resolve(POLICY));
    if (r.recommended != null) {
      Files.write(out.resolve(POLICY), (r.recommended.toJson() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    StringBuilder csv = new StringBuilder();
    csv.append("segment_network,segment_device_class,threshold,current,chosen,").append(r.agreement ? "agreement" : "accuracy")
        .append(",acc_lo,acc_hi,offload,offload_lo,offload_hi,fallback,fallback_lo,fallback_hi,cost_per_1k,cost_lo,cost_hi,"
            + "p50_ms,p50_lo,p50_hi,p95_ms,p95_lo,p95_hi,unobserved_share,ess,min_propensity,warnings\n");
    appendCsv(csv, r.fleet, r.agreement);
    for (TuneRun.Tuned t : r.segments) {
      appendCsv(csv, t, r.agreement);
    }
    Files.write(out.resolve(CANDIDATES), csv.toString().getBytes(StandardCharsets.UTF_8));
    Files.write(out.resolve(SUMMARY), new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
        .create().toJson(summary(r)).getBytes(StandardCharsets.UTF_8));
    table(r, terminal);
  }

  private static void appendCsv(StringBuilder csv, TuneRun.Tuned t, boolean agreement) {
    for (CandidateEstimate c : t.candidates) {
      csv.append(t.network).append(',').append(t.deviceClass).append(',').append(c.threshold).append(',')
          .append(c.current).append(',').append(t.selection.chosen == c).append(',');
      for (Estimate e : new Estimate[] {c.accuracy, c.offload, c.fallback, c.costPer1k, c.p50Ms, c.p95Ms}) {
        csv.append(num(e.supported ? e.point : Double.NaN)).append(',').append(num(e.lo)).append(',')
            .append(num(e.hi)).append(',');
      }
      csv.append(num(c.unobservedShare)).append(',').append(num(c.ess)).append(',').append(num(c.minPropensity))
          .append(",\"").append(String.join("; ", c.warnings).replace("\"", "'")).append("\"\n");
    }
  }

  private static String num(double v) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
  }

  private static JsonObject summary(TuneRun.Result r) {
    JsonObject o = new JsonObject();
    o.addProperty("policy_version", r.base.version());
    o.addProperty("edge_model_hash", r.edgeModelHash);
    o.addProperty("signal", r.signal.jsonName());
    o.addProperty("decisions", r.decisions);
    o.addProperty("devices", r.devices);
    o.addProperty("quality_metric", r.agreement ? "agreement_with_cloud" : "accuracy");
    if (r.agreement) {
      o.addProperty("quality_note", "no labels in the logs: quality is agreement with the cloud's answer"
          + " (a candidate that sends everything to the cloud scores 100 % by construction)");
    }
    JsonObject id = new JsonObject();
    id.addProperty("checked", r.identityChecked);
    id.addProperty("mismatches", r.identityMismatches);
    JsonArray ex = new JsonArray();
    r.identityExamples.forEach(ex::add);
    id.add("examples", ex);
    o.add("replay_identity", id);
    o.addProperty("skipped_without_signals", r.skippedNoSignal);
    o.addProperty("skipped_other_edge_model", r.skippedOtherModel);
    JsonObject v = new JsonObject();
    for (Map.Entry<Long, Long> e : r.decisionsByVersion.entrySet()) {
      v.addProperty(String.valueOf(e.getKey()), e.getValue());
    }
    o.add("decisions_by_policy_version", v);
    o.add("fleet", tuned(r.fleet));
    JsonArray segs = new JsonArray();
    for (TuneRun.Tuned t : r.segments) {
      segs.add(tuned(t));
    }
    o.add("segments", segs);
    o.addProperty("recommended_policy", r.recommended == null ? null : POLICY);
    JsonArray notes = new JsonArray();
    r.notes.forEach(notes::add);
    o.add("notes", notes);
    JsonArray assumptions = new JsonArray();
    assumptions.add("labels (or, without labels, cloud answers) are missing independently of the outcome within a"
        + " signal bucket");
    assumptions.add("within a signal bucket, the cloud's correctness on decisions the logging policy kept on the edge"
        + " equals that on the decisions it asked the cloud about (weighted by 1 / propensity)");
    assumptions.add("a request the logging policy did not send would have failed at the rate observed on live"
        + " requests of the same network type and round-trip state (a network type's pooled rate where that state"
        + " has fewer than " + Estimator.MIN_LIVE_PER_STATE + " live requests), and cost what requests on that"
        + " network cost per expected dollar");
    assumptions.add("the round-trip state (deadline-risk rule) is taken as recorded; the cost budget is replayed"
        + " per candidate");
    assumptions.add("devices are independent (the bootstrap resamples devices)");
    o.add("assumptions", assumptions);
    o.addProperty("seconds", r.seconds);
    return o;
  }

  private static JsonObject tuned(TuneRun.Tuned t) {
    JsonObject o = new JsonObject();
    if (!t.network.isEmpty()) {
      o.addProperty("network", t.network);
      o.addProperty("device_class", t.deviceClass);
    }
    o.addProperty("decisions", t.decisions);
    JsonObject sel = new JsonObject();
    sel.addProperty("met", t.selection.met());
    sel.addProperty("explanation", t.selection.explanation);
    sel.addProperty("bound_z", t.selection.z);
    if (t.selection.met()) {
      sel.addProperty("threshold", t.selection.chosen.threshold);
    } else {
      JsonArray un = new JsonArray();
      t.selection.unmet.forEach(un::add);
      sel.add("unmet", un);
      if (t.selection.nearest != null) {
        sel.addProperty("nearest_threshold", t.selection.nearest.threshold);
      }
    }
    o.add("selection", sel);
    JsonArray cands = new JsonArray();
    for (CandidateEstimate c : t.candidates) {
      JsonObject j = new JsonObject();
      j.addProperty("threshold", c.threshold);
      j.addProperty("current", c.current);
      j.add(c.agreement ? "agreement" : "accuracy", est(c.accuracy));
      j.add("offload", est(c.offload));
      j.add("fallback", est(c.fallback));
      JsonObject fr = new JsonObject();
      c.fallbackByReason.forEach(fr::addProperty);
      j.add("fallback_by_reason", fr);
      j.add("cost_per_1k_usd", est(c.costPer1k));
      j.add("p50_ms", est(c.p50Ms));
      j.add("p95_ms", est(c.p95Ms));
      j.addProperty("unobserved_share", c.unobservedShare);
      j.addProperty("ess", Double.isNaN(c.ess) ? null : c.ess);
      j.addProperty("min_propensity", Double.isNaN(c.minPropensity) ? null : c.minPropensity);
      JsonArray w = new JsonArray();
      c.warnings.forEach(w::add);
      j.add("warnings", w);
      cands.add(j);
    }
    o.add("candidates", cands);
    return o;
  }

  private static JsonObject est(Estimate e) {
    JsonObject o = new JsonObject();
    if (!e.supported || Double.isNaN(e.point)) {
      o.addProperty("estimate", (Number) null);
      o.addProperty("note", "no number: see warnings");
      return o;
    }
    o.addProperty("estimate", e.point);
    o.addProperty("lo95", Double.isNaN(e.lo) ? null : e.lo);
    o.addProperty("hi95", Double.isNaN(e.hi) ? null : e.hi);
    return o;
  }

  private static void table(TuneRun.Result r, PrintStream p) {
    p.printf(Locale.ROOT, "%,d decisions from %,d devices, policy version %d, signal %s; replay identity: %d of %d"
        + " reproduced%n", r.decisions, r.devices, r.base.version(), r.signal.jsonName(),
        r.identityChecked - r.identityMismatches, r.identityChecked);
    String q = r.agreement ? "agreement" : "accuracy";
    p.printf(Locale.ROOT, "%-3s %-9s %-26s %-26s %-30s %-22s %s%n", "", "threshold", q + " [95% CI]",
        "offload [95% CI]", "cost/1k USD [95% CI]", "p95 ms", "note");
    List<CandidateEstimate> c = r.fleet.candidates;
    int step = Math.max(1, c.size() / 20);
    for (int i = 0; i < c.size(); i++) {
      CandidateEstimate e = c.get(i);
      boolean chosen = r.fleet.selection.chosen == e || r.fleet.selection.nearest == e;
      if (i % step != 0 && !e.current && !chosen && i != c.size() - 1) {
        continue;
      }
      String mark = (e.current ? "c" : "") + (r.fleet.selection.chosen == e ? "*" : "")
          + (r.fleet.selection.nearest == e ? "~" : "");
      p.printf(Locale.ROOT, "%-3s %-9.4f %-26s %-26s %-30s %-22s %s%n", mark, e.threshold, ci(e.accuracy, 4),
          ci(e.offload, 4), ci(e.costPer1k, 6), e.p95Ms.supported ? String.format(Locale.ROOT, "%.0f", e.p95Ms.point)
              : "n/a", e.warnings.isEmpty() ? "" : "no support: see summary.json");
    }
    p.println("c = current, * = recommended, ~ = nearest (objectives not met); every candidate is in "
        + CANDIDATES);
    if (r.fleet.selection.met()) {
      p.printf(Locale.ROOT, "recommended threshold %.4f: %s%n", r.fleet.selection.chosen.threshold,
          r.fleet.selection.explanation);
    } else {
      p.printf(Locale.ROOT, "NOT MET: %s; nearest: threshold %s%n", r.fleet.selection.explanation,
          r.fleet.selection.nearest == null ? "none" : String.format(Locale.ROOT, "%.4f",
              r.fleet.selection.nearest.threshold));
    }
    for (TuneRun.Tuned t : r.segments) {
      p.printf(Locale.ROOT, "segment %s/%s (%,d decisions): %s%n", t.network, t.deviceClass.isEmpty() ? "-"
          : t.deviceClass, t.decisions, t.selection.met() ? String.format(Locale.ROOT, "threshold %.4f",
              t.selection.chosen.threshold) : "not met (" + String.join(", ", t.selection.unmet) + ")");
    }
    for (String n : r.notes) {
      p.println("note: " + n);
    }
  }

  private static String ci(Estimate e, int digits) {
    if (!e.supported || Double.isNaN(e.point)) {
      return "n/a";
    }
    String f = "%." + digits + "f";
    return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", e.point, e.lo, e.hi);
  }
}
