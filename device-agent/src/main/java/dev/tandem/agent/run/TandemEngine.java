package dev.tandem.agent.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tandem.agent.config.AgentConfig;
import dev.tandem.runtime.CloudConnection;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.signal.Signals;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.text.TextInput;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The agent's engine: the runtime's {@link Tandem} facade, with an MQTT offloader when configured. */
final class TandemEngine implements Engine {
  private final Tandem tandem;

  private TandemEngine(Tandem tandem) {
    this.tandem = tandem;
  }

  static TandemEngine open(AgentConfig config, Spool spool, DeviceStateProvider state, Policy policy,
      Clock clock) throws Exception {
    List<ExecutionProvider> providers = new ArrayList<>();
    for (String p : config.model().providers()) {
      try {
        providers.add(ExecutionProvider.valueOf(p.toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("model.providers: unknown provider '" + p + "'", e);
      }
    }
    Prices prices;
    try {
      prices = Prices.fromJson(config.pricesJson());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("prices: " + e.getMessage(), e);
    }
    CloudConnection cloud = null;
    if (config.offload().enabled()) {
      AgentConfig.Broker b = config.broker().get();
      CloudConnection.Builder cb = CloudConnection.builder().serverUri(b.url()).topicPrefix(b.topicPrefix())
          .maxConcurrentOffloads(config.offload().maxConcurrent());
      if (b.username().isPresent()) {
        cb.credentials(b.username().get(), Engines.password(b));
      }
      if (b.caFile().isPresent()) {
        cb.tls(b.caFile().get(), b.certFile().orElse(null), b.keyFile().orElse(null));
      }
      cloud = cb.build(); // Tandem connects in the background; offline until then
    }
    Tandem.Builder tb = Tandem.builder()
        .edgeModel(config.model().path())
        .providers(providers)
        .intraOpThreads(config.model().intraOpThreads())
        .model(config.offload().cloudModel())
        .deviceId(config.deviceId())
        .fleet(config.fleet())
        .policy(policy)
        .spool(spool)
        .prices(prices)
        .deviceState(state)
        .capture(config.capture())
        .clock(clock);
    if (cloud != null) {
      tb.cloud(cloud);
    }
    if (config.text().isPresent()) {
      // One message at a time and unpadded: what the device's int8 model expects (WORKLOAD.md).
      AgentConfig.Text t = config.text().get();
      TextInput edge = TextInput.fromFile(t.tokenizer(), t.maxLength());
      tb.textInput(edge);
      if (!t.cloudSameAsEdge()) {
        tb.cloudTextInput(t.cloudTokenizer().equals(t.tokenizer())
            ? edge.withMaxTokens(t.cloudMaxLength())
            : TextInput.fromFile(t.cloudTokenizer(), t.cloudMaxLength()));
      }
    }
    return new TandemEngine(tb.build());
  }

  @Override
  public String edgeModelHash() {
    return tandem.edgeModel().sha256();
  }

  @Override
  public JsonObject infer(List<Tensor> inputs) {
    return answer(tandem.infer(inputs));
  }

  @Override
  public JsonObject infer(String text) {
    return answer(tandem.infer(text));
  }

  private JsonObject answer(Decision d) {
    JsonObject o = new JsonObject();
    o.addProperty("decision_id", d.id());
    o.addProperty("route", d.route().jsonName());
    o.addProperty("reason", d.reason().jsonName());
    o.addProperty("prediction", d.prediction());
    Optional<Signals> s = d.signals();
    if (s.isPresent()) {
      JsonArray p = new JsonArray();
      for (float f : s.get().probabilities()) {
        p.add(f);
      }
      o.add("probabilities", p);
      o.addProperty("max_prob", s.get().maxProb());
    }
    o.addProperty("latency_ms", d.latencyMs());
    o.addProperty("edge_ms", d.edgeMs());
    if (d.cloudStatus().isPresent()) {
      o.addProperty("cloud_status", d.cloudStatus().get().wireName());
      o.addProperty("cloud_round_trip_ms", d.cloudRoundTripMs());
    }
    o.addProperty("cost_usd", d.cost().totalUsd());
    o.addProperty("policy_version", tandem.policy().version());
    return o;
  }

  @Override
  public Optional<String> policy(Policy policy) {
    return tandem.updatePolicy(policy);
  }

  @Override
  public void recordPolicyInForce() {
    tandem.recordPolicyInForce();
  }

  @Override
  public void policyRejected(long version, String policyHash, String why) {
    tandem.recordPolicyRejected(version, policyHash, why);
  }

  @Override
  public void close() {
    tandem.close();
  }
}
