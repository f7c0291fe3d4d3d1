package dev.tandem.runtime.internal.offload;

import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.internal.mqtt.MqttSockets;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.testing.EchoResponder;
import dev.tandem.testsupport.Tools;
import dev.tandem.testsupport.broker.MosquittoBroker;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import dev.tandem.runtime.testing.TestCertificates;
import java.nio.file.Path;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttOffloaderTest {
  private static TestBroker broker;

  @BeforeAll
  static void startBroker() {
    broker = TestBrokers.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  static OffloadRequest request(String id, long budgetMs) {
    return OffloadRequest.builder()
        .decisionId(id)
        .model("spam")
        .addInput(Tensor.ofFloats("x", new float[] {1f, 2f, 3f}))
        .budgetMs(budgetMs)
        .uplinkEstimateMs(3)
        .build();
  }

  static MqttOffloader.Builder offloader(String url, String deviceId) {
    return MqttOffloader.builder().serverUri(url).deviceId(deviceId).reconnectDelayMs(50, 500);
  }

  static MqttOffloader started(MqttOffloader.Builder b) throws InterruptedException {
    MqttOffloader o = b.build().start();
    assertThat(o.awaitAvailable(10, TimeUnit.SECONDS)).as("offloader connects").isTrue();
    return o;
  }

  @Test
  void offload_echoResponder_returnsOutputsAndRelayFacts() throws Exception {
    try (EchoResponder echo = EchoResponder.start(broker.url());
        MqttOffloader o = started(offloader(broker.url(), "dev-ok"))) {
      OffloadResult r = o.offload(request("dev-ok:1", 2000)).get(5, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(OffloadStatus.OK);
      assertThat(r.outputs()).containsExactly(Tensor.ofFloats("x", new float[] {1f, 2f, 3f}));
      assertThat(r.relayId()).isEqualTo("echo");
      assertThat(r.modelVersion()).isEqualTo("spam@1");
      assertThat(r.batchSize()).isEqualTo(1);
      assertThat(r.roundTripMs()).isGreaterThan(0).isLessThan(2000);
      assertThat(r.bytesUp()).isGreaterThan(12);
      assertThat(r.bytesDown()).isGreaterThan(12);
      RequestFrame sent = echo.lastRequests().get(0);
      assertThat(sent.budgetMs()).isEqualTo(2000);
      assertThat(sent.uplinkEstimateMs()).isEqualTo(3);
      assertThat(o.correlationTableSize()).isZero();
      assertThat(o.inFlightCount()).isZero();
    }
  }

  @Test
  void offload_sequentialRoundTrips_showNoNagleStalls() throws Exception {
    try (EchoResponder echo = EchoResponder.start(broker.url());
        MqttOffloader o = started(offloader(broker.url(), "dev-nagle"))) {
      List<Double> rtts = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        OffloadResult r = o.offload(request("dev-nagle:" + i, 2000)).get(5, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(OffloadStatus.OK);
        rtts.add(r.roundTripMs());
      }
      rtts.sort(null);
      // Nagle's stalls are ~40 ms (the delayed ACK); loopback round trips are ~1 ms.
      assertThat(rtts.get(rtts.size() / 2)).as("median round trip ms of %s", rtts).isLessThan(20);
    }
  }

  @Test
  void sockets_fromOffloader_haveTcpNoDelay() throws Exception {
    List<Socket> created = new CopyOnWriteArrayList<>();
    SocketFactory recording = new RecordingSocketFactory(created);
    try (MqttOffloader o = started(offloader(broker.url(), "dev-sockets").socketFactory(recording))) {
      assertThat(created).isNotEmpty();
      for (Socket s : created) {
        assertThat(s.isConnected()).isTrue();
        assertThat(s.getTcpNoDelay()).as("TCP_NODELAY on the offloader's socket").isTrue();
      }
    }
    // Pins why: a socket from the default factory, as Paho uses without one, leaves Nagle on.
    try (Socket plain = SocketFactory.getDefault().createSocket()) {
      assertThat(plain.getTcpNoDelay()).isFalse();
    }
  }

  @Test
  void status_isRetainedOnlineAndOfflineOnClose() throws Exception {
    BlockingQueue<String> statuses = new LinkedBlockingQueue<>();
    MqttOffloader o = started(offloader(broker.url(), "dev-status"));
    try (Watcher w = new Watcher(broker.url(), "tandem/v1/status/dev-status", statuses)) {
      assertThat(statuses.poll(5, TimeUnit.SECONDS)).isEqualTo("online");
      o.close();
      assertThat(statuses.poll(5, TimeUnit.SECONDS)).isEqualTo("offline");
    }
    try (Watcher w = new Watcher(broker.url(), "tandem/v1/status/dev-status", statuses)) {
      assertThat(statuses.poll(5, TimeUnit.SECONDS)).as("retained").isEqualTo("offline");
    }
  }

  @Test
  void close_completesPendingWithOffline_andLaterCallsReturnOffline() throws Exception {
    try (EchoResponder echo = EchoResponder.start(broker.url()).silent(true)) {
      MqttOffloader o = started(offloader(broker.url(), "dev-close"));
      CompletableFuture<OffloadResult> f = o.offload(request("dev-close:1", 60_000));
      o.close();
      assertThat(f.get(1, TimeUnit.SECONDS).status()).isEqualTo(OffloadStatus.OFFLINE);
      assertThat(o.offload(request("dev-close:2", 1000)).get().status()).isEqualTo(OffloadStatus.OFFLINE);
      assertThat(o.correlationTableSize()).isZero();
      assertThat(o.isAvailable()).isFalse();
      o.close(); // idempotent
    }
  }

  @Test
  void offload_beyondCap_fallsBackWithOffloadCap() throws Exception {
    try (EchoResponder echo = EchoResponder.start(broker.url()).silent(true);
        MqttOffloader o = started(offloader(broker.url(), "dev-cap").maxConcurrentOffloads(2))) {
      CompletableFuture<OffloadResult> a = o.offload(request("dev-cap:1", 300));
      CompletableFuture<OffloadResult> b = o.offload(request("dev-cap:2", 300));
      OffloadResult c = o.offload(request("dev-cap:3", 300)).getNow(null);
      assertThat(c).isNotNull();
      assertThat(c.status()).isEqualTo(OffloadStatus.OFFLOAD_CAP);
      assertThat(c.message()).contains("cap is 2");
      assertThat(a.get(2, TimeUnit.SECONDS).status()).isEqualTo(OffloadStatus.TIMEOUT);
      assertThat(b.get(2, TimeUnit.SECONDS).status()).isEqualTo(OffloadStatus.TIMEOUT);
      // slots are released by the timeouts
      assertThat(o.offload(request("dev-cap:4", 50)).get(2, TimeUnit.SECONDS).status()).isEqualTo(OffloadStatus.TIMEOUT);
    }
  }

  @Test
  void offload_lateReply_completesTheTimeoutsLateStageNotTheAnswer() throws Exception {
    try (EchoResponder echo = EchoResponder.start(broker.url()).delayMs(150);
        MqttOffloader o = started(offloader(broker.url(), "dev-late").lateReplyGraceMs(5000))) {
      OffloadResult r = o.offload(request("dev-late:1", 40)).get(2, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(OffloadStatus.TIMEOUT);
      OffloadResult late = r.lateReply().orElseThrow(AssertionError::new).get(5, TimeUnit.SECONDS);
      assertThat(late.status()).isEqualTo(OffloadStatus.OK);
      assertThat(late.roundTripMs()).isGreaterThanOrEqualTo(150);
      assertThat(o.correlationTableSize()).isZero();
    }
  }

  @Test
  void offload_lateReplyAfterGrace_isDroppedAndTableEmpties() throws Exception {
    try (EchoResponder echo = EchoResponder.start(broker.url()).delayMs(300);
        MqttOffloader o = started(offloader(broker.url(), "dev-grace").lateReplyGraceMs(50))) {
      OffloadResult r = o.offload(request("dev-grace:1", 30)).get(2, TimeUnit.SECONDS);
      assertThat(r.status()).isEqualTo(OffloadStatus.TIMEOUT);
      waitFor(() -> o.correlationTableSize() == 0);
      waitFor(() -> o.droppedReplies() == 1);
      assertThat(r.lateReply().orElseThrow(AssertionError::new)).isNotDone();
    }
  }

  @Test
  void offload_whileNotConnected_returnsOfflineAtOnce() {
    try (MqttOffloader o = offloader("tcp://127.0.0.1:1", "dev-nobroker").build().start()) {
      OffloadResult r = o.offload(request("dev-nobroker:1", 1000)).getNow(null);
      assertThat(r).isNotNull();
      assertThat(r.status()).isEqualTo(OffloadStatus.OFFLINE);
      assertThat(o.isAvailable()).isFalse();
    }
  }

  @Test
  void offload_overTlsWithClientCertificate_roundTrips() throws Exception {
    Tools.require("mosquitto"); // the TLS listener is Mosquitto's
    TestCertificates certs = TestCertificates.shared();
    try (MosquittoBroker tls = MosquittoBroker.builder()
        .tls(certs.caPem(), certs.serverCertPem(), certs.serverKeyPem())
        .requireClientCertificate(true)
        .start()) {
      assertThat(tls.url()).startsWith("ssl://");
      MqttConnectionOptions echoOptions = new MqttConnectionOptions();
      echoOptions.setSocketFactory(MqttSockets.tls(certs.caPem(), certs.clientCertPem(), certs.clientKeyPem()));
      try (EchoResponder echo = EchoResponder.start(tls.url(), Topics.defaults(), echoOptions);
          MqttOffloader o = started(offloader(tls.url(), "dev-tls")
              .tls(certs.caPem(), certs.clientCertPem(), certs.clientKeyPem()))) {
        assertThat(o.offload(request("dev-tls:1", 5000)).get(5, TimeUnit.SECONDS).status()).isEqualTo(OffloadStatus.OK);
      }
      // Without a client certificate the broker refuses the handshake: the offloader stays offline.
      try (MqttOffloader o = offloader(tls.url(), "dev-tls-nocert").tls(certs.caPem()).build().start()) {
        assertThat(o.awaitAvailable(1, TimeUnit.SECONDS)).isFalse();
        assertThat(o.offload(request("dev-tls-nocert:1", 100)).get().status()).isEqualTo(OffloadStatus.OFFLINE);
      }
    }
  }

  @Test
  void offload_withCredentials_connectsOnlyWithTheRightPassword(@TempDir Path dir) throws Exception {
    Tools.require("mosquitto"); // a Mosquitto password file, made with its mosquitto_passwd
    Path passwords = dir.resolve("passwd");
    Process p = new ProcessBuilder("mosquitto_passwd", "-b", "-c", passwords.toString(), "dev-pw", "s3cret")
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).as("mosquitto_passwd").isTrue();
    try (MosquittoBroker secured = MosquittoBroker.builder().passwordFile(passwords).start()) {
      try (MqttOffloader o = started(offloader(secured.url(), "dev-pw").credentials("dev-pw", "s3cret".toCharArray()))) {
        assertThat(o.isAvailable()).isTrue();
      }
      try (MqttOffloader o = offloader(secured.url(), "dev-pw")
          .credentials("dev-pw", "wrong".toCharArray()).build().start()) {
        assertThat(o.awaitAvailable(1, TimeUnit.SECONDS)).isFalse();
      }
    }
  }

  @Test
  void builder_missingOrConflictingOptions_failNamingTheOption() {
    assertThatThrownBy(() -> MqttOffloader.builder().deviceId("d").build()).hasMessageContaining("serverUri");
    assertThatThrownBy(() -> MqttOffloader.builder().serverUri("tcp://h:1").build()).hasMessageContaining("deviceId");
    assertThatThrownBy(() -> MqttOffloader.builder().serverUri("http://h:1").deviceId("d").build())
        .hasMessageContaining("tcp://");
    assertThatThrownBy(() -> MqttOffloader.builder().serverUri("tcp://h:1").deviceId("a/b").build())
        .hasMessageContaining("deviceId");
    assertThatThrownBy(() -> MqttOffloader.builder().serverUri("tcp://h:1").deviceId("d")
        .sslSocketFactory((javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault()).build())
        .hasMessageContaining("ssl://");
    assertThatThrownBy(() -> MqttOffloader.builder().maxConcurrentOffloads(0)).hasMessageContaining("maxConcurrentOffloads");
  }

  @Test
  void status_abruptDisconnect_publishesTheWill_thenOnlineAfterReconnect() throws Exception {
    List<Socket> sockets = new CopyOnWriteArrayList<>();
    BlockingQueue<String> statuses = new LinkedBlockingQueue<>();
    try (EchoResponder echo = EchoResponder.start(broker.url());
        MqttOffloader o = started(offloader(broker.url(), "dev-will").socketFactory(new RecordingSocketFactory(sockets)));
        Watcher w = new Watcher(broker.url(), "tandem/v1/status/dev-will", statuses)) {
      assertThat(statuses.poll(5, TimeUnit.SECONDS)).isEqualTo("online");
      CompletableFuture<OffloadResult> waiting = o.offload(request("dev-will:1", 60_000));
      echo.silent(true);
      sockets.get(0).close(); // the network drops: no DISCONNECT packet, so the broker sends the will
      awaitStatus(statuses, "offline");
      assertThat(waiting.get(5, TimeUnit.SECONDS).status()).isIn(OffloadStatus.OFFLINE, OffloadStatus.OK);
      awaitStatus(statuses, "online"); // reconnected on its own
      echo.silent(false);
      assertThat(o.awaitAvailable(5, TimeUnit.SECONDS)).isTrue();
      assertThat(o.offload(request("dev-will:2", 5000)).get(5, TimeUnit.SECONDS).status()).isEqualTo(OffloadStatus.OK);
    }
  }

  private static void awaitStatus(BlockingQueue<String> statuses, String expected) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < until) {
      String s = statuses.poll(100, TimeUnit.MILLISECONDS);
      if (expected.equals(s)) {
        return;
      }
      if (s != null) {
        seen.add(s);
      }
    }
    throw new AssertionError("status '" + expected + "' not published within 15 s; saw " + seen);
  }

  /** Plain sockets, each recorded so a test can inspect or break it. */
  static final class RecordingSocketFactory extends SocketFactory {
    private final List<Socket> created;

    RecordingSocketFactory(List<Socket> created) {
      this.created = created;
    }

    @Override
    public Socket createSocket() {
      Socket s = new Socket();
      created.add(s);
      return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      throw new IOException("unused");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      throw new IOException("unused");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      throw new IOException("unused");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      throw new IOException("unused");
    }
  }

  static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition within 10 s").isLessThan(until);
      Thread.sleep(5);
    }
  }

  /** A plain subscriber collecting payloads as text. */
  static final class Watcher implements AutoCloseable {
    private final MqttAsyncClient client;

    Watcher(String url, String filter, BlockingQueue<String> out) throws MqttException {
      client = new MqttAsyncClient(url, "watcher-" + System.nanoTime(), new MemoryPersistence());
      client.setCallback(new MqttCallback() {
        @Override
        public void disconnected(MqttDisconnectResponse r) {}

        @Override
        public void mqttErrorOccurred(MqttException e) {}

        @Override
        public void messageArrived(String topic, MqttMessage m) {
          out.add(new String(m.getPayload(), StandardCharsets.UTF_8));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
      });
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setSocketFactory(MqttSockets.noDelay());
      client.connect(o).waitForCompletion(5000);
      client.subscribe(new MqttSubscription(filter, 1)).waitForCompletion(5000);
    }

    @Override
    public void close() throws MqttException {
      client.disconnect().waitForCompletion(5000);
      client.close();
    }
  }
}
