package dev.tandem.runtime.record;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.signal.Signals;

/**
 * The record encoder as it was before the streaming writer: Gson's tree model, kept as the oracle
 * the streaming encoder must match byte for byte.
 */
final class TreeRecordEncoder {
  private TreeRecordEncoder() {}

  static String encode(Record r) {
    if (r instanceof DecisionRecord) {
      return encodeDecision((DecisionRecord) r).toString();
    }
    return encodeAmendment((AmendmentRecord) r).toString();
  }

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
}
