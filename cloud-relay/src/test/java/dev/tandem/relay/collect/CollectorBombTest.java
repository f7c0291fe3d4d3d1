package dev.tandem.relay.collect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.cli.CloudRelayCommand;
import dev.tandem.testsupport.broker.TestBroker;
import dev.tandem.testsupport.broker.TestBrokers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cloud-relay collect} as its own JVM with a 64 MiB heap, against a real Mosquitto: a gzip
 * bomb of zeros, one of newlines and one endless line, each 128 MiB unpacked (twice the whole
 * heap), are refused by reason and acked as refused, and a valid batch from another device sent
 * right after is stored and acked; the process stays up, reports no stall and no error.
 */
class CollectorBombTest {
  static final int BOMB_BYTES = 128 << 20;

  @TempDir Path dir;
  Process process;

  @AfterEach
  void kill() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void gzipNewlineAndLineBombs_refusedAndAckedUnderSmallHeap_nextValidBatchStoredAndAcked() throws Exception {
    byte[] zeros = bomb((byte) 0); // lines of 1,000 zero bytes: passes the unpacked limit first
    byte[] newlines = bomb((byte) '\n');
    byte[] oneLine = bomb((byte) 'a');
    try (TestBroker broker = TestBrokers.start()) {
      int metricsPort = freePort();
      Path store = dir.resolve("store");
      Path log = dir.resolve("collect.log");
      List<String> cmd = new ArrayList<>(Arrays.asList(
          Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
          "-Djava.io.tmpdir=" + System.getProperty("tandem.test.tmpdir", System.getProperty("java.io.tmpdir")),
          "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
          CloudRelayCommand.class.getName(), "collect", "--broker", broker.url(), "--store", store.toString(),
          "--client-id", "collector-bomb", "--metrics-port", Integer.toString(metricsPort),
          "--probe-interval-ms", "500", "--probe-timeout-ms", "5000"));
      process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();

      BlockingQueue<String> acks = new LinkedBlockingQueue<>();
      MqttClient bomber = device(broker.url(), "bomber", acks);
      MqttClient honest = device(broker.url(), "dev-ok", acks);
      // The first valid batch proves the collector is subscribed.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      String first = null;
      while (first == null) {
        assertThat(process.isAlive()).as(logText(log)).isTrue();
        assertThat(System.nanoTime()).as("the collector to ack a first batch; %s", logText(log)).isLessThan(deadline);
        honest.publish("tandem/v1/logs/dev-ok", batch(CollectorTest.gzip(lines("dev-ok", 1, 5)), "ok1", 1, 5));
        first = acks.poll(2, TimeUnit.SECONDS);
      }
      assertThat(first).contains("\"batch_id\":\"ok1\"");
      acks.clear();

      bomber.publish("tandem/v1/logs/bomber", batch(zeros, "zeros", 1, 10));
      bomber.publish("tandem/v1/logs/bomber", batch(newlines, "newlines", 11, 20));
      bomber.publish("tandem/v1/logs/bomber", batch(oneLine, "line", 21, 30));
      honest.publish("tandem/v1/logs/dev-ok", batch(CollectorTest.gzip(lines("dev-ok", 6, 10)), "ok2", 6, 10));
      List<String> got = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String a = acks.poll(30, TimeUnit.SECONDS);
        assertThat(a).as("ack %d of 4 (got %s); %s", i + 1, got, logText(log)).isNotNull();
        got.add(a);
      }
      assertThat(got).anySatisfy(a -> assertThat(a).contains("\"batch_id\":\"zeros\"", "\"refused\":\"inflated_too_large\""));
      assertThat(got).anySatisfy(a -> assertThat(a).contains("\"batch_id\":\"newlines\"", "\"refused\":\"too_many_lines\""));
      assertThat(got).anySatisfy(a -> assertThat(a).contains("\"batch_id\":\"line\"", "\"refused\":\"line_too_long\""));
      assertThat(got).anySatisfy(a -> assertThat(a).contains("\"batch_id\":\"ok2\"", "\"written\":5").doesNotContain("refused"));

      String metrics = scrape(metricsPort);
      assertThat(metrics).contains(
          "tandem_collector_batches_refused_total{reason=\"inflated_too_large\"} 1.0",
          "tandem_collector_batches_refused_total{reason=\"too_many_lines\"} 1.0",
          "tandem_collector_batches_refused_total{reason=\"line_too_long\"} 1.0",
          "tandem_collector_batches_total{outcome=\"stored\"} 2.0",
          "tandem_collector_records_stored{device=\"dev-ok\"} 10.0");
      assertThat(metrics).doesNotContain("tandem_collector_delivery_stalls_total 1.0");
      assertThat(process.isAlive()).as(logText(log)).isTrue();
      assertThat(logText(log)).doesNotContain("OutOfMemoryError", " ERROR ");
      bomber.disconnect();
      honest.disconnect();
      bomber.close();
      honest.close();
    }
  }

  /**
   * {@link #BOMB_BYTES} of one byte, gzipped (about 128 KiB); a zero byte comes in lines of
   * 1,000 bytes.
   */
  static byte[] bomb(byte b) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    byte[] chunk = new byte[1_000_000];
    Arrays.fill(chunk, b);
    if (b == 0) {
      for (int i = 999; i < chunk.length; i += 1000) {
        chunk[i] = '\n';
      }
    }
    try (GZIPOutputStream gz = new GZIPOutputStream(bos, 1 << 16)) {
      for (int i = 0; i <= BOMB_BYTES / chunk.length; i++) {
        gz.write(chunk);
      }
    }
    return bos.toByteArray();
  }

  static List<String> lines(String device, long from, long to) {
    return LogStoreTest.batch(device, "x", from, to, 0).lines();
  }

  static MqttMessage batch(byte[] payload, String id, long from, long to) {
    MqttMessage m = new MqttMessage(payload);
    m.setQos(1);
    MqttProperties p = new MqttProperties();
    List<UserProperty> ups = new ArrayList<>();
    ups.add(new UserProperty("batch_id", id));
    ups.add(new UserProperty("seq_from", Long.toString(from)));
    ups.add(new UserProperty("seq_to", Long.toString(to)));
    ups.add(new UserProperty("evicted", "0"));
    p.setUserProperties(ups);
    m.setProperties(p);
    return m;
  }

  /** A device client that puts every ack body on {@code acks}. */
  static MqttClient device(String url, String id, BlockingQueue<String> acks) throws MqttException {
    MqttClient c = new MqttClient(url, id, new MemoryPersistence());
    c.setCallback(new MqttCallback() {
      @Override
      public void disconnected(MqttDisconnectResponse r) {}

      @Override
      public void mqttErrorOccurred(MqttException e) {}

      @Override
      public void messageArrived(String topic, MqttMessage m) {
        acks.add(new String(m.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttToken t) {}

      @Override
      public void connectComplete(boolean r, String u) {}

      @Override
      public void authPacketArrived(int code, MqttProperties p) {}
    });
    c.connect(new MqttConnectionOptions());
    c.subscribe(new MqttSubscription[] {new MqttSubscription("tandem/v1/logs-ack/" + id, 1)});
    return c;
  }

  static String scrape(int port) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL("http://127.0.0.1:" + port + "/metrics").openConnection();
    try (InputStream in = c.getInputStream()) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
      return out.toString("UTF-8");
    } finally {
      c.disconnect();
    }
  }

  static String logText(Path log) {
    try {
      return "collector log:\n" + new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "collector log unreadable: " + e;
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
