package dev.tandem.runtime.internal.fleet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPOutputStream;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads the spool to the collector, one batch at a time, on its own thread and its own MQTT
 * connection ({@link MqttLink}).
 *
 * <p>A batch is the oldest unacknowledged records, gzip JSON lines, published at QoS 1 on
 * {@code {prefix}/logs/{deviceId}} with user properties {@code batch_id}, {@code seq_from},
 * {@code seq_to} and {@code evicted} (the spool's cumulative eviction count, so the store can
 * tell an eviction gap from a loss). The records leave the spool only when the collector's
 * {@code logs-ack} for that batch id arrives; with no ack within the ack timeout the same batch
 * is sent again after an exponential backoff (with jitter). Redelivery is harmless: the store
 * deduplicates by (device, sequence). While the broker is unreachable nothing is sent and the
 * spool buffers, within its disk budget.
 *
 * <p>Stop-and-wait keeps the design simple and the spool's removal exact; a batch of up to
 * {@code maxBatchRecords} per round trip is far more than a device produces.
 */
public final class LogUploader implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LogUploader.class);

  private final MqttLink link;
  private final UploadQueue queue;
  private final String deviceId;
  private final String logsTopic;
  private final int maxBatchRecords;
  private final long intervalMs;
  private final long ackTimeoutMs;
  private final long backoffInitialMs;
  private final long backoffMaxMs;
  private final FleetMetrics metrics;
  private final java.util.function.LongConsumer onAck;
  private final java.util.function.Consumer<Error> onFatal;
  private final Map<String, CompletableFuture<String>> pendingAcks = new ConcurrentHashMap<>();
  private final Object wake = new Object();
  private final Random jitter;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long lastAckedSeq = -1;
  private volatile String unused = "";

  /** Uploader settings. */
  public static final class Settings {
    int maxBatchRecords = 500;
    long intervalMs = 1000;
    long ackTimeoutMs = 10_000;
    long backoffInitialMs = 500;
    long backoffMaxMs = 30_000;
    java.util.function.LongConsumer onAck = seq -> { };
    java.util.function.Consumer<Error> onFatal = e -> log.error("uploader failed", e);

    public Settings maxBatchRecords(int v) {
      maxBatchRecords = v;
      return this;
    }

    public Settings intervalMs(long v) {
      intervalMs = v;
      return this;
    }

    public Settings ackTimeoutMs(long v) {
      ackTimeoutMs = v;
      return this;
    }

    /** Called on the upload thread with each acknowledged batch's highest sequence number. */
    public Settings onAck(java.util.function.LongConsumer listener) {
      onAck = listener;
      return this;
    }

    /** Told when an {@link Error} ends the upload thread. */
    public Settings onFatal(java.util.function.Consumer<Error> listener) {
      onFatal = listener;
      return this;
    }

    public Settings backoff(long initialMs, long maxMs) {
      backoffInitialMs = initialMs;
      backoffMaxMs = maxMs;
      return this;
    }
  }

  /**
   * Registers the ack handler on {@code link} and starts the upload thread.
   *
   * @param logsTopic the device's logs topic; {@code logsAckTopic} its ack topic
   */
  public LogUploader(MqttLink link, UploadQueue queue, String deviceId, String logsTopic,
      String logsAckTopic, Settings s, FleetMetrics metrics) {
    this.link = link;
    this.queue = queue;
    this.deviceId = deviceId;
    this.logsTopic = logsTopic;
    this.maxBatchRecords = s.maxBatchRecords;
    this.intervalMs = s.intervalMs;
    this.ackTimeoutMs = s.ackTimeoutMs;
    this.backoffInitialMs = s.backoffInitialMs;
    this.backoffMaxMs = s.backoffMaxMs;
    this.metrics = metrics;
    this.onAck = s.onAck;
    this.onFatal = s.onFatal;
    this.jitter = new Random(deviceId.hashCode());
    metrics.describe("tandem_agent_upload_batches_total", "Log batches by outcome (acked, refused, timeout, failed)");
    link.handle(logsAckTopic, (topic, msg) -> onAck(msg));
    thread = new Thread(this::loop, "log-upload");
    thread.setDaemon(true);
    thread.start();
  }

  /** Wakes the uploader (new records were spooled). Cheap; call after appends. */
  public void nudge() {
    synchronized (wake) {
      wake.notifyAll();
    }
  }

  /**
   * Declares sequence numbers [from, to] never used (a restart skipped them): sent with every
   * batch of this run, so the store does not count them as lost.
   */
  public void declareUnused(long from, long to) {
    if (from <= to) {
      unused = unused.isEmpty() ? from + "-" + to : unused + "," + from + "-" + to;
    }
  }

  /** The highest sequence number of the last acknowledged batch, or -1. */
  public long lastAckedSeq() {
    return lastAckedSeq;
  }

  private void onAck(MqttMessage msg) {
    String id = null;
    if (msg.getProperties() != null && msg.getProperties().getUserProperties() != null) {
      for (UserProperty u : msg.getProperties().getUserProperties()) {
        if (u.getKey().equals("batch_id")) {
          id = u.getValue();
        }
      }
    }
    if (id == null) {
      // older collectors: the batch id in the JSON body
      String body = new String(msg.getPayload(), StandardCharsets.UTF_8);
      try {
        id = com.google.gson.JsonParser.parseString(body).getAsJsonObject().get("batch_id").getAsString();
      } catch (RuntimeException e) {
        log.warn("logs-ack without a batch id: {}", body);
        return;
      }
    }
    CompletableFuture<String> f = pendingAcks.remove(id);
    if (f != null) {
      f.complete(refusal(msg));
    }
  }

  /**
   * The collector's reason for refusing the batch (it passed one of the collector's limits), or
   * null for a stored batch. A refused batch is dropped all the same: sending it again would be
   * refused again.
   */
  private static String refusal(MqttMessage msg) {
    try {
      com.google.gson.JsonElement r = com.google.gson.JsonParser.parseString(
          new String(msg.getPayload(), StandardCharsets.UTF_8)).getAsJsonObject().get("refused");
      return r == null || r.isJsonNull() ? null : r.getAsString();
    } catch (RuntimeException e) {
      return null;
    }
  }

  static String batchId(UploadQueue.Batch b) {
    return "s" + b.seqFrom() + "-" + b.seqTo() + "-n" + b.lines().size();
  }

  private void loop() {
    try {
      uploadUntilClosed();
    } catch (Error e) {
      running = false;
      onFatal.accept(e);
    }
  }

  /** Whether the upload thread runs (it ends on close or an {@link Error}). */
  public boolean alive() {
    return thread.isAlive();
  }

  private void uploadUntilClosed() {
    long backoff = backoffInitialMs;
    while (running) {
      try {
        if (!link.ready()) {
          sleep(200);
          continue;
        }
        UploadQueue.Batch batch = queue.peek(maxBatchRecords);
        if (batch.isEmpty()) {
          synchronized (wake) {
            wake.wait(intervalMs);
          }
          continue;
        }
        if (send(batch)) {
          queue.acknowledge(batch);
          lastAckedSeq = Math.max(lastAckedSeq, batch.seqTo());
          onAck.accept(batch.seqTo());
          metrics.inc("tandem_agent_upload_batches_total", "outcome", "acked");
          metrics.inc("tandem_agent_uploaded_records_total", null, null, batch.lines().size());
          backoff = backoffInitialMs;
        } else {
          long wait = backoff / 2 + (long) (jitter.nextDouble() * backoff / 2);
          sleep(wait);
          backoff = Math.min(backoff * 2, backoffMaxMs);
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        log.error("upload round failed; retrying", e);
        metrics.inc("tandem_agent_upload_batches_total", "outcome", "failed");
        sleep(backoff);
        backoff = Math.min(backoff * 2, backoffMaxMs);
      }
    }
  }

  /** Publishes one batch and waits for its ack; false on timeout or a publish failure. */
  private boolean send(UploadQueue.Batch batch) throws IOException, InterruptedException {
    String id = batchId(batch);
    MqttMessage m = new MqttMessage(gzip(batch.lines()));
    m.setQos(1);
    MqttProperties p = new MqttProperties();
    List<UserProperty> ups = new ArrayList<>();
    ups.add(new UserProperty("batch_id", id));
    ups.add(new UserProperty("seq_from", Long.toString(batch.seqFrom())));
    ups.add(new UserProperty("seq_to", Long.toString(batch.seqTo())));
    ups.add(new UserProperty("evicted", Long.toString(queue.evictedTotal())));
    if (!unused.isEmpty()) {
      ups.add(new UserProperty("unused", unused));
    }
    p.setUserProperties(ups);
    p.setContentType("application/x-ndjson+gzip");
    m.setProperties(p);
    CompletableFuture<String> acked = pendingAcks.computeIfAbsent(id, k -> new CompletableFuture<>());
    try {
      link.publish(logsTopic, m);
      String refused = acked.get(ackTimeoutMs, TimeUnit.MILLISECONDS);
      if (refused != null) {
        metrics.inc("tandem_agent_upload_batches_total", "outcome", "refused");
        log.warn("the collector refused batch {} ({} records, seq {}-{}): {}; dropped from the spool", id,
            batch.lines().size(), batch.seqFrom(), batch.seqTo(), refused);
      }
      return true;
    } catch (MqttException e) {
      metrics.inc("tandem_agent_upload_batches_total", "outcome", "failed");
      log.debug("batch {} not published: {}", id, e.toString());
      return false;
    } catch (TimeoutException e) {
      metrics.inc("tandem_agent_upload_batches_total", "outcome", "timeout");
      log.debug("no ack for batch {} within {} ms; will resend", id, ackTimeoutMs);
      return false;
    } catch (ExecutionException e) {
      return false;
    } finally {
      // A late ack for this id still completes the entry if the same batch is resent.
      if (acked.isDone()) {
        pendingAcks.remove(id, acked);
      }
    }
  }

  static byte[] gzip(List<String> lines) throws IOException {
    ByteArrayOutputStream bos = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      for (String l : lines) {
        gz.write(l.getBytes(StandardCharsets.UTF_8));
        gz.write('\n');
      }
    }
    return bos.toByteArray();
  }

  private void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  /** Stops uploading; what is not acked stays in the spool for the next start. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
