package dev.tandem.runtime.policy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.internal.json.JsonErrors;
import dev.tandem.runtime.internal.json.JsonFields;
import dev.tandem.runtime.signal.SignalKind;

/**
 * Reads the policy JSON through the strict reader and writes it through Gson's tree model (no
 * reflection, so R8 on Android cannot break it). Every problem is reported with the field's JSON
 * path and value.
 */
final class PolicyJson {
  private PolicyJson() {}

  private static final JsonErrors ERRORS = InvalidPolicyException::new;

  static Policy parse(String json) {
    JsonFields o = JsonFields.parse(json, ERRORS);
    o.allow("schema", "version", "model", "edge_model_hash", "mode", "signal", "threshold", "segments",
        "deadline_ms", "exploration", "metered", "battery", "cost_budget", "round_trip", "canary");
    long schema = o.integer("schema");
    if (schema != Policy.SCHEMA) {
      throw new InvalidPolicyException("schema", Long.toString(schema),
          "this runtime reads policy schema " + Policy.SCHEMA + " only");
    }
    Policy.Builder b = Policy.builder();
    b.version(o.integer("version"));
    b.model(o.string("model", ""));
    b.edgeModelHash(o.string("edge_model_hash", ""));
    String mode = o.string("mode");
    try {
      b.mode(Mode.fromJsonName(mode));
    } catch (IllegalArgumentException e) {
      throw o.error("mode", e.getMessage());
    }
    SignalKind signal = SignalKind.MAX_PROB;
    if (o.has("signal")) {
      String s = o.string("signal");
      try {
        signal = SignalKind.fromJsonName(s);
      } catch (IllegalArgumentException e) {
        throw o.error("signal", e.getMessage());
      }
    }
    b.signal(signal);
    if (o.has("threshold")) {
      b.threshold(o.number("threshold"));
    }
    for (JsonFields so : o.objectsOrEmpty("segments")) {
      so.allow("network", "device_class", "threshold");
      NetworkType net = null;
      if (so.has("network")) {
        String n = so.string("network");
        try {
          net = NetworkType.fromJsonName(n);
        } catch (IllegalArgumentException e) {
          throw so.error("network", e.getMessage());
        }
      }
      String dc = so.string("device_class", null);
      if (dc != null && dc.isEmpty()) {
        throw so.error("device_class", "must not be empty");
      }
      if (net == null && dc == null) {
        throw so.error("needs a network, a device_class, or both");
      }
      b.addSegment(Segment.of(net, dc, so.number("threshold")));
    }
    if (o.has("deadline_ms")) {
      b.deadlineMs(o.integer("deadline_ms"));
    }
    if (o.has("exploration")) {
      JsonFields e = o.object("exploration").allow("rate", "kind");
      String kind = e.string("kind", "shadow");
      ExplorationKind k;
      try {
        k = ExplorationKind.fromJsonName(kind);
      } catch (IllegalArgumentException ex) {
        throw e.error("kind", ex.getMessage());
      }
      b.exploration(e.number("rate", 0), k);
    }
    if (o.has("metered")) {
      JsonFields m = o.object("metered").allow("max_upload_bytes");
      b.meteredMaxUploadBytes(m.integer("max_upload_bytes", -1));
    }
    if (o.has("battery")) {
      JsonFields m = o.object("battery").allow("min_percent", "unless_charging");
      b.battery((int) m.integer("min_percent", 0), m.bool("unless_charging", true));
    }
    if (o.has("cost_budget")) {
      JsonFields m = o.object("cost_budget").allow("usd_per_hour", "burst_usd");
      double rate = m.number("usd_per_hour");
      if (!(rate > 0)) {
        throw m.error("usd_per_hour", "must be > 0");
      }
      // Default burst: a minute's worth of budget.
      b.costBudget(rate, m.number("burst_usd", rate / 60));
    }
    if (o.has("round_trip")) {
      JsonFields m = o.object("round_trip").allow("deadline_risk", "ewma_alpha", "window_ms", "window_samples",
          "min_samples", "probe_interval_ms");
      Policy dflt = Policy.builder().threshold(0).deadlineMs(1).build();
      b.deadlineRisk(m.bool("deadline_risk", true));
      b.roundTrip(m.number("ewma_alpha", dflt.roundTripAlpha()),
          m.integer("window_ms", dflt.roundTripWindowMs()),
          (int) m.integer("window_samples", dflt.roundTripWindowSamples()),
          (int) m.integer("min_samples", dflt.roundTripMinSamples()),
          m.integer("probe_interval_ms", dflt.probeIntervalMs()));
    }
    if (o.has("canary")) {
      JsonFields m = o.object("canary").allow("fraction");
      b.canaryFraction(m.number("fraction", 1));
    }
    return b.build();
  }

  static String write(Policy p) {
    JsonObject o = new JsonObject();
    o.addProperty("schema", Policy.SCHEMA);
    o.addProperty("version", p.version());
    o.addProperty("model", p.model());
    o.addProperty("edge_model_hash", p.edgeModelHash());
    o.addProperty("mode", p.mode().jsonName());
    o.addProperty("signal", p.signal().jsonName());
    o.addProperty("threshold", p.threshold());
    JsonArray segs = new JsonArray();
    for (Segment s : p.segments()) {
      JsonObject so = new JsonObject();
      if (s.network().isPresent()) {
        so.addProperty("network", s.network().get().jsonName());
      }
      if (s.deviceClass().isPresent()) {
        so.addProperty("device_class", s.deviceClass().get());
      }
      so.addProperty("threshold", s.threshold());
      segs.add(so);
    }
    o.add("segments", segs);
    o.addProperty("deadline_ms", p.deadlineMs());
    JsonObject e = new JsonObject();
    e.addProperty("rate", p.explorationRate());
    e.addProperty("kind", p.explorationKind().jsonName());
    o.add("exploration", e);
    JsonObject m = new JsonObject();
    m.addProperty("max_upload_bytes", p.meteredMaxUploadBytes());
    o.add("metered", m);
    JsonObject bat = new JsonObject();
    bat.addProperty("min_percent", p.batteryMinPercent());
    bat.addProperty("unless_charging", p.batteryUnlessCharging());
    o.add("battery", bat);
    if (p.hasCostBudget()) {
      JsonObject c = new JsonObject();
      c.addProperty("usd_per_hour", p.costBudgetUsdPerHour());
      c.addProperty("burst_usd", p.costBudgetBurstUsd());
      o.add("cost_budget", c);
    }
    JsonObject r = new JsonObject();
    r.addProperty("deadline_risk", p.deadlineRisk());
    r.addProperty("ewma_alpha", p.roundTripAlpha());
    r.addProperty("window_ms", p.roundTripWindowMs());
    r.addProperty("window_samples", p.roundTripWindowSamples());
    r.addProperty("min_samples", p.roundTripMinSamples());
    r.addProperty("probe_interval_ms", p.probeIntervalMs());
    o.add("round_trip", r);
    JsonObject c = new JsonObject();
    c.addProperty("fraction", p.canaryFraction());
    o.add("canary", c);
    return o.toString();
  }
}
