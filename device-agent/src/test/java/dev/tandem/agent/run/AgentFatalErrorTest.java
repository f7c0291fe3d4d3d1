package dev.tandem.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.tandem.agent.http.AgentHttpServer;
import dev.tandem.agent.http.AgentMetrics;
import dev.tandem.runtime.internal.fleet.PolicyGate;
import dev.tandem.runtime.internal.fleet.PolicySubscriber;
import dev.tandem.runtime.internal.fleet.LogUploader;
import dev.tandem.runtime.internal.fleet.MqttLink;
import dev.tandem.runtime.internal.fleet.UploadQueue;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;

/**
 * An {@link Error} (here an injected {@code OutOfMemoryError}) on each long-lived thread of the
 * agent is reported as fatal rather than leaving the agent running half-dead: the uploader, the
 * policy subscriber and the HTTP endpoint. With {@code run}, fatal means exit status 70
 * ({@code FailuresExitTest} in the runtime proves the exit).
 */
class AgentFatalErrorTest {
  @Test
  void errorOnTheUploadThread_isFatal_andTheThreadEnds() throws Exception {
    BlockingQueue<Error> fatal = new LinkedBlockingQueue<>();
    UploadQueue queue = mock(UploadQueue.class);
    when(queue.peek(anyInt())).thenThrow(new OutOfMemoryError("injected"));
    try (TestBroker broker = TestBrokers.start();
        MqttLink link = new MqttLink(broker.url(), "dev-f-logs", null, null, null).start();
        LogUploader up = new LogUploader(link, queue, "dev-f", "tandem/v1/logs/dev-f", "tandem/v1/logs-ack/dev-f",
            new LogUploader.Settings().intervalMs(50).onFatal(fatal::add), new AgentMetrics())) {
      Error e = fatal.poll(30, TimeUnit.SECONDS);
      assertThat(e).isInstanceOf(OutOfMemoryError.class).hasMessage("injected");
      Fleet.await(() -> !up.alive(), 5_000, "the upload thread ended");
    }
  }

  @Test
  void errorHandlingAPolicy_isFatal() throws Exception {
    BlockingQueue<Error> fatal = new LinkedBlockingQueue<>();
    PolicyGate gate = mock(PolicyGate.class);
    doThrow(new OutOfMemoryError("injected")).when(gate).offer(any(byte[].class), anyString());
    try (TestBroker broker = TestBrokers.start();
        MqttLink link = new MqttLink(broker.url(), "dev-p-logs", null, null, null)) {
      PolicySubscriber.follow(link, "tandem/v1/policy/f/m", gate, fatal::add);
      link.start();
      MqttClient op = new MqttClient(broker.url(), "operator", new MemoryPersistence());
      op.connect();
      op.publish("tandem/v1/policy/f/m", "{}".getBytes(StandardCharsets.UTF_8), 1, true);
      op.disconnect();
      op.close();
      Error e = fatal.poll(30, TimeUnit.SECONDS);
      assertThat(e).isInstanceOf(OutOfMemoryError.class).hasMessage("injected");
    }
  }

  @Test
  void errorAnsweringAnHttpRequest_answers500_andIsFatal_runtimeFailureAnswers500Too() throws Exception {
    BlockingQueue<Error> fatal = new LinkedBlockingQueue<>();
    BlockingQueue<String> kinds = new LinkedBlockingQueue<>();
    kinds.add("error");
    kinds.add("runtime");
    try (AgentHttpServer http = new AgentHttpServer("127.0.0.1", 0, (json, source) -> {
      if ("error".equals(kinds.poll())) {
        throw new OutOfMemoryError("injected");
      }
      throw new IllegalStateException("broken");
    }, new AgentMetrics(), () -> null, 2, fatal::add)) {
      assertThat(post(http.port())).isEqualTo(500);
      assertThat(fatal.poll(10, TimeUnit.SECONDS)).hasMessage("injected");
      assertThat(post(http.port())).isEqualTo(500);
      assertThat(fatal).isEmpty();
    }
  }

  static int post(int port) throws Exception {
    HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/infer").openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.getOutputStream().write("{}".getBytes(StandardCharsets.UTF_8));
    int code = c.getResponseCode();
    try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) {
        in.readAllBytes();
      }
    }
    c.disconnect();
    return code;
  }
}
