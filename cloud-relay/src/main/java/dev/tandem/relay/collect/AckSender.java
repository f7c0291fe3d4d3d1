package dev.tandem.relay.collect;

import io.prometheus.metrics.core.metrics.Counter;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the collector's {@code logs-ack} messages from a queue on a thread of its own, at
 * the pace the broker allows.
 *
 * <p>A broker grants each client a Receive Maximum of unacknowledged QoS 1 publishes (HiveMQ
 * CE 10, Mosquitto 20 by default); Paho refuses a publish beyond it with "Too many publishes
 * in progress" (32202). Acks for a burst of batches from many devices exceed that window at
 * once, so an ack that does not fit waits for the broker to acknowledge an earlier one ({@link
 * #released()}) instead of being dropped: a dropped ack costs the device a full ack timeout
 * and a resend of the whole batch. While the client is disconnected, acks wait too.
 *
 * <p>An ack older than {@code maxAgeMs} is dropped and counted {@code expired}: the device
 * has resent that batch by then, and the resend gets an ack of its own. When the queue is
 * full, new acks are dropped and counted {@code overflow}; either way the device resends and
 * the store deduplicates, so nothing is lost. Thread-safe; {@link #close()} is idempotent.
 */
final class AckSender implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AckSender.class);
  /** Paho's reason code for a publish beyond the broker's Receive Maximum. */
  private static final int MAX_INFLIGHT = 32202;
  private static final long RETRY_WAIT_MS = 50;

  private final Publisher client;

  /** Where acks are published: the collector's current connection. */
  interface Publisher {
    void publish(String topic, MqttMessage message) throws MqttException;

    boolean isConnected();
  }
  private final Counter outcomes;
  private final long maxAgeMs;
  private final LongSupplier clockMs;
  private final BlockingQueue<Pending> queue;
  private final Object window = new Object();
  private final Thread thread;
  private volatile boolean running = true;
  private final java.util.function.Consumer<Error> onFatal;

  private static final class Pending {
    final String topic;
    final MqttMessage message;
    final String batchId;
    final long queuedAtMs;

    Pending(String topic, MqttMessage message, String batchId, long queuedAtMs) {
      this.topic = topic;
      this.message = message;
      this.batchId = batchId;
      this.queuedAtMs = queuedAtMs;
    }
  }

  /**
   * Starts the sender thread.
   *
   * @param outcomes counter labelled by outcome: {@code sent}, {@code expired}, {@code overflow},
   *     {@code failed}
   */
  AckSender(MqttAsyncClient client, Counter outcomes, int capacity, long maxAgeMs, LongSupplier clockMs) {
    this(publisher(client), outcomes, capacity, maxAgeMs, clockMs);
  }

  /** As above; {@code onFatal} is told when an {@link Error} ends the sender thread. */
  AckSender(MqttAsyncClient client, Counter outcomes, int capacity, long maxAgeMs, LongSupplier clockMs,
      java.util.function.Consumer<Error> onFatal) {
    this(publisher(client), outcomes, capacity, maxAgeMs, clockMs, onFatal);
  }

  private static Publisher publisher(MqttAsyncClient client) {
    return new Publisher() {
      @Override
      public void publish(String topic, MqttMessage message) throws MqttException {
        client.publish(topic, message);
      }

      @Override
      public boolean isConnected() {
        return client.isConnected();
      }
    };
  }

  /** Like the other constructor, publishing through {@code client}: the collector's session. */
  AckSender(Publisher client, Counter outcomes, int capacity, long maxAgeMs, LongSupplier clockMs) {
    this(client, outcomes, capacity, maxAgeMs, clockMs, e -> log.error("ack sender failed", e));
  }

  /** As above; {@code onFatal} is told when an {@link Error} ends the sender thread. */
  AckSender(Publisher client, Counter outcomes, int capacity, long maxAgeMs, LongSupplier clockMs,
      java.util.function.Consumer<Error> onFatal) {
    this.onFatal = onFatal;
    this.client = client;
    this.outcomes = outcomes;
    this.maxAgeMs = maxAgeMs;
    this.clockMs = clockMs;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::loop, "collector-ack");
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues an ack; never blocks (the caller is Paho's callback thread). */
  void send(String topic, MqttMessage message, String batchId) {
    if (!queue.offer(new Pending(topic, message, batchId, clockMs.getAsLong()))) {
      outcomes.labelValues("overflow").inc();
      log.warn("ack queue full ({} acks waiting); ack for batch {} dropped, the device will resend",
          queue.size(), batchId);
    }
  }

  /** The broker acknowledged one of our QoS 1 publishes: a slot of its window is free. */
  void released() {
    synchronized (window) {
      window.notifyAll();
    }
  }

  /** Acks waiting to be published. */
  int queued() {
    return queue.size();
  }

  /** Whether the sender thread runs (it ends on {@link #close()} or an {@link Error}). */
  boolean alive() {
    return thread.isAlive();
  }

  private void loop() {
    try {
      sendQueued();
    } catch (Error e) {
      running = false;
      onFatal.accept(e);
    }
  }

  private void sendQueued() {
    while (running) {
      Pending p;
      try {
        p = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (p != null) {
        publish(p);
      }
    }
  }

  private void publish(Pending p) {
    while (running) {
      if (clockMs.getAsLong() - p.queuedAtMs > maxAgeMs) {
        outcomes.labelValues("expired").inc();
        log.debug("ack for batch {} expired after {} ms in the queue", p.batchId, maxAgeMs);
        return;
      }
      try {
        client.publish(p.topic, p.message);
        outcomes.labelValues("sent").inc();
        return;
      } catch (MqttException e) {
        if (e.getReasonCode() != MAX_INFLIGHT && client.isConnected()) {
          outcomes.labelValues("failed").inc();
          log.warn("ack for batch {} not sent ({}); the device will resend", p.batchId, e.toString());
          return;
        }
        // The broker's window is full, or we are reconnecting: wait for a slot and try again.
        synchronized (window) {
          try {
            window.wait(RETRY_WAIT_MS);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
