package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.relay.testing.TestDevice;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.mqtt.MqttSockets;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.FrameCodec;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.testsupport.Tools;
import dev.tandem.testsupport.broker.MosquittoBroker;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The relay on Mosquitto: plain, and with docs/mosquitto's TLS, client certificates and ACLs. */
class RelayMosquittoTest {
  static final Topics TOPICS = Topics.defaults();
  static final List<Tensor> X = Collections.singletonList(Tensor.ofFloats("features", new float[] {1, 2, 3, 4}, 1, 4));

  @TempDir Path dir;

  ModelConfig tiny() throws Exception {
    Path model = dir.resolve("tiny.onnx");
    Files.write(model, TinyModels.classifier());
    return ModelConfig.builder().name("tiny").file(model).version("1")
        .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1).build();
  }

  @Test
  void relay_onMosquitto_answersDevice() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.launch();
        Relay relay = new Relay(RelayConfig.builder().relayId("relay-m").brokerUrl(broker.url())
            .metrics("127.0.0.1", -1).addModel(tiny()).build()).start();
        TestDevice d = new TestDevice(broker.url(), TOPICS, "dev-m")) {
      ReplyFrame r = d.request("tiny", X, 5_000, 1).get(10, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(ReplyStatus.OK);
      assertThat(r.relayId()).isEqualTo("relay-m");
      assertThat(r.outputs().get(1).toFloatArray()).containsExactly(5f, 6.5f, 6f);
    }
  }

  /** Starts mosquitto with docs/mosquitto/mosquitto.conf and acl, changing only paths and the listener. */
  MosquittoBroker docsBroker(Path certs) throws Exception {
    Tools.require("mosquitto");
    Path docs = docsFolder();
    run("bash", docs.resolve("gen-certs.sh").toString(), certs.toString(), "localhost",
        "relay-1", "device-1", "device-2");
    Files.copy(docs.resolve("acl"), certs.resolve("acl"));
    String conf = new String(Files.readAllBytes(docs.resolve("mosquitto.conf")), StandardCharsets.UTF_8)
        .replace("/etc/mosquitto/tandem/", certs.toString() + "/");
    Path file = Files.write(certs.resolve("mosquitto.conf"), conf.getBytes(StandardCharsets.UTF_8));
    return MosquittoBroker.builder().configFile(file).start();
  }

  static Path docsFolder() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null && !Files.isDirectory(p.resolve("docs/mosquitto"))) {
      p = p.getParent();
    }
    assertThat(p).as("docs/mosquitto above the working directory").isNotNull();
    return p.resolve("docs/mosquitto");
  }

  static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
  }

  static MqttConnectionOptions tls(Path certs, String name) {
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setSocketFactory(MqttSockets.tls(certs.resolve("ca.crt"), certs.resolve(name + ".crt"), certs.resolve(name + ".key")));
    return o;
  }

  @Test
  void docsConfig_tlsAndAcls_serveOwnDeviceAndFenceOthers() throws Exception {
    Path certs = Files.createDirectories(dir.resolve("certs"));
    try (MosquittoBroker broker = docsBroker(certs)) {
      String url = broker.url();
      assertThat(url).isEqualTo("ssl://127.0.0.1:" + broker.port());
      RelayConfig cfg = RelayConfig.builder().relayId("relay-1").brokerUrl(url).metrics("127.0.0.1", -1)
          .tls(certs.resolve("ca.crt"), certs.resolve("relay-1.crt"), certs.resolve("relay-1.key"))
          .addModel(tiny()).build();
      try (Relay relay = new Relay(cfg).start();
          TestDevice d1 = new TestDevice(url, TOPICS, "device-1", tls(certs, "device-1"));
          TestDevice d2 = new TestDevice(url, TOPICS, "device-2", tls(certs, "device-2"))) {
        // Each device is served on its own topics.
        assertThat(d1.request("tiny", X, 5_000, 1).get(10, TimeUnit.SECONDS).status()).isEqualTo(ReplyStatus.OK);
        assertThat(d2.request("tiny", X, 5_000, 1).get(10, TimeUnit.SECONDS).status()).isEqualTo(ReplyStatus.OK);

        // device-2 may not publish as device-1: the broker drops it, nothing reaches device-1.
        byte[] frame = new FrameCodec().encodeRequest(RequestFrame.of("tiny", 5_000, 1, X));
        d2.send(TOPICS.infer("tiny", "device-1"), frame, TOPICS.result("device-1"));
        assertThat(d1.stray().poll(500, TimeUnit.MILLISECONDS)).isNull();

        // device-2 may not read device-1's results: Mosquitto grants the subscription but
        // checks the read ACL on delivery, so nothing arrives.
        java.util.concurrent.BlockingQueue<String> spied = new java.util.concurrent.LinkedBlockingQueue<>();
        MqttAsyncClient spy = new MqttAsyncClient(url, "spy", new MemoryPersistence());
        spy.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
          @Override public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {}
          @Override public void mqttErrorOccurred(MqttException e) {}
          @Override public void messageArrived(String topic, org.eclipse.paho.mqttv5.common.MqttMessage m) {
            spied.add(topic);
          }
          @Override public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) {}
          @Override public void connectComplete(boolean reconnect, String uri) {}
          @Override public void authPacketArrived(int reason, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {}
        });
        spy.connect(tls(certs, "device-2")).waitForCompletion(10_000);
        spy.subscribe(TOPICS.result("device-1"), 0).waitForCompletion(10_000);
        assertThat(d1.request("tiny", X, 5_000, 1).get(10, TimeUnit.SECONDS).status()).isEqualTo(ReplyStatus.OK);
        assertThat(spied.poll(300, TimeUnit.MILLISECONDS)).isNull();
        spy.disconnect().waitForCompletion(5_000);
        spy.close();
        assertThat(relay.isReady()).isTrue();
      }
      // A client without a certificate is refused.
      MqttAsyncClient anonymous = new MqttAsyncClient(url, "anon", new MemoryPersistence());
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setSocketFactory(MqttSockets.tls(certs.resolve("ca.crt"), null, null));
      o.setConnectionTimeout(5);
      assertThatThrownBy(() -> anonymous.connect(o).waitForCompletion(10_000)).isInstanceOf(MqttException.class);
      anonymous.close();
    }
  }
}
