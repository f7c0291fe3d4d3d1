package dev.tandem.runtime.record;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonWriter;
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
import java.io.IOException;
import java.io.Writer;

/**
 * Writes and reads records as single JSON lines (docs/records.md). Writes with Gson's streaming
 * writer (no tree, no reflection, so R8 on Android cannot break it) and reads with the strict
 * reader. Stateless and thread-safe.
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
    StringBuilder out = new StringBuilder(1024);
    JsonWriter w = new JsonWriter(new StringBuilderWriter(out));
    // As Gson's tree model writes: a non-finite double comes out as NaN or Infinity, not an error.
    w.setStrictness(Strictness.LENIENT);
    try {
      if (r instanceof DecisionRecord) {
        writeDecision(w, (DecisionRecord) r);
      } else if (r instanceof AmendmentRecord) {
        writeAmendment(w, (AmendmentRecord) r);
      } else if (r instanceof PolicyEventRecord) {
        writePolicyEvent(w, (PolicyEventRecord) r);
      } else {
        throw new IllegalArgumentException("unknown record class " + r.getClass().getName());
      }
      w.flush();
    } catch (IOException e) {
      throw new IllegalStateException("writing to memory failed", e); // a StringBuilder never fails
    }
    return out.toString();
  }

  /** A Writer onto a StringBuilder, without StringWriter's locking. */
  private static final class StringBuilderWriter extends Writer {
    private final StringBuilder out;

    StringBuilderWriter(StringBuilder out) {
      this.out = out;
    }

    @Override
    public void write(char[] buf, int off, int len) {
      out.append(buf, off, len);
    }

    @Override
    public void write(int c) {
      out.append((char) c);
    }

    @Override
    public void write(String str, int off, int len) {
      out.append(str, off, off + len);
    }

    @Override
    public Writer append(CharSequence csq) {
      out.append(csq);
      return this;
    }

    @Override
    public Writer append(CharSequence csq, int start, int end) {
      out.append(csq, start, end);
      return this;
    }

    @Override
    public Writer append(char c) {
      out.append(c);
      return this;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
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
        case PolicyEventRecord.KIND:
          return decodePolicyEvent(o);
        default:
          throw new RecordFormatException("unknown record kind '" + kind
              + "': expected decision, amendment or policy_event");
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

  private static void writeDecision(JsonWriter w, DecisionRecord r) throws IOException {
    header(w, r);
    w.name("fleet").value(r.fleet());
    w.name("model").value(r.model());
    w.name("edge_model_hash").value(r.edgeModelHash());
    w.name("policy_version").value(r.policyVersion());
    w.name("route").value(r.route().jsonName());
    w.name("reason").value(r.reason().jsonName());
    w.name("decided").beginObject();
    w.name("route").value(r.decided().route().jsonName());
    w.name("reason").value(r.decided().reason().jsonName());
    w.endObject();
    w.name("explored").value(r.decided().explored());
    w.name("propensity").value(r.decided().propensity());
    w.name("context");
    writeContext(w, r.context());
    if (r.edge().isPresent()) {
      EdgeResult e = r.edge().get();
      w.name("edge").beginObject();
      w.name("prediction").value(e.prediction());
      w.name("signals");
      writeSignals(w, e.signals());
      w.name("probabilities").beginArray();
      for (float p : e.signals().probabilities()) {
        w.value(p);
      }
      w.endArray();
      w.name("latency_ms").value(e.latencyMs());
      w.name("provider").value(e.provider());
      w.endObject();
    }
    if (r.cloud().isPresent()) {
      w.name("cloud");
      writeCloud(w, r.cloud().get());
    }
    w.name("bytes_up").value(r.bytesUp());
    w.name("bytes_down").value(r.bytesDown());
    w.name("cost").beginObject();
    w.name("edge_usd").value(r.cost().edgeUsd());
    w.name("network_usd").value(r.cost().networkUsd());
    w.name("cloud_usd").value(r.cost().cloudUsd());
    w.name("total_usd").value(r.cost().totalUsd());
    w.name("edge_joules").value(r.cost().edgeJoules());
    w.endObject();
    w.name("latency_ms").value(r.latencyMs());
    w.endObject();
  }

  private static void writeContext(JsonWriter w, DecisionContext c) throws IOException {
    w.beginObject();
    if (c.signals().isPresent()) {
      w.name("signals");
      writeSignals(w, c.signals().get());
    }
    DeviceState d = c.device();
    w.name("network").value(d.networkType().jsonName());
    w.name("metered").value(d.metered());
    w.name("battery_percent").value(d.batteryPercent());
    w.name("charging").value(d.charging());
    w.name("device_class").value(d.deviceClass());
    w.name("payload_bytes").value(c.payloadBytes());
    w.name("offloader").value(c.offloader().jsonName());
    w.name("elapsed_ms").value(c.elapsedMs());
    w.name("budget_available_usd").value(c.budgetAvailableUsd());
    w.name("expected_offload_usd").value(c.expectedOffloadUsd());
    w.name("round_trip").beginObject();
    w.name("samples").value(c.roundTrip().samples());
    w.name("ewma_ms").value(c.roundTrip().ewmaMs());
    w.name("p95_ms").value(c.roundTrip().p95Ms());
    w.name("since_last_attempt_ms").value(c.roundTrip().sinceLastAttemptMs());
    w.endObject();
    w.name("draw").value(c.draw());
    w.endObject();
  }

  private static void writeSignals(JsonWriter w, Signals s) throws IOException {
    w.beginObject();
    w.name("top1").value(s.top1());
    w.name("max_prob").value(s.maxProb());
    w.name("margin").value(s.margin());
    w.name("entropy").value(s.entropy());
    w.endObject();
  }

  private static void writeCloud(JsonWriter w, CloudResult c) throws IOException {
    w.beginObject();
    w.name("status").value(c.status().wireName());
    w.name("message").value(c.message());
    w.name("prediction").value(c.prediction());
    w.name("round_trip_ms").value(c.roundTripMs());
    w.name("budget_ms").value(c.budgetMs());
    w.name("relay_id").value(c.relayId());
    w.name("model_version").value(c.modelVersion());
    w.name("queue_ms").value(c.queueMs());
    w.name("inference_ms").value(c.inferenceMs());
    w.name("batch_size").value(c.batchSize());
    w.endObject();
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

  private static void writeAmendment(JsonWriter w, AmendmentRecord r) throws IOException {
    header(w, r);
    w.name("decision_id").value(r.decisionId());
    w.name("type").value(r.type().jsonName());
    if (r.type() == AmendmentRecord.Type.LATE_REPLY) {
      w.name("cloud");
      writeCloud(w, r.cloud().get());
      w.name("bytes_down").value(r.bytesDown());
    } else {
      w.name("label").value(r.label());
    }
    w.endObject();
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

  // ---- policy event

  private static void writePolicyEvent(JsonWriter w, PolicyEventRecord r) throws IOException {
    header(w, r);
    w.name("fleet").value(r.fleet());
    w.name("model").value(r.model());
    w.name("event").value(r.event().jsonName());
    w.name("reason").value(r.reason());
    w.name("message").value(r.message());
    w.name("version").value(r.version());
    w.name("in_force_version").value(r.inForceVersion());
    w.name("edge_model_hash").value(r.edgeModelHash());
    w.name("policy_hash").value(r.policyHash());
    if (r.policy().isPresent()) {
      w.name("policy").value(r.policy().get());
    }
    w.endObject();
  }

  private static PolicyEventRecord decodePolicyEvent(JsonFields o) {
    String device = o.string("device");
    long seq = o.integer("seq");
    checkId(o, device, seq);
    PolicyEventRecord.Builder b = PolicyEventRecord.builder()
        .device(device)
        .seq(seq)
        .timeMs(o.integer("time_ms"))
        .fleet(o.string("fleet"))
        .model(o.string("model"))
        .event(PolicyEventRecord.Event.fromJsonName(o.string("event")))
        .reason(o.string("reason"))
        .message(o.string("message"))
        .version(o.integer("version"))
        .inForceVersion(o.integer("in_force_version"))
        .edgeModelHash(o.string("edge_model_hash"));
    if (o.has("policy")) {
      b.policy(o.string("policy"));
    }
    // After the content, so that build() checks the recorded hash against it.
    b.policyHash(o.string("policy_hash"));
    return b.build();
  }

  // ---- helpers

  /** Opens the record's object and writes the fields every kind has. */
  private static void header(JsonWriter w, Record r) throws IOException {
    w.beginObject();
    w.name("schema").value(Record.SCHEMA);
    w.name("kind").value(r.kind());
    w.name("id").value(r.id());
    w.name("device").value(r.device());
    w.name("seq").value(r.seq());
    w.name("time_ms").value(r.timeMs());
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
