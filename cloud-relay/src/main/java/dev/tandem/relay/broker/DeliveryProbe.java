package dev.tandem.relay.broker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks that the broker still delivers on a live connection. A broker can keep a connection
 * open, answering keep-alive pings, while it no longer delivers messages on it (reported for
 * HiveMQ CE under load); keep-alive cannot see that. Every interval this sends a small QoS 0
 * message to the client's own, unshared probe topic; when nothing at all has arrived (probe or
 * other message: a backlog being worked through is delivery too) within the timeout while the
 * owner says the connection is live, it calls the owner's stall handler (once per stall; the
 * silence is measured again from then).
 *
 * <p>The owner subscribes through {@link #subscribe}, which adds the probe topic to its own
 * subscription, and calls {@link #arrived()} for every message that arrives (dropping those
 * {@link #matches(String)} names as probes). The stall handler runs on the probe's own thread. Thread-safe; {@link #close()} is idempotent.
 */
public final class DeliveryProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DeliveryProbe.class);

  private final String owner;
  private final String topic;
  private final long intervalMs;
  private final long timeoutMs;
  private final Supplier<MqttAsyncClient> client;
  private final BooleanSupplier live;
  private final LongConsumer onStall;
  private final ScheduledExecutorService timer;
  private final AtomicLong sent = new AtomicLong();
  private volatile boolean enabled;
  private volatile long lastNanos = System.nanoTime();

  /**
   * A probe, not yet running; {@code intervalMs} 0 makes one that never probes.
   *
   * @param owner names the owner in log lines
   * @param topic the owner's own probe topic (no wildcards; not shared)
   * @param client the owner's current client
   * @param live whether the owner is connected and subscribed now (probes judge only then)
   * @param onStall called with the silence in milliseconds when the timeout passes
   */
  public DeliveryProbe(String owner, String topic, long intervalMs, long timeoutMs, Supplier<MqttAsyncClient> client,
      BooleanSupplier live, LongConsumer onStall) {
    if (intervalMs < 0 || (intervalMs > 0 && timeoutMs < 2 * intervalMs)) {
      throw new IllegalArgumentException("probe: interval must be >= 0 and the timeout at least twice it, got "
          + intervalMs + " and " + timeoutMs + " ms");
    }
    this.owner = owner;
    this.topic = topic;
    this.intervalMs = intervalMs;
    this.timeoutMs = timeoutMs;
    this.client = client;
    this.live = live;
    this.onStall = onStall;
    this.enabled = intervalMs > 0;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "delivery-probe");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts probing (no-op when probing is off). */
  public void start() {
    if (enabled) {
      timer.scheduleWithFixedDelay(this::tick, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
    }
  }

  /** The probe topic. */
  public String topic() {
    return topic;
  }

  /**
   * Subscribes {@code c} to {@code main} and, while probing, to the probe topic in the same
   * SUBSCRIBE, waiting up to {@code timeoutMs}. A broker that refuses the probe topic (an ACL)
   * turns probing off with a warning naming it; {@code aclHint} says who must be allowed. When
   * {@code main} is granted, the silence counts from now.
   *
   * @return the broker's reason code for {@code main} (0x80 or above: refused)
   */
  public int subscribe(MqttAsyncClient c, MqttSubscription main, long timeoutMs, String aclHint)
      throws MqttException {
    boolean probing = enabled;
    IMqttToken t = probing
        ? c.subscribe(new MqttSubscription[] {main, new MqttSubscription(topic, 0)})
        : c.subscribe(main);
    t.waitForCompletion(timeoutMs);
    int[] codes = t.getReasonCodes();
    int mainCode = codes != null && codes.length > 0 ? codes[0] : 0;
    if (probing && codes != null && codes.length > 1 && codes[1] >= 0x80) {
      disable("the broker refused the subscription to " + topic + " (reason code 0x"
          + Integer.toHexString(codes[1]) + "); allow " + aclHint + " to read and write it (docs/mosquitto/acl)");
    }
    if (mainCode < 0x80) {
      lastNanos = System.nanoTime();
    }
    return mainCode;
  }

  /** Whether a message on {@code topic} is a probe. */
  public boolean matches(String messageTopic) {
    return topic.equals(messageTopic);
  }

  /** A message (a probe or any other) arrived. */
  public void arrived() {
    lastNanos = System.nanoTime();
  }

  /** Turns probing off for good, with a warning saying why. */
  private void disable(String why) {
    if (enabled) {
      enabled = false;
      log.warn("{}: delivery probing is off: {}", owner, why);
    }
  }

  private void tick() {
    if (!enabled || !live.getAsBoolean()) {
      return; // a lost connection is the owner's to restore; the probe judges live ones
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
      client.get().publish(topic, m);
    } catch (MqttException | RuntimeException e) {
      log.debug("{}: probe not published: {}", owner, e.toString()); // the timeout judges
    }
  }

  @Override
  public void close() {
    enabled = false;
    timer.shutdownNow();
  }
}
