package dev.tandem.tuner.drift;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Map;

/** Every comparison of a drift run, the alarms among them, and what could not be compared. */
public final class DriftResult {
  private final List<Finding> findings;
  private final List<String> notes;
  private final Map<String, Calibration> calibrations;
  private final double falseAlarmRate;

  DriftResult(List<Finding> findings, List<String> notes, Map<String, Calibration> calibrations,
      double falseAlarmRate) {
    this.findings = List.copyOf(findings);
    this.notes = List.copyOf(notes);
    this.calibrations = Map.copyOf(calibrations);
    this.falseAlarmRate = falseAlarmRate;
  }

  public List<Finding> findings() {
    return findings;
  }

  public List<Finding> alarms() {
    return findings.stream().filter(Finding::alarm).toList();
  }

  public List<String> notes() {
    return notes;
  }

  /** The label-free accuracy estimate's calibration error per edge model (NaN when too few labels). */
  public double calibrationError(String edgeModelHash) {
    Calibration c = calibrations.get(edgeModelHash);
    return c == null ? Double.NaN : c.error();
  }

  /** The result as JSON: run settings, every comparison, calibrations and notes. */
  public String toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("alarm", !alarms().isEmpty());
    root.addProperty("alarms", alarms().size());
    root.addProperty("tests", findings.size());
    root.addProperty("false_alarm_rate", falseAlarmRate);
    root.addProperty("per_test_level", findings.isEmpty() ? 0 : falseAlarmRate / findings.size());
    JsonArray cal = new JsonArray();
    calibrations.forEach((h, c) -> {
      JsonObject o = new JsonObject();
      o.addProperty("edge_model_hash", h);
      o.addProperty("labelled", c.labelled());
      o.addProperty("max_prob_ece", c.rawError());
      o.addProperty("calibration_error", c.error());
      cal.add(o);
    });
    root.add("calibration", cal);
    JsonArray fs = new JsonArray();
    for (Finding f : findings) {
      JsonObject o = new JsonObject();
      o.addProperty("segment", f.segment().dimension().equals("all") ? "all"
          : f.segment().dimension() + "=" + f.segment().value());
      o.addProperty("edge_model_hash", f.segment().edgeModelHash());
      o.addProperty("metric", f.metric().jsonName());
      if (f.policyVersion() >= 0) {
        o.addProperty("policy_version", f.policyVersion());
      }
      o.addProperty("baseline", f.baseline());
      o.addProperty("window", f.window());
      o.addProperty("effect", f.effect());
      o.addProperty("min_effect", f.minEffect());
      o.addProperty("p_value", f.pValue());
      o.addProperty("p_threshold", f.pThreshold());
      o.addProperty("baseline_devices", f.baselineDevices());
      o.addProperty("window_devices", f.windowDevices());
      o.addProperty("baseline_count", f.baselineCount());
      o.addProperty("window_count", f.windowCount());
      o.addProperty("alarm", f.alarm());
      fs.add(o);
    }
    root.add("findings", fs);
    JsonArray ns = new JsonArray();
    notes.forEach(ns::add);
    root.add("notes", ns);
    return new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create().toJson(root);
  }
}
