package dev.tandem.runtime.record;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.internal.json.JsonErrors;
import dev.tandem.runtime.internal.json.JsonFields;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.OffloaderState;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import dev.tandem.runtime.policy.RoundTripSnapshot;
import dev.tandem.runtime.signal.Signals;

/**
 * Writes and reads records as single JSON lines (docs/records.md). Writes with Gson's tree model
 * and reads with the strict reader, no reflection, so R8 on Android cannot break it. Stateless
 * and thread-safe.
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
    throw new IllegalArgumentException("unknown record class " + r.getClass().getName());
  }

  /**
   * Reads one line.
   *
   * @throws RecordFormatException saying what is wrong: invalid JSON, an unknown schema version or
   *     kind, a missing or mistyped field
   */
  public static Record decode(String line) {
    JsonFields o = JsonFields.parse(line, RecordCodec::error);
    o = o.withErrors(errorsFor(o));
    long schema = o.integer("schema");
    if (schema != Record.SCHEMA) {
      throw new RecordFormatException("record schema " + schema + " is not supported: this reader knows schema "
          + Record.SCHEMA + " only");
    }
    String kind = o.string("kind");
    try {
      switch (kind) {
        case "decision":
          return decodeDecision(o);
        case "amendment":
          return decodeAmendment(o);
        default:
          throw new RecordFormatException("unknown record kind '" + kind + "': expected decision or amendment");
      }
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new RecordFormatException("invalid " + kind + " record " + o.string("id", "") + ": " + e.getMessage(), e);
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

  private static DecisionRecord decodeDecision(JsonFields o) {
    String device = o.string("device");
    long seq = o.integer("seq");
    checkId(o, device, seq);
    JsonFields co = o.object("context");
    DecisionContext.Builder cb = DecisionContext.builder()
        .policyVersion(o.integer("policy_version"))
        .edgeModelHash(o.string("edge_model_hash"));
    if (co.has("signals")) {
      cb.signals(decodeSignals(co.object("signals"), new float[0]));
    }
    cb.device(DeviceState.builder()
            .networkType(NetworkType.fromJsonName(co.string("network")))
            .metered(co.bool("metered"))
            .batteryPercent((int) co.integer("battery_percent"))
            .charging(co.bool("charging"))
            .deviceClass(co.string("device_class"))
            .build())
        .payloadBytes(co.integer("payload_bytes"))
        .offloader(OffloaderState.fromJsonName(co.string("offloader")))
        .elapsedMs(co.number("elapsed_ms"))
        .budgetAvailableUsd(co.number("budget_available_usd"))
        .expectedOffloadUsd(co.number("expected_offload_usd"))
        .draw(co.number("draw"));
    JsonFields rt = co.object("round_trip");
    cb.roundTrip(RoundTripSnapshot.of((int) rt.integer("samples"), rt.number("ewma_ms"), rt.number("p95_ms"),
        rt.integer("since_last_attempt_ms")));
    JsonFields d = o.object("decided");
    RouteDecision decided = RouteDecision.of(Route.fromJsonName(d.string("route")),
        Reason.fromJsonName(d.string("reason")), o.number("propensity"), o.bool("explored"));
    DecisionRecord.Builder b = DecisionRecord.builder()
        .device(device)
        .seq(seq)
        .timeMs(o.integer("time_ms"))
        .fleet(o.string("fleet"))
        .model(o.string("model"))
        .decided(decided)
        .outcome(Route.fromJsonName(o.string("route")), Reason.fromJsonName(o.string("reason")))
        .context(cb.build())
        .bytes(o.integer("bytes_up"), o.integer("bytes_down"))
        .latencyMs(o.number("latency_ms"));
    if (o.has("edge")) {
      JsonFields eo = o.object("edge");
      float[] probs = eo.floats("probabilities");
      Signals s = decodeSignals(eo.object("signals"), probs);
      b.edge(EdgeResult.of(s, eo.number("latency_ms"), eo.string("provider")));
    }
    if (o.has("cloud")) {
      b.cloud(decodeCloud(o.object("cloud")));
    }
    JsonFields c = o.object("cost");
    b.cost(Cost.of(c.number("edge_joules"), c.number("edge_usd"), c.number("network_usd"), c.number("cloud_usd")));
    return b.build();
  }

  private static Signals decodeSignals(JsonFields s, float[] probabilities) {
    return Signals.of(probabilities, (int) s.integer("top1"), s.number("max_prob"), s.number("margin"),
        s.number("entropy"));
  }

  private static CloudResult decodeCloud(JsonFields c) {
    return CloudResult.of(OffloadStatus.fromWireName(c.string("status")), c.string("message"),
        (int) c.integer("prediction"), c.number("round_trip_ms"), c.integer("budget_ms"), c.string("relay_id"),
        c.string("model_version"), c.number("queue_ms"), c.number("inference_ms"), (int) c.integer("batch_size"));
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

  private static AmendmentRecord decodeAmendment(JsonFields o) {
    String device = o.string("device");
    long seq = o.integer("seq");
    checkId(o, device, seq);
    long time = o.integer("time_ms");
    String decisionId = o.string("decision_id");
    AmendmentRecord.Type type = AmendmentRecord.Type.fromJsonName(o.string("type"));
    if (type == AmendmentRecord.Type.LATE_REPLY) {
      return AmendmentRecord.lateReply(device, seq, time, decisionId, decodeCloud(o.object("cloud")),
          o.integer("bytes_down"));
    }
    return AmendmentRecord.label(device, seq, time, decisionId, (int) o.integer("label"));
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

  private static void checkId(JsonFields o, String device, long seq) {
    String id = o.string("id");
    if (!id.equals(Record.id(device, seq))) {
      throw new RecordFormatException("record id '" + id + "' does not match device '" + device + "' and seq " + seq);
    }
  }

  /** Errors of a line before its id is known: the line is not JSON or not an object. */
  private static RecordFormatException error(String path, String value, String problem) {
    return new RecordFormatException((path.isEmpty() ? "record " : "record field '" + path + "' ") + problem
        + (value.isEmpty() ? "" : ", got " + value));
  }

  /** Errors of a field, naming the record when its id can be read. */
  private static JsonErrors errorsFor(JsonFields o) {
    JsonElement id = o.raw().get("id");
    String where = id != null && id.isJsonPrimitive() ? " (record " + id + ")" : "";
    return (path, value, problem) -> new RecordFormatException(error(path, value, problem).getMessage() + where);
  }
}
