package dev.tandem.runtime.record;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.policy.RoundTripSnapshot;
import dev.tandem.runtime.signal.Signals;

/**
 * Writes and reads records as single JSON lines (docs/records.md). Uses Gson's tree model only,
 * no reflection, so R8 on Android cannot break it. Stateless and thread-safe.
 *
 * <p>Reading is strict about what it must understand (the schema version, the kind, every
 * required field and its type) and ignores fields it does not know, so that a newer writer can
 * add optional fields without a schema bump. Doubles and floats are written in their shortest
 * exact form, so a decoded context replays exactly.
 */
public final class RecordCodec {
  private RecordCodec() {}

  /** The record as one JSON line, without the newline. */
  public static String encode(Record r) {
    if (r instanceof DecisionRecord) {
      return encodeDecision((DecisionRecord) r).toString();
    }
    if (r instanceof AmendmentRecord) {
      return encodeAmendment((AmendmentRecord) r).toString();
    }
    if (r instanceof PolicyEventRecord) {
      return encodePolicyEvent((PolicyEventRecord) r).toString();
    }
    throw new IllegalArgumentException("unknown record class " + r.getClass().getName());
  }

  /**
   * Reads one line.
   *
   * @throws RecordFormatException saying what is wrong: invalid JSON, an unknown schema version or
   *     kind, a missing or mistyped field
   */
  public static Record decode(String line) {
    JsonElement root;
    try {
      root = JsonParser.parseString(line);
    } catch (JsonParseException e) {
      throw new RecordFormatException("record is not valid JSON: " + e.getMessage(), e);
    }
    if (!root.isJsonObject()) {
      throw new RecordFormatException("record must be a JSON object, got " + abbreviate(line));
    }
    JsonObject o = root.getAsJsonObject();
    long schema = integer(o, "schema");
    if (schema != Record.SCHEMA) {
      throw new RecordFormatException("record schema " + schema + " is not supported: this reader knows schema "
          + Record.SCHEMA + " only");
    }
    String kind = string(o, "kind");
    try {
      switch (kind) {
        case "decision":
          return decodeDecision(o);
        case "amendment":
          return decodeAmendment(o);
        case PolicyEventRecord.KIND:
          return decodePolicyEvent(o);
        default:
          throw new RecordFormatException("unknown record kind '" + kind
              + "': expected decision, amendment or policy_event");
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new RecordFormatException("invalid " + kind + " record " + optString(o, "id") + ": " + e.getMessage(), e);
    }
  }

  /** Reads a decision line. @throws RecordFormatException also when the line is another kind */
  public static DecisionRecord decodeDecision(String line) {
    Record r = decode(line);
    if (!(r instanceof DecisionRecord)) {
      throw new RecordFormatException("expected a decision record, got " + r.kind() + " " + r.id());
    }
    return (DecisionRecord) r;
  }

  // ---- decision

  private static JsonObject encodeDecision(DecisionRecord r) {
    JsonObject o = header(r);
    o.addProperty("fleet", r.fleet());
    o.addProperty("model", r.model());
    o.addProperty("edge_model_hash", r.edgeModelHash());
    o.addProperty("policy_version", r.policyVersion());
    o.addProperty("route", r.route().jsonName());
    o.addProperty("reason", r.reason().jsonName());
    JsonObject d = new JsonObject();
    d.addProperty("route", r.decided().route().jsonName());
    d.addProperty("reason", r.decided().reason().jsonName());
    o.add("decided", d);
    o.addProperty("explored", r.decided().explored());
    o.addProperty("propensity", r.decided().propensity());
    o.add("context", encodeContext(r.context()));
    if (r.edge().isPresent()) {
      EdgeResult e = r.edge().get();
      JsonObject eo = new JsonObject();
      eo.addProperty("prediction", e.prediction());
      eo.add("signals", encodeSignals(e.signals()));
      JsonArray probs = new JsonArray();
      for (float p : e.signals().probabilities()) {
        probs.add(p);
      }
      eo.add("probabilities", probs);
      eo.addProperty("latency_ms", e.latencyMs());
      eo.addProperty("provider", e.provider());
      o.add("edge", eo);
    }
    if (r.cloud().isPresent()) {
      o.add("cloud", encodeCloud(r.cloud().get()));
    }
    o.addProperty("bytes_up", r.bytesUp());
    o.addProperty("bytes_down", r.bytesDown());
    JsonObject c = new JsonObject();
    c.addProperty("edge_usd", r.cost().edgeUsd());
    c.addProperty("network_usd", r.cost().networkUsd());
    c.addProperty("cloud_usd", r.cost().cloudUsd());
    c.addProperty("total_usd", r.cost().totalUsd());
    c.addProperty("edge_joules", r.cost().edgeJoules());
    o.add("cost", c);
    o.addProperty("latency_ms", r.latencyMs());
    return o;
  }

  private static JsonObject encodeContext(DecisionContext c) {
    JsonObject o = new JsonObject();
    if (c.signals().isPresent()) {
      o.add("signals", encodeSignals(c.signals().get()));
    }
    DeviceState d = c.device();
    o.addProperty("network", d.networkType().jsonName());
    o.addProperty("metered", d.metered());
    o.addProperty("battery_percent", d.batteryPercent());
    o.addProperty("charging", d.charging());
    o.addProperty("device_class", d.deviceClass());
    o.addProperty("payload_bytes", c.payloadBytes());
    o.addProperty("offloader", c.offloader().jsonName());
    o.addProperty("elapsed_ms", c.elapsedMs());
    o.addProperty("budget_available_usd", c.budgetAvailableUsd());
    o.addProperty("expected_offload_usd", c.expectedOffloadUsd());
    JsonObject rt = new JsonObject();
    rt.addProperty("samples", c.roundTrip().samples());
    rt.addProperty("ewma_ms", c.roundTrip().ewmaMs());
    rt.addProperty("p95_ms", c.roundTrip().p95Ms());
    rt.addProperty("since_last_attempt_ms", c.roundTrip().sinceLastAttemptMs());
    o.add("round_trip", rt);
    o.addProperty("draw", c.draw());
    return o;
  }

  private static JsonObject encodeSignals(Signals s) {
    JsonObject o = new JsonObject();
    o.addProperty("top1", s.top1());
    o.addProperty("max_prob", s.maxProb());
    o.addProperty("margin", s.margin());
    o.addProperty("entropy", s.entropy());
    return o;
  }

  private static JsonObject encodeCloud(CloudResult c) {
    JsonObject o = new JsonObject();
    o.addProperty("status", c.status().wireName());
    o.addProperty("message", c.message());
    o.addProperty("prediction", c.prediction());
    o.addProperty("round_trip_ms", c.roundTripMs());
    o.addProperty("budget_ms", c.budgetMs());
    o.addProperty("relay_id", c.relayId());
    o.addProperty("model_version", c.modelVersion());
    o.addProperty("queue_ms", c.queueMs());
    o.addProperty("inference_ms", c.inferenceMs());
    o.addProperty("batch_size", c.batchSize());
    return o;
  }

  private static DecisionRecord decodeDecision(JsonObject o) {
    String device = string(o, "device");
    long seq = integer(o, "seq");
    checkId(o, device, seq);
    JsonObject co = object(o, "context");
    DecisionContext.Builder cb = DecisionContext.builder()
        .policyVersion(integer(o, "policy_version"))
        .edgeModelHash(string(o, "edge_model_hash"));
    if (co.has("signals")) {
      cb.signals(decodeSignals(object(co, "signals"), new float[0]));
    }
    cb.device(DeviceState.builder()
            .networkType(NetworkType.fromJsonName(string(co, "network")))
            .metered(bool(co, "metered"))
            .batteryPercent((int) integer(co, "battery_percent"))
            .charging(bool(co, "charging"))
            .deviceClass(string(co, "device_class"))
            .build())
        .payloadBytes(integer(co, "payload_bytes"))
        .offloader(OffloaderState.fromJsonName(string(co, "offloader")))
        .elapsedMs(number(co, "elapsed_ms"))
        .budgetAvailableUsd(number(co, "budget_available_usd"))
        .expectedOffloadUsd(number(co, "expected_offload_usd"))
        .draw(number(co, "draw"));
    JsonObject rt = object(co, "round_trip");
    cb.roundTrip(RoundTripSnapshot.of((int) integer(rt, "samples"), number(rt, "ewma_ms"), number(rt, "p95_ms"),
        integer(rt, "since_last_attempt_ms")));
    JsonObject d = object(o, "decided");
    RouteDecision decided = RouteDecision.of(Route.fromJsonName(string(d, "route")),
        Reason.fromJsonName(string(d, "reason")), number(o, "propensity"), bool(o, "explored"));
    DecisionRecord.Builder b = DecisionRecord.builder()
        .device(device)
        .seq(seq)
        .timeMs(integer(o, "time_ms"))
        .fleet(string(o, "fleet"))
        .model(string(o, "model"))
        .decided(decided)
        .outcome(Route.fromJsonName(string(o, "route")), Reason.fromJsonName(string(o, "reason")))
        .context(cb.build())
        .bytes(integer(o, "bytes_up"), integer(o, "bytes_down"))
        .latencyMs(number(o, "latency_ms"));
    if (o.has("edge")) {
      JsonObject eo = object(o, "edge");
      JsonArray pa = array(eo, "probabilities");
      float[] probs = new float[pa.size()];
      for (int i = 0; i < probs.length; i++) {
        JsonElement e = pa.get(i);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
          throw new RecordFormatException("field 'edge.probabilities[" + i + "]' must be a number, got " + e);
        }
        probs[i] = e.getAsFloat();
      }
      Signals s = decodeSignals(object(eo, "signals"), probs);
      b.edge(EdgeResult.of(s, number(eo, "latency_ms"), string(eo, "provider")));
    }
    if (o.has("cloud")) {
      b.cloud(decodeCloud(object(o, "cloud")));
    }
    JsonObject c = object(o, "cost");
    b.cost(Cost.of(number(c, "edge_joules"), number(c, "edge_usd"), number(c, "network_usd"), number(c, "cloud_usd")));
    return b.build();
  }

  private static Signals decodeSignals(JsonObject s, float[] probabilities) {
    return Signals.of(probabilities, (int) integer(s, "top1"), number(s, "max_prob"), number(s, "margin"),
        number(s, "entropy"));
  }

  private static CloudResult decodeCloud(JsonObject c) {
    return CloudResult.of(OffloadStatus.fromWireName(string(c, "status")), string(c, "message"),
        (int) integer(c, "prediction"), number(c, "round_trip_ms"), integer(c, "budget_ms"), string(c, "relay_id"),
        string(c, "model_version"), number(c, "queue_ms"), number(c, "inference_ms"), (int) integer(c, "batch_size"));
  }

  // ---- amendment

  private static JsonObject encodeAmendment(AmendmentRecord r) {
    JsonObject o = header(r);
    o.addProperty("decision_id", r.decisionId());
    o.addProperty("type", r.type().jsonName());
    if (r.type() == AmendmentRecord.Type.LATE_REPLY) {
      o.add("cloud", encodeCloud(r.cloud().get()));
      o.addProperty("bytes_down", r.bytesDown());
    } else {
      o.addProperty("label", r.label());
    }
    return o;
  }

  private static AmendmentRecord decodeAmendment(JsonObject o) {
    String device = string(o, "device");
    long seq = integer(o, "seq");
    checkId(o, device, seq);
    long time = integer(o, "time_ms");
    String decisionId = string(o, "decision_id");
    AmendmentRecord.Type type = AmendmentRecord.Type.fromJsonName(string(o, "type"));
    if (type == AmendmentRecord.Type.LATE_REPLY) {
      return AmendmentRecord.lateReply(device, seq, time, decisionId, decodeCloud(object(o, "cloud")),
          integer(o, "bytes_down"));
    }
    return AmendmentRecord.label(device, seq, time, decisionId, (int) integer(o, "label"));
  }

  // ---- policy event

  private static JsonObject encodePolicyEvent(PolicyEventRecord r) {
    JsonObject o = header(r);
    o.addProperty("fleet", r.fleet());
    o.addProperty("model", r.model());
    o.addProperty("event", r.event().jsonName());
    o.addProperty("reason", r.reason());
    o.addProperty("message", r.message());
    o.addProperty("version", r.version());
    o.addProperty("in_force_version", r.inForceVersion());
    o.addProperty("edge_model_hash", r.edgeModelHash());
    o.addProperty("policy_hash", r.policyHash());
    if (r.policy().isPresent()) {
      o.addProperty("policy", r.policy().get());
    }
    return o;
  }

  private static PolicyEventRecord decodePolicyEvent(JsonObject o) {
    String device = string(o, "device");
    long seq = integer(o, "seq");
    checkId(o, device, seq);
    PolicyEventRecord.Builder b = PolicyEventRecord.builder()
        .device(device)
        .seq(seq)
        .timeMs(integer(o, "time_ms"))
        .fleet(string(o, "fleet"))
        .model(string(o, "model"))
        .event(PolicyEventRecord.Event.fromJsonName(string(o, "event")))
        .reason(string(o, "reason"))
        .message(string(o, "message"))
        .version(integer(o, "version"))
        .inForceVersion(integer(o, "in_force_version"))
        .edgeModelHash(string(o, "edge_model_hash"));
    if (o.has("policy") && !o.get("policy").isJsonNull()) {
      b.policy(string(o, "policy"));
    }
    // After the content, so that build() checks the recorded hash against it.
    b.policyHash(string(o, "policy_hash"));
    return b.build();
  }

  // ---- helpers

  private static JsonObject header(Record r) {
    JsonObject o = new JsonObject();
    o.addProperty("schema", Record.SCHEMA);
    o.addProperty("kind", r.kind());
    o.addProperty("id", r.id());
    o.addProperty("device", r.device());
    o.addProperty("seq", r.seq());
    o.addProperty("time_ms", r.timeMs());
    return o;
  }

  private static void checkId(JsonObject o, String device, long seq) {
    String id = string(o, "id");
    if (!id.equals(Record.id(device, seq))) {
      throw new RecordFormatException("record id '" + id + "' does not match device '" + device + "' and seq " + seq);
    }
  }

  private static JsonElement field(JsonObject o, String name) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      throw new RecordFormatException("record field '" + name + "' is missing" + where(o));
    }
    return e;
  }

  private static String where(JsonObject o) {
    return o.has("id") ? " (record " + o.get("id") + ")" : "";
  }

  private static JsonPrimitive primitive(JsonObject o, String name) {
    JsonElement e = field(o, name);
    if (!e.isJsonPrimitive()) {
      throw new RecordFormatException("record field '" + name + "' must be a plain value, got " + abbreviate(e.toString()));
    }
    return e.getAsJsonPrimitive();
  }

  private static long integer(JsonObject o, String name) {
    JsonPrimitive p = primitive(o, name);
    if (!p.isNumber()) {
      throw new RecordFormatException("record field '" + name + "' must be an integer, got " + p);
    }
    try {
      return p.getAsBigDecimal().longValueExact();
    } catch (ArithmeticException | NumberFormatException e) {
      throw new RecordFormatException("record field '" + name + "' must be an integer, got " + p, e);
    }
  }

  private static double number(JsonObject o, String name) {
    JsonPrimitive p = primitive(o, name);
    if (!p.isNumber()) {
      throw new RecordFormatException("record field '" + name + "' must be a number, got " + p);
    }
    try {
      return p.getAsDouble();
    } catch (NumberFormatException e) {
      throw new RecordFormatException("record field '" + name + "' must be a number, got " + p, e);
    }
  }

  private static boolean bool(JsonObject o, String name) {
    JsonPrimitive p = primitive(o, name);
    if (!p.isBoolean()) {
      throw new RecordFormatException("record field '" + name + "' must be true or false, got " + p);
    }
    return p.getAsBoolean();
  }

  private static String string(JsonObject o, String name) {
    JsonPrimitive p = primitive(o, name);
    if (!p.isString()) {
      throw new RecordFormatException("record field '" + name + "' must be a string, got " + p);
    }
    return p.getAsString();
  }

  private static String optString(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() ? e.getAsString() : "";
  }

  private static JsonObject object(JsonObject o, String name) {
    JsonElement e = field(o, name);
    if (!e.isJsonObject()) {
      throw new RecordFormatException("record field '" + name + "' must be an object, got " + abbreviate(e.toString()));
    }
    return e.getAsJsonObject();
  }

  private static JsonArray array(JsonObject o, String name) {
    JsonElement e = field(o, name);
    if (!e.isJsonArray()) {
      throw new RecordFormatException("record field '" + name + "' must be an array, got " + abbreviate(e.toString()));
    }
    return e.getAsJsonArray();
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 77) + "..." : s;
  }
}
