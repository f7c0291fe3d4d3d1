package dev.tandem.sample;

import android.content.Context;
import dev.tandem.runtime.offload.MqttSockets;
import dev.tandem.runtime.record.Record;
import dev.tandem.runtime.record.RecordCodec;
import dev.tandem.runtime.spool.ReadResult;
import dev.tandem.runtime.spool.Spool;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPOutputStream;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;

/**
 * One upload of the spool to the collector, with the collector's ack protocol (docs/protocol.md,
 * docs/log-store.md): each closed spool segment is one batch of gzip JSON lines, published at
 * QoS 1 on {@code tandem/v1/logs/{deviceId}} with user properties {@code batch_id}, {@code
 * seq_from}, {@code seq_to} and {@code evicted}; the segment leaves the spool only when the
 * collector's {@code logs-ack} for that batch id arrives (sent once the batch is durably stored).
 * Without an ack in time the upload stops and the job is retried; a resent batch is
 * deduplicated by the store.
 *
 * <p>Its own MQTT connection (client id {@code {deviceId}-upload}), so log uploads never queue in
 * front of offload requests.
 */
public final class SpoolUploader {
  static final String TOPIC_PREFIX = "tandem/v1";
  private static final long TIMEOUT_MS = 15_000;

  private final String brokerUri;
  private final String deviceId;
  private final String username;
  private final char[] password;
  private final SocketFactory sockets;
  private final long ackTimeoutMs;

  SpoolUploader(String brokerUri, String deviceId, String username, char[] password, SocketFactory sockets,
      long ackTimeoutMs) {
    this.brokerUri = brokerUri;
    this.deviceId = deviceId;
    this.username = username;
    this.password = password;
    this.sockets = sockets;
    this.ackTimeoutMs = ackTimeoutMs;
  }

  /** An uploader to the broker of {@code settings}, with its TLS and credentials. */
  public static SpoolUploader forSettings(Context context, SampleSettings settings) throws IOException {
    SocketFactory f = settings.brokerUri().startsWith("ssl://")
        ? MqttSockets.tls(SampleEngine.caFile(context, settings), null, null) : MqttSockets.noDelay();
    return new SpoolUploader(settings.brokerUri(), settings.deviceId(), settings.username(),
        settings.password().toCharArray(), f, TIMEOUT_MS);
  }

  /**
   * Uploads every record spooled so far (the open segment is closed first), batch by batch.
   *
   * @param stop polled between batches; true ends the upload early (the job was stopped)
   * @throws MqttException if the broker cannot be reached or refuses the connection
   */
  public Result uploadAll(Spool spool, BooleanSupplier stop) throws MqttException, IOException,
      InterruptedException {
    spool.rotate();
    Map<String, CompletableFuture<Void>> acks = new ConcurrentHashMap<>();
    MqttAsyncClient client = new MqttAsyncClient(brokerUri, deviceId + "-upload", new MemoryPersistence());
    int batches = 0;
    int records = 0;
    try {
      client.setCallback(new AckCallback(acks));
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setCleanStart(true);
      o.setAutomaticReconnect(false);
      o.setConnectionTimeout((int) (TIMEOUT_MS / 1000));
      o.setSocketFactory(sockets);
      if (!username.isEmpty()) {
        o.setUserName(username);
        o.setPassword(new String(password).getBytes(StandardCharsets.UTF_8));
      }
      client.connect(o).waitForCompletion(TIMEOUT_MS);
      IMqttToken sub = client.subscribe(TOPIC_PREFIX + "/logs-ack/" + deviceId, 1);
      sub.waitForCompletion(TIMEOUT_MS);
      for (Path segment : spool.closedSegments()) {
        if (stop.getAsBoolean()) {
          return new Result(batches, records, false);
        }
        ReadResult r;
        try {
          r = Spool.read(segment);
        } catch (UncheckedIOException e) {
          continue; // evicted by the spool's disk budget since it was listed
        }
        if (r.records().isEmpty()) {
          spool.remove(segment); // only torn lines: nothing to send
          continue;
        }
        List<String> lines = new ArrayList<>();
        long from = Long.MAX_VALUE;
        long to = Long.MIN_VALUE;
        for (Record rec : r.records()) {
          lines.add(RecordCodec.encode(rec));
          from = Math.min(from, rec.seq());
          to = Math.max(to, rec.seq());
        }
        String id = "s" + from + "-" + to + "-n" + lines.size();
        CompletableFuture<Void> acked = acks.computeIfAbsent(id, k -> new CompletableFuture<>());
        client.publish(TOPIC_PREFIX + "/logs/" + deviceId, batch(lines, id, from, to, spool.evictedRecords()));
        try {
          acked.get(ackTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
          return new Result(batches, records, false);
        }
        spool.remove(segment);
        batches++;
        records += lines.size();
      }
      return new Result(batches, records, true);
    } finally {
      try {
        if (client.isConnected()) {
          client.disconnect().waitForCompletion(TIMEOUT_MS);
        }
      } catch (MqttException e) {
        // Closing anyway: nothing is pending that the next upload would not resend.
      }
      client.close();
    }
  }

  static MqttMessage batch(List<String> lines, String id, long from, long to, long evicted) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      for (String l : lines) {
        gz.write(l.getBytes(StandardCharsets.UTF_8));
        gz.write('\n');
      }
    }
    MqttMessage m = new MqttMessage(bos.toByteArray());
    m.setQos(1);
    MqttProperties p = new MqttProperties();
    List<UserProperty> ups = new ArrayList<>();
    ups.add(new UserProperty("batch_id", id));
    ups.add(new UserProperty("seq_from", Long.toString(from)));
    ups.add(new UserProperty("seq_to", Long.toString(to)));
    ups.add(new UserProperty("evicted", Long.toString(evicted)));
    p.setUserProperties(ups);
    p.setContentType("application/x-ndjson+gzip");
    m.setProperties(p);
    return m;
  }

  /** How an upload ended. */
  public static final class Result {
    private final int batches;
    private final int records;
    private final boolean complete;

    Result(int batches, int records, boolean complete) {
      this.batches = batches;
      this.records = records;
      this.complete = complete;
    }

    /** Batches acknowledged and removed from the spool. */
    public int batches() {
      return batches;
    }

    public int records() {
      return records;
    }

    /** Whether everything spooled when it started was acknowledged. */
    public boolean complete() {
      return complete;
    }

    @Override
    public String toString() {
      return "upload: " + batches + " batches, " + records + " records acknowledged"
          + (complete ? "" : "; the rest is retried later");
    }
  }

  private static final class AckCallback implements MqttCallback {
    private final Map<String, CompletableFuture<Void>> acks;

    AckCallback(Map<String, CompletableFuture<Void>> acks) {
      this.acks = acks;
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      String id = null;
      MqttProperties p = message.getProperties();
      if (p != null && p.getUserProperties() != null) {
        for (UserProperty u : p.getUserProperties()) {
          if (u.getKey().equals("batch_id")) {
            id = u.getValue();
          }
        }
      }
      CompletableFuture<Void> f = id == null ? null : acks.remove(id);
      if (f != null) {
        f.complete(null);
      }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      for (CompletableFuture<Void> f : acks.values()) {
        f.completeExceptionally(new IOException("disconnected: " + response));
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      // Reported by the token that failed.
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      // QoS 1 delivery to the broker is not the ack that matters: the collector's is.
    }

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {
      // Nothing to resubscribe: the connection is not reused.
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
      // No enhanced authentication.
    }
  }
}
