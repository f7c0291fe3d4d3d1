package dev.tandem.sample.shrink;

import dev.tandem.runtime.internal.protocol.FrameCodec;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.DecisionRecord;
import dev.tandem.runtime.record.RecordCodec;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * What an app does with the runtime, as one entry point R8 keeps (the app's own rule): parse a
 * policy, encode and decode a decision record, round-trip a request and a reply frame, and make
 * a Paho client that fails to connect. {@link #run} returns a line per step, the same on the
 * shrunk classes as on the originals when the runtime's keep rules are right.
 */
public final class ShrinkProbe {
  static final String POLICY = "{\"schema\":1,\"version\":7,\"model\":\"spam\",\"mode\":\"cascade\",\"signal\":\"max_prob\","
      + "\"threshold\":0.85,\"segments\":[{\"network\":\"3g\",\"threshold\":0.7}],\"deadline_ms\":300,"
      + "\"exploration\":{\"rate\":0.02,\"kind\":\"shadow\"},\"metered\":{\"max_upload_bytes\":65536},"
      + "\"battery\":{\"min_percent\":15,\"unless_charging\":true},\"cost_budget\":{\"usd_per_hour\":0.05,"
      + "\"burst_usd\":0.01},\"canary\":{\"fraction\":0.1}}";
  static final String RECORD = "{\"schema\":1,\"kind\":\"decision\",\"id\":\"phone-17:3\",\"device\":\"phone-17\","
      + "\"seq\":3,\"time_ms\":1795381200000,\"fleet\":\"beta\",\"model\":\"tiny\",\"edge_model_hash\":"
      + "\"ec10e75643b7959a70511f93ebbfb10fd509b74a13e4c8b06a409b5d31f103b5\",\"policy_version\":3,"
      + "\"route\":\"edge_fallback\",\"reason\":\"timeout\",\"decided\":{\"route\":\"cloud\",\"reason\":"
      + "\"low_confidence\"},\"explored\":false,\"propensity\":1.0,\"context\":{\"signals\":{\"top1\":1,"
      + "\"max_prob\":0.639471709728241,\"margin\":0.3219194710254669,\"entropy\":0.7854347264961737},"
      + "\"network\":\"4g\",\"metered\":true,\"battery_percent\":64,\"charging\":false,\"device_class\":\"mid\","
      + "\"payload_bytes\":16,\"offloader\":\"available\",\"elapsed_ms\":0.391752,\"budget_available_usd\":"
      + "0.009949968,\"expected_offload_usd\":5.0032000000000005E-5,\"round_trip\":{\"samples\":1,\"ewma_ms\":"
      + "64.668663,\"p95_ms\":64.668663,\"since_last_attempt_ms\":0},\"draw\":0.30871945533265976},\"edge\":"
      + "{\"prediction\":1,\"signals\":{\"top1\":1,\"max_prob\":0.639471709728241,\"margin\":0.3219194710254669,"
      + "\"entropy\":0.7854347264961737},\"probabilities\":[0.31755224,0.6394717,0.04297602],\"latency_ms\":"
      + "0.37625,\"provider\":\"cpu\"},\"cloud\":{\"status\":\"timeout\",\"message\":\"no reply within 149 ms\","
      + "\"prediction\":-1,\"round_trip_ms\":-1.0,\"budget_ms\":149,\"relay_id\":\"\",\"model_version\":\"\","
      + "\"queue_ms\":-1.0,\"inference_ms\":-1.0,\"batch_size\":-1},\"bytes_up\":16,\"bytes_down\":0,\"cost\":"
      + "{\"edge_usd\":0.0,\"network_usd\":3.2E-8,\"cloud_usd\":5.0E-5,\"total_usd\":5.0032000000000005E-5,"
      + "\"edge_joules\":9.406249999999998E-4},\"latency_ms\":152.215039}";

  private ShrinkProbe() {}

  /** One line per step; a step that throws ends the run with the exception's class and message. */
  public static String run() {
    StringBuilder out = new StringBuilder();
    try {
      Policy p = Policy.fromJson(POLICY);
      out.append("policy ").append(p.version()).append(' ').append(p.mode().name()).append(' ')
          .append(p.edgeModelHash().isEmpty()).append(" roundtrip=")
          .append(Policy.fromJson(p.toJson()).toJson().equals(p.toJson())).append('\n');

      DecisionRecord r = RecordCodec.decodeDecision(RECORD);
      String encoded = RecordCodec.encode(r);
      out.append("record ").append(r.id()).append(' ').append(r.route().jsonName()).append('/')
          .append(r.reason().jsonName()).append(" identical=").append(encoded.equals(RECORD))
          .append(" stable=").append(RecordCodec.encode(RecordCodec.decode(encoded)).equals(encoded)).append('\n');

      FrameCodec codec = new FrameCodec();
      List<Tensor> inputs = Arrays.asList(
          Tensor.ofLongs("input_ids", new long[] {101, 2023, 102}, 1, 3),
          Tensor.ofFloats("features", new float[] {1.5f, -2f}, 1, 2));
      RequestFrame req = RequestFrame.of("spam", 250, 12, inputs);
      RequestFrame reqBack = codec.decodeRequest(codec.encodeRequest(req));
      ReplyFrame reply = ReplyFrame.builder(ReplyStatus.OK)
          .outputs(Collections.singletonList(Tensor.ofFloats("probabilities", new float[] {0.25f, 0.75f}, 1, 2)))
          .relayId("relay-1").modelVersion("3").queueMs(1.5).inferenceMs(4.25).batchSize(2).build();
      ReplyFrame replyBack = codec.decodeReply(codec.encodeReply(reply));
      out.append("frames request=").append(reqBack.equals(req)).append(" reply=").append(replyBack.equals(reply))
          .append(' ').append(replyBack.status().name()).append('\n');

      MqttAsyncClient client = new MqttAsyncClient("tcp://127.0.0.1:1", "shrink-probe", new MemoryPersistence());
      try {
        MqttConnectionOptions o = new MqttConnectionOptions();
        o.setConnectionTimeout(5);
        client.connect(o).waitForCompletion(10_000);
        out.append("mqtt connected?!\n");
      } catch (MqttException e) {
        out.append("mqtt ").append(e.getReasonCode()).append(' ').append(e.getMessage()).append('\n');
      } finally {
        client.close(true);
      }
    } catch (Throwable t) {
      out.append("FAILED ").append(t).append('\n');
    }
    return out.toString();
  }
}
