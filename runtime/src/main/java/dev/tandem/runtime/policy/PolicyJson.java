package dev.tandem.runtime.policy;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.signal.SignalKind;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes the policy JSON through Gson's tree model only (no reflection), so that R8
 * on Android cannot break it. Every problem is reported with the field's JSON path and value.
 */
final class PolicyJson {
  private PolicyJson() {}

  static Policy parse(String json) {
    JsonElement root;
    try {
      root = JsonParser.parseString(json);
    } catch (JsonParseException e) {
      throw new InvalidPolicyException("", "", "not valid JSON: " + e.getMessage());
    }
    if (!root.isJsonObject()) {
      throw new InvalidPolicyException("", abbreviate(root), "a policy must be a JSON object");
    }
    JsonObject o = root.getAsJsonObject();
    allow(o, "", "schema", "version", "model", "edge_model_hash", "mode", "signal", "threshold", "segments",
        "deadline_ms", "exploration", "metered", "battery", "cost_budget", "round_trip", "canary");
    int schema = (int) integer(o, "", "schema", -1);
    if (schema == -1) {
      throw new InvalidPolicyException("schema", "", "is required");
    }
    if (schema != Policy.SCHEMA) {
      throw new InvalidPolicyException("schema", Integer.toString(schema),
          "this runtime reads policy schema " + Policy.SCHEMA + " only");
    }
    Policy.Builder b = Policy.builder();
    if (!o.has("version")) {
      throw new InvalidPolicyException("version", "", "is required");
    }
    b.version(integer(o, "", "version", 0));
    b.model(string(o, "", "model", ""));
    b.edgeModelHash(string(o, "", "edge_model_hash", ""));
    if (!o.has("mode")) {
      throw new InvalidPolicyException("mode", "", "is required");
    }
    String mode = string(o, "", "mode", "");
    try {
      b.mode(Mode.fromJsonName(mode));
    } catch (IllegalArgumentException e) {
      throw new InvalidPolicyException("mode", quote(mode), e.getMessage());
    }
    SignalKind signal = SignalKind.MAX_PROB;
    if (o.has("signal")) {
      String s = string(o, "", "signal", "");
      try {
        signal = SignalKind.fromJsonName(s);
      } catch (IllegalArgumentException e) {
        throw new InvalidPolicyException("signal", quote(s), e.getMessage());
      }
    }
    b.signal(signal);
    if (o.has("threshold")) {
      b.threshold(number(o, "", "threshold", Double.NaN));
    }
    if (o.has("segments")) {
      JsonElement segs = o.get("segments");
      if (!segs.isJsonArray()) {
        throw new InvalidPolicyException("segments", abbreviate(segs), "must be an array");
      }
      JsonArray arr = segs.getAsJsonArray();
      for (int i = 0; i < arr.size(); i++) {
        String path = "segments[" + i + "]";
        JsonObject so = object(arr.get(i), path);
        allow(so, path + ".", "network", "device_class", "threshold");
        NetworkType net = null;
        if (so.has("network")) {
          String n = string(so, path + ".", "network", "");
          try {
            net = NetworkType.fromJsonName(n);
          } catch (IllegalArgumentException e) {
            throw new InvalidPolicyException(path + ".network", quote(n), e.getMessage());
          }
        }
        String dc = so.has("device_class") ? string(so, path + ".", "device_class", "") : null;
        if (dc != null && dc.isEmpty()) {
          throw new InvalidPolicyException(path + ".device_class", "\"\"", "must not be empty");
        }
        if (net == null && dc == null) {
          throw new InvalidPolicyException(path, abbreviate(so), "needs a network, a device_class, or both");
        }
        if (!so.has("threshold")) {
          throw new InvalidPolicyException(path + ".threshold", "", "is required");
        }
        b.addSegment(Segment.of(net, dc, number(so, path + ".", "threshold", 0)));
      }
    }
    if (o.has("deadline_ms")) {
      b.deadlineMs(integer(o, "", "deadline_ms", -1));
    }
    if (o.has("exploration")) {
      JsonObject e = object(o.get("exploration"), "exploration");
      allow(e, "exploration.", "rate", "kind");
      String kind = string(e, "exploration.", "kind", "shadow");
      ExplorationKind k;
      try {
        k = ExplorationKind.fromJsonName(kind);
      } catch (IllegalArgumentException ex) {
        throw new InvalidPolicyException("exploration.kind", quote(kind), ex.getMessage());
      }
      b.exploration(number(e, "exploration.", "rate", 0), k);
    }
    if (o.has("metered")) {
      JsonObject m = object(o.get("metered"), "metered");
      allow(m, "metered.", "max_upload_bytes");
      b.meteredMaxUploadBytes(integer(m, "metered.", "max_upload_bytes", -1));
    }
    if (o.has("battery")) {
      JsonObject m = object(o.get("battery"), "battery");
      allow(m, "battery.", "min_percent", "unless_charging");
      b.battery((int) integer(m, "battery.", "min_percent", 0), bool(m, "battery.", "unless_charging", true));
    }
    if (o.has("cost_budget")) {
      JsonObject m = object(o.get("cost_budget"), "cost_budget");
      allow(m, "cost_budget.", "usd_per_hour", "burst_usd");
      if (!m.has("usd_per_hour")) {
        throw new InvalidPolicyException("cost_budget.usd_per_hour", "", "is required in a cost budget");
      }
      double rate = number(m, "cost_budget.", "usd_per_hour", 0);
      if (!(rate > 0)) {
        throw new InvalidPolicyException("cost_budget.usd_per_hour", Double.toString(rate), "must be > 0");
      }
      // Default burst: a minute's worth of budget.
      b.costBudget(rate, number(m, "cost_budget.", "burst_usd", rate / 60));
    }
    if (o.has("round_trip")) {
      JsonObject m = object(o.get("round_trip"), "round_trip");
      allow(m, "round_trip.", "deadline_risk", "ewma_alpha", "window_ms", "window_samples", "min_samples",
          "probe_interval_ms");
      Policy dflt = Policy.builder().threshold(0).deadlineMs(1).build();
      b.deadlineRisk(bool(m, "round_trip.", "deadline_risk", true));
      b.roundTrip(number(m, "round_trip.", "ewma_alpha", dflt.roundTripAlpha()),
          integer(m, "round_trip.", "window_ms", dflt.roundTripWindowMs()),
          (int) integer(m, "round_trip.", "window_samples", dflt.roundTripWindowSamples()),
          (int) integer(m, "round_trip.", "min_samples", dflt.roundTripMinSamples()),
          integer(m, "round_trip.", "probe_interval_ms", dflt.probeIntervalMs()));
    }
    if (o.has("canary")) {
      JsonObject m = object(o.get("canary"), "canary");
      allow(m, "canary.", "fraction");
      b.canaryFraction(number(m, "canary.", "fraction", 1));
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

  private static void allow(JsonObject o, String prefix, String... names) {
    Set<String> known = new HashSet<>(Arrays.asList(names));
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (!known.contains(e.getKey())) {
        throw new InvalidPolicyException(prefix + e.getKey(), abbreviate(e.getValue()),
            "is not a known field (known: " + String.join(", ", names) + ")");
      }
    }
  }

  private static JsonObject object(JsonElement e, String path) {
    if (!e.isJsonObject()) {
      throw new InvalidPolicyException(path, abbreviate(e), "must be an object");
    }
    return e.getAsJsonObject();
  }

  private static JsonPrimitive primitive(JsonObject o, String prefix, String name) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (!e.isJsonPrimitive()) {
      throw new InvalidPolicyException(prefix + name, abbreviate(e), "must be a plain value");
    }
    return e.getAsJsonPrimitive();
  }

  private static double number(JsonObject o, String prefix, String name, double dflt) {
    JsonPrimitive p = primitive(o, prefix, name);
    if (p == null) {
      return dflt;
    }
    if (!p.isNumber()) {
      throw new InvalidPolicyException(prefix + name, p.toString(), "must be a number");
    }
    double d = p.getAsDouble();
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new InvalidPolicyException(prefix + name, p.toString(), "must be finite");
    }
    return d;
  }

  private static long integer(JsonObject o, String prefix, String name, long dflt) {
    JsonPrimitive p = primitive(o, prefix, name);
    if (p == null) {
      return dflt;
    }
    if (!p.isNumber()) {
      throw new InvalidPolicyException(prefix + name, p.toString(), "must be an integer");
    }
    try {
      return p.getAsBigDecimal().longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new InvalidPolicyException(prefix + name, p.toString(), "must be an integer");
    }
  }

  private static String string(JsonObject o, String prefix, String name, String dflt) {
    JsonPrimitive p = primitive(o, prefix, name);
    if (p == null) {
      return dflt;
    }
    if (!p.isString()) {
      throw new InvalidPolicyException(prefix + name, p.toString(), "must be a string");
    }
    return p.getAsString();
  }

  private static boolean bool(JsonObject o, String prefix, String name, boolean dflt) {
    JsonPrimitive p = primitive(o, prefix, name);
    if (p == null) {
      return dflt;
    }
    if (!p.isBoolean()) {
      throw new InvalidPolicyException(prefix + name, p.toString(), "must be true or false");
    }
    return p.getAsBoolean();
  }

  private static String quote(String s) {
    return new JsonPrimitive(s).toString();
  }

  private static String abbreviate(JsonElement e) {
    String s = e.toString();
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
