package dev.tandem.runtime.internal.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that the broker still delivers on a live connection. A broker can keep a connection
 * open, answering keep-alive pings, while it no longer delivers messages on it (reported for
 * HiveMQ CE under load); keep-alive cannot see that. Every interval this sends a small QoS 0
 * message to the session's own, unshared probe topic; when nothing at all has arrived (probe or
 * other message: a backlog being worked through is delivery too) within the timeout while the
 * session is ready, it calls the stall handler (once per stall; the silence is measured again
 * from then). The stall handler runs on the probe's own thread. Thread-safe.
 */
final class DeliveryProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeliveryProbe.class);

  /** Publishes one probe; the session's current client. */
  interface Publisher {
    void publish(String topic, MqttMessage message) throws Exception;
  }

  private final String owner;
  private final String topic;
  private final long intervalMs;
  private final long timeoutMs;
  private final Publisher publisher;
  private final BooleanSupplier live;
  private final LongConsumer onStall;
  private final ScheduledExecutorService timer;
  private final AtomicLong sent = new AtomicLong();
  private volatile boolean enabled = true;
  private volatile long lastNanos = System.nanoTime();

  DeliveryProbe(String owner, String topic, long intervalMs, long timeoutMs, Publisher publisher,
      BooleanSupplier live, LongConsumer onStall) {
    this.owner = owner;
    this.topic = topic;
    this.intervalMs = intervalMs;
    this.timeoutMs = timeoutMs;
    this.publisher = publisher;
    this.live = live;
    this.onStall = onStall;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "delivery-probe");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    timer.scheduleWithFixedDelay(this::tick, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  String topic() {
    return topic;
  }

  boolean enabled() {
    return enabled;
  }

  /** A message (a probe or any other) arrived. */
  void arrived() {
    lastNanos = System.nanoTime();
  }

  /** Turns probing off for good, with a warning saying why. */
  void disable(String why) {
    if (enabled) {
      enabled = false;
      log.warn("{}: delivery probing is off: {}", owner, why);
    }
  }

  private void tick() {
    if (!enabled || !live.getAsBoolean()) {
      return; // a lost connection is the session's to restore; the probe judges live ones
    }
    long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastNanos);
    if (silentMs > timeoutMs) {
      lastNanos = System.nanoTime();
      try {
        onStall.accept(silentMs);
      } catch (RuntimeException e) {
        log.error("{}: stall handler failed", owner, e);
      }
      return;
    }
    MqttMessage m = new MqttMessage(Long.toString(sent.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
    m.setQos(0);
    try {
      publisher.publish(topic, m);
    } catch (Exception e) {
      log.debug("{}: probe not published: {}", owner, e.toString()); // the timeout judges
    }
  }

  @Override
  public void close() {
    enabled = false;
    timer.shutdownNow();
  }
}
