package dev.tandem.agent.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.http.AgentMetrics;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.AmendmentRecord;
import dev.tandem.runtime.signal.ClassificationScorer;
import dev.tandem.runtime.signal.Signals;
import dev.tandem.runtime.spool.SequenceStore;
import dev.tandem.runtime.spool.Spool;
import java.time.Clock;
import java.util.List;

/** DEVELOPMENT ONLY, never committed: stands in for the Tandem facade until it lands. */
final class ScaffoldEngine implements Engine {
  private final ModelSession session;
  private final Spool spool;
  private final SequenceStore seq;
  private final String device;
  private final Clock clock;
  private volatile Policy policy;

  private ScaffoldEngine(ModelSession s, Spool spool, SequenceStore seq, String device, Policy p, Clock c) {
    this.session = s;
    this.spool = spool;
    this.seq = seq;
    this.device = device;
    this.policy = p;
    this.clock = c;
  }

  static Engine open(AgentConfig config, Spool spool, DeviceStateProvider state, Policy policy,
      AgentMetrics metrics, Clock clock) {
    ModelSession s = ModelSession.builder().path(config.model().path()).intraOpThreads(1).build();
    return new ScaffoldEngine(s, spool, SequenceStore.open(spool.directory()), config.deviceId(), policy, clock);
  }

  @Override
  public String edgeModelHash() {
    return session.info().sha256();
  }

  @Override
  public JsonObject infer(List<Tensor> inputs) {
    long t0 = System.nanoTime();
    List<Tensor> out = session.run(inputs);
    Signals sig = ClassificationScorer.firstOutput().score(out);
    long n = seq.next();
    spool.append(AmendmentRecord.label(device, n, clock.millis(), device + ":0", sig.top1()));
    JsonObject o = new JsonObject();
    o.addProperty("decision_id", device + ":" + n);
    o.addProperty("route", "edge");
    o.addProperty("reason", "scaffold");
    o.addProperty("prediction", sig.top1());
    JsonArray p = new JsonArray();
    for (float f : sig.probabilities()) {
      p.add(f);
    }
    o.add("probabilities", p);
    o.addProperty("latency_ms", (System.nanoTime() - t0) / 1e6);
    o.addProperty("policy_version", policy.version());
    return o;
  }

  @Override
  public void policy(Policy p) {
    policy = p;
  }

  @Override
  public void close() {
    session.close();
  }
}
