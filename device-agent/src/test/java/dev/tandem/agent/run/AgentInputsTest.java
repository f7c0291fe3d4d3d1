package dev.tandem.agent.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.agent.config.AgentConfig;
import dev.tandem.agent.output.OutputWriter;
import dev.tandem.runtime.testing.TinyModels;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent without a broker: edge answers through the HTTP endpoint and the watched directory. */
class AgentInputsTest {
  @TempDir Path dir;

  static String[] post(int port, String path, String body) throws Exception {
    HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
    if (body != null) {
      c.setRequestMethod("POST");
      c.setDoOutput(true);
      try (OutputStream os = c.getOutputStream()) {
        os.write(body.getBytes(StandardCharsets.UTF_8));
      }
    }
    int status = c.getResponseCode();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
      in.transferTo(out);
    }
    return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void httpAndDirectoryInputs_answerFromTheEdge_withoutABroker() throws Exception {
    Path model = dir.resolve("tiny.onnx");
    Files.write(model, TinyModels.classifier());
    Path policy = dir.resolve("policy.json");
    Files.write(policy, Fleet.policy(1, Engines.sha256(model), 0.6).getBytes(StandardCharsets.UTF_8));
    Path in = Files.createDirectories(dir.resolve("in"));
    String cfg = "{\"device_id\": \"board-1\", \"fleet\": \"f\","
        + "\"model\": {\"name\": \"tiny\", \"path\": \"tiny.onnx\"},"
        + "\"policy\": {\"file\": \"policy.json\", \"subscribe\": false},"
        + "\"upload\": {\"enabled\": false}, \"spool\": {\"dir\": \"spool\"},"
        + "\"input\": {\"http_port\": 0, \"dir\": \"in\"},"
        + "\"device_state\": {\"network_type\": \"wifi\", \"power_supply_dir\": \"none\"}}";
    Path outFile = dir.resolve("answers.jsonl");
    try (Agent a = Agent.start(AgentConfig.parse(cfg, dir), new Agent.Options().output(OutputWriter.file(outFile)))) {
      // features (1, 0, 0, 0): logits (1, 0.5, -1), class 0
      String[] r = post(a.httpPort(), "/infer", "{\"id\": \"h1\", \"inputs\": [{\"name\": \"features\","
          + " \"type\": \"float32\", \"shape\": [1, 4], \"data\": [1, 0, 0, 0]}]}");
      assertThat(r[0]).isEqualTo("200");
      JsonObject o = JsonParser.parseString(r[1]).getAsJsonObject();
      assertThat(o.get("id").getAsString()).isEqualTo("h1");
      // seq 1 is the policy_event of the start: the policy in force
      assertThat(o.get("decision_id").getAsString()).isEqualTo("board-1:2");
      assertThat(o.get("route").getAsString()).isEqualTo("edge");
      assertThat(o.get("prediction").getAsInt()).isZero();
      assertThat(o.get("policy_version").getAsLong()).isEqualTo(1);

      String[] bad = post(a.httpPort(), "/infer", "{\"id\": \"h2\", \"inputs\": [{\"name\": \"features\","
          + " \"type\": \"float32\", \"shape\": [1, 3], \"data\": [1, 0, 0]}]}");
      assertThat(bad[0]).isEqualTo("400");
      assertThat(bad[1]).contains("features");
      assertThat(post(a.httpPort(), "/healthz", null)[1]).isEqualTo("ok\n");
      assertThat(post(a.httpPort(), "/metrics", null)[1])
          .contains("tandem_agent_decisions_total{route=\"edge\"} 1")
          .contains("tandem_agent_requests_rejected_total 1")
          .contains("tandem_agent_policy_version 1");

      Files.write(in.resolve("a.json.tmp"), ("{\"id\": \"d1\", \"inputs\": [{\"name\": \"features\","
          + " \"type\": \"float32\", \"shape\": [1, 4], \"data\": [0, 0, 3, 0]}]}").getBytes(StandardCharsets.UTF_8));
      Files.move(in.resolve("a.json.tmp"), in.resolve("a.json"));
      Fleet.await(() -> Files.exists(in.resolve("done/a.json")), 5_000, "directory input answered");
    }
    List<String> lines = Files.readAllLines(outFile, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0)).contains("\"id\":\"d1\"").contains("\"prediction\":2");
  }
}
