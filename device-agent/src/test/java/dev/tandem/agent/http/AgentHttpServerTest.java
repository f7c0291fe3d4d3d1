package dev.tandem.agent.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AgentHttpServerTest {
  static String[] call(int port, String method, String path, String body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + path).openConnection();
    c.setRequestMethod(method);
    if (body != null) {
      c.setDoOutput(true);
      try (OutputStream os = c.getOutputStream()) {
        os.write(body.getBytes(StandardCharsets.UTF_8));
      }
    }
    int status = c.getResponseCode();
    InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (in != null) {
      in.transferTo(out);
    }
    return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8)};
  }

  @Test
  void endpoints_inferHealthAndMetrics() throws IOException {
    AgentMetrics m = new AgentMetrics();
    m.inc("tandem_agent_decisions_total", "route", "edge", 3);
    m.gauge("tandem_agent_policy_version", "Applied policy version", () -> 4);
    try (AgentHttpServer s = new AgentHttpServer("127.0.0.1", 0,
        (json, src) -> json.contains("bad") ? "{\"error\":\"bad\"}" : "{\"route\":\"edge\",\"src\":\"" + src + "\"}",
        m, () -> null, 2)) {
      String[] ok = call(s.port(), "POST", "/infer", "{\"text\":\"hi\"}");
      assertThat(ok[0]).isEqualTo("200");
      assertThat(ok[1]).isEqualTo("{\"route\":\"edge\",\"src\":\"http\"}");
      assertThat(call(s.port(), "POST", "/infer", "{\"text\":\"bad\"}")[0]).isEqualTo("400");
      assertThat(call(s.port(), "GET", "/infer", null)[0]).isEqualTo("405");
      assertThat(call(s.port(), "GET", "/healthz", null)).containsExactly("200", "ok\n");
      String metrics = call(s.port(), "GET", "/metrics", null)[1];
      assertThat(metrics).contains("tandem_agent_decisions_total{route=\"edge\"} 3")
          .contains("# TYPE tandem_agent_policy_version gauge").contains("tandem_agent_policy_version 4");
    }
  }
}
