package dev.tandem.runtime.internal.mqtt;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One resilient MQTT 5 connection (Eclipse Paho v5), shared by every Tandem component that talks
 * to a broker: the offloader, the relay, the collector, the agent's uploader and {@code publish}.
 *
 * <pre>{@code
 * MqttSession s = MqttSession.builder("tcp://broker:1883", "dev-42-logs")
 *     .statusTopic("tandem/v1/status/dev-42")
 *     .build();
 * s.subscribe("tandem/v1/logs_ack/dev-42", 1, (topic, message) -> ...);
 * s.start();                        // or connect(timeout) to wait for the first connection
 * s.publish(topic, message);        // on the current client; MqttException when not connected
 * }</pre>
 *
 * <h2>Design note: Paho's known failures, worked around here</h2>
 * <ul>
 *   <li><b>A fresh client per connect attempt.</b> After a lost connection Paho 1.2.5 can stay
 *       "connect in progress" for good (32110), and QoS 0 publishes lost mid-write stay counted
 *       as in flight; every attempt therefore discards the previous client and creates a new
 *       one. Paho's automatic reconnect is off: it only starts after a first successful connect
 *       and its delay grows past the configured maximum. Attempts back off from the minimum to
 *       the maximum delay, doubling, until one works or the session is closed.
 *   <li><b>Subscriptions restored after every connect.</b> With a clean start the broker forgets
 *       them and Paho does not restore them; blocking on a subscribe inside Paho's callback
 *       thread can deadlock. Every subscription is therefore made again, in one SUBSCRIBE, on the
 *       session's own connection thread after each connect; a refused one fails the attempt.
 *   <li><b>Routing by topic.</b> Paho never calls a per-subscription listener for {@code $share}
 *       subscriptions; messages are routed to handlers in the client callback by matching the
 *       topic against each filter (without its {@code $share/group/} part).
 *   <li><b>Delivery probe (optional).</b> A broker can keep a connection open, answering pings,
 *       while it has stopped delivering on it; the session sends itself a message on its probe
 *       topic every interval and, when nothing at all arrives within the timeout, reports the
 *       stall to its listener and reconnects with a fresh client. A broker that refuses the
 *       probe subscription (an ACL) turns probing off with a warning.
 *   <li><b>Status.</b> With a status topic: a retained {@code offline} will, a retained {@code
 *       online} after each connect, and {@code offline} on {@link #close()}.
 *   <li><b>Sockets.</b> Paho leaves Nagle's algorithm on; every socket comes from a {@link
 *       MqttSockets} factory with {@code TCP_NODELAY}, TLS included.
 *   <li><b>Persistence.</b> {@link MemoryPersistence} by default: Paho's file persistence writes
 *       to the working directory, which fails on Android.
 * </ul>
 *
 * <p>Thread-safe. Handlers and the listener's {@code disconnected} and {@code deliveryComplete}
 * run on Paho's callback thread and must not block; {@code connected} runs on the session's
 * connection thread and {@code stalled} on the probe's. {@link #close()} is idempotent.
 */
public final class MqttSession implements AutoCloseable {
  /** Payload of the retained status message while connected. */
  public static final String STATUS_ONLINE = "online";
  /** Payload of the retained status message after a disconnect (the will) or close. */
  public static final String STATUS_OFFLINE = "offline";

  private static final Logger log = LoggerFactory.getLogger(MqttSession.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  /** Receives the messages of one subscription. Runs on Paho's callback thread: must not block. */
  @FunctionalInterface
  public interface MessageHandler {
    void messageArrived(String topic, MqttMessage message);
  }

  /** Connection events, for the owner's own state and metrics. */
  public interface Listener {
    /** Connected, subscribed and status published; on the connection thread. */
    default void connected() {}

    /** The connection was lost (the session reconnects by itself); on Paho's callback thread. */
    default void disconnected(String why) {}

    /** The delivery probe saw no message for {@code silentMs}; the session reconnects next. */
    default void stalled(long silentMs) {}

    /** A QoS 1 or 2 publish of the current client completed; on Paho's callback thread. */
    default void deliveryComplete(IMqttToken token) {}
  }

  private static final class Subscription {
    final String filter;
    final int qos;
    final MessageHandler handler;
    final String[] levels;

    Subscription(String filter, int qos, MessageHandler handler) {
      this.filter = filter;
      this.qos = qos;
      this.handler = handler;
      this.levels = TopicFilter.withoutShare(filter).split("/", -1);
    }
  }

  private final String name;
  private final String serverUri;
  private final String clientId;
  private final MqttConnectionOptions options;
  private final MqttClientPersistence persistence;
  private final long operationTimeoutMs;
  private final long minDelayMs;
  private final long maxDelayMs;
  private final String statusTopic;
  private final Listener listener;
  private final DeliveryProbe probe;
  private final Map<String, Subscription> subscriptions = Collections.synchronizedMap(new java.util.LinkedHashMap<>());
  private final ScheduledThreadPoolExecutor connector;
  private final Object lock = new Object();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean connectScheduled = new AtomicBoolean();
  private final AtomicLong connects = new AtomicLong();
  private final AtomicLong stalls = new AtomicLong();
  /** The current Paho client; replaced by a fresh one for each connect attempt. */
  private volatile MqttAsyncClient client;
  private volatile boolean ready;
  private volatile boolean closed;
  private volatile CountDownLatch readyLatch = new CountDownLatch(1);
  private long delayMs;

  private MqttSession(Builder b) {
    this.name = b.name == null ? b.clientId : b.name;
    this.serverUri = b.serverUri;
    this.clientId = b.clientId;
    this.persistence = b.persistence;
    this.operationTimeoutMs = b.operationTimeoutMs;
    this.minDelayMs = b.minDelayMs;
    this.maxDelayMs = b.maxDelayMs;
    this.delayMs = b.minDelayMs;
    this.statusTopic = b.statusTopic;
    this.listener = b.listener;
    options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setSessionExpiryInterval(0L);
    options.setAutomaticReconnect(false); // the session's own loop; see the design note
    options.setKeepAliveInterval(b.keepAliveSeconds);
    options.setConnectionTimeout((int) Math.max(1, (b.operationTimeoutMs + 999) / 1000));
    options.setSocketFactory(b.socketFactory());
    if (b.maximumPacketSize > 0) {
      options.setMaximumPacketSize(b.maximumPacketSize);
    }
    if (b.username != null) {
      options.setUserName(b.username);
      options.setPassword(b.password == null ? new byte[0] : b.password.clone());
    }
    if (statusTopic != null) {
      options.setWill(statusTopic, status(STATUS_OFFLINE));
    }
    int n = INSTANCES.incrementAndGet();
    connector = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "mqtt-session-" + n);
      t.setDaemon(true);
      return t;
    });
    connector.setRemoveOnCancelPolicy(true);
    connector.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    probe = b.probeIntervalMs > 0
        ? new DeliveryProbe(name, b.probeTopic, b.probeIntervalMs, b.probeTimeoutMs, this::publish,
            this::isReady, this::onStall)
        : null;
  }

  /** A builder for a session with {@code serverUri} ({@code tcp://} or {@code ssl://}) and client id. */
  public static Builder builder(String serverUri, String clientId) {
    return new Builder(serverUri, clientId);
  }

  // ---- lifecycle

  /**
   * Starts connecting in the background and returns at once; the session reconnects after every
   * loss until {@link #close()}. Idempotent.
   */
  public MqttSession start() {
    if (closed) {
      throw new IllegalStateException(name + ": session is closed");
    }
    if (started.compareAndSet(false, true)) {
      if (probe != null) {
        probe.start();
      }
      scheduleConnect(0);
    }
    return this;
  }

  /**
   * Connects now, waiting for the first attempt (connect, subscribe, status); later losses
   * reconnect in the background as after {@link #start()}.
   *
   * @throws MqttException when the first attempt fails (the session is not retrying then: close it)
   * @throws IllegalStateException if already started or closed
   */
  public MqttSession connect() throws MqttException {
    if (closed || !started.compareAndSet(false, true)) {
      throw new IllegalStateException(name + ": connect() on a session already started or closed");
    }
    Future<?> attempt = connector.submit(() -> {
      attempt();
      return null;
    });
    try {
      attempt.get(3 * operationTimeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof MqttException) {
        throw (MqttException) c;
      }
      throw new MqttException(MqttClientException.REASON_CODE_UNEXPECTED_ERROR, c);
    } catch (TimeoutException e) {
      attempt.cancel(true);
      throw new MqttException(MqttClientException.REASON_CODE_CLIENT_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      attempt.cancel(true);
      throw new MqttException(MqttClientException.REASON_CODE_UNEXPECTED_ERROR, e);
    }
    if (probe != null) {
      probe.start();
    }
    return this;
  }

  /** Connected, subscribed and not closed. */
  public boolean isReady() {
    return ready && !closed;
  }

  /** Waits until ready, or the timeout passes. @return whether ready */
  public boolean awaitReady(long timeout, TimeUnit unit) throws InterruptedException {
    long until = System.nanoTime() + unit.toNanos(timeout);
    while (!ready && !closed) {
      long left = until - System.nanoTime();
      if (left <= 0 || readyLatch.await(left, TimeUnit.NANOSECONDS)) {
        break;
      }
    }
    return isReady();
  }

  /** Successful connects so far. */
  public long connectCount() {
    return connects.get();
  }

  /** Delivery stalls the probe saw so far. */
  public long stallCount() {
    return stalls.get();
  }

  /** The probe topic, when probing. */
  public String probeTopic() {
    return probe == null ? "" : probe.topic();
  }

  /** The broker URI. */
  public String serverUri() {
    return serverUri;
  }

  // ---- subscriptions and publishing

  /**
   * Adds a subscription, made now when connected and again after every connect. {@code $share}
   * filters work: messages are routed by topic.
   *
   * @return completes once the broker granted it on the live connection (at once before {@link
   *     #start()}: the first connect makes it); fails when it was refused, and the session then
   *     reconnects, which subscribes everything again
   */
  public CompletableFuture<Void> subscribe(String filter, int qos, MessageHandler handler) {
    return subscribe(Collections.singletonList(filter), qos, handler);
  }

  /**
   * Like {@link #subscribe(String, int, MessageHandler)} for several filters with one handler, in
   * one SUBSCRIBE: their retained messages come after the one SUBACK.
   */
  public CompletableFuture<Void> subscribe(List<String> filters, int qos, MessageHandler handler) {
    Objects.requireNonNull(handler, "handler");
    List<Subscription> s = new ArrayList<>();
    for (String filter : filters) {
      Subscription one = new Subscription(Objects.requireNonNull(filter, "filter"), qos, handler);
      s.add(one);
      subscriptions.put(filter, one);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!started.get() || closed) {
      done.complete(null);
      return done;
    }
    try {
      connector.execute(() -> subscribeNow(s, done));
    } catch (RejectedExecutionException e) {
      done.complete(null); // closing: nothing to subscribe for
    }
    return done;
  }

  /** Removes a subscription, unsubscribing now (waiting up to the operation timeout) when connected. */
  public void unsubscribe(String filter) {
    subscriptions.remove(filter);
    MqttAsyncClient c = client;
    if (c != null && c.isConnected()) {
      try {
        c.unsubscribe(filter).waitForCompletion(operationTimeoutMs);
      } catch (MqttException e) {
        log.warn("{}: unsubscribe from {} failed: {}", name, filter, e.toString());
      }
    }
  }

  /**
   * Publishes on the current client (asynchronously: the token completes when written for QoS 0,
   * on PUBACK for QoS 1).
   *
   * @throws MqttException when not connected, or when Paho refuses it (its in-flight window full)
   */
  public IMqttToken publish(String topic, MqttMessage message) throws MqttException {
    MqttAsyncClient c = client;
    if (c == null) {
      throw new MqttException(MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED);
    }
    return c.publish(topic, message);
  }

  /** Publishes and waits up to the operation timeout for completion. */
  public void publishAndWait(String topic, byte[] payload, int qos, boolean retained) throws MqttException {
    MqttMessage m = new MqttMessage(payload);
    m.setQos(qos);
    m.setRetained(retained);
    publish(topic, m).waitForCompletion(operationTimeoutMs);
  }

  /** Whether the current client is connected (it may not be subscribed yet). */
  public boolean isConnected() {
    MqttAsyncClient c = client;
    return c != null && c.isConnected();
  }

  // ---- closing

  /**
   * Publishes {@code offline} on the status topic, disconnects cleanly and stops reconnecting.
   * Idempotent.
   */
  @Override
  public void close() {
    if (!stop()) {
      return;
    }
    MqttAsyncClient c = client;
    if (c != null) {
      try {
        if (c.isConnected()) {
          if (statusTopic != null) {
            c.publish(statusTopic, status(STATUS_OFFLINE)).waitForCompletion(operationTimeoutMs);
          }
          c.disconnect(operationTimeoutMs).waitForCompletion(operationTimeoutMs);
        }
      } catch (MqttException e) {
        log.debug("{}: clean disconnect failed, closing anyway: {}", name, e.toString());
      }
      closeClient(c);
    }
  }

  /** Drops the connection at once, as a crash would: no status, no clean disconnect (the will goes out). */
  public void abort() {
    if (!stop()) {
      return;
    }
    MqttAsyncClient c = client;
    if (c != null) {
      discard(c);
    }
  }

  private boolean stop() {
    synchronized (lock) {
      if (closed) {
        return false;
      }
      closed = true;
      ready = false;
    }
    if (probe != null) {
      probe.close();
    }
    connector.shutdownNow();
    readyLatch.countDown();
    return true;
  }

  // ---- connecting (connection thread only)

  private void scheduleConnect(long delay) {
    if (closed || !connectScheduled.compareAndSet(false, true)) {
      return;
    }
    try {
      connector.schedule(this::connectLoop, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      connectScheduled.set(false); // closing
    }
  }

  private void connectLoop() {
    connectScheduled.set(false);
    if (closed || ready) {
      return;
    }
    try {
      attempt();
    } catch (MqttException | RuntimeException e) {
      if (closed) {
        return;
      }
      long delay;
      synchronized (lock) {
        delay = delayMs;
        delayMs = Math.min(maxDelayMs, delayMs * 2);
      }
      log.debug("{}: connect to {} failed ({}), retrying in {} ms", name, serverUri, e.toString(), delay);
      scheduleConnect(delay);
    }
  }

  /** One connect attempt on a fresh client: connect, subscribe everything, publish status. */
  private void attempt() throws MqttException {
    MqttAsyncClient old = client;
    MqttAsyncClient c = newClient();
    client = c; // before the old one goes, so that its last callbacks are ignored
    if (old != null) {
      discard(old);
    }
    try {
      c.connect(options).waitForCompletion(operationTimeoutMs);
      List<Subscription> subs;
      synchronized (subscriptions) {
        subs = new ArrayList<>(subscriptions.values());
      }
      subscribe(c, subs, probe != null && probe.enabled());
      if (statusTopic != null) {
        c.publish(statusTopic, status(STATUS_ONLINE));
      }
    } catch (MqttException | RuntimeException e) {
      discard(c);
      throw e;
    }
    synchronized (lock) {
      if (closed) {
        discard(c); // close() raced with this attempt
        return;
      }
      ready = true;
      delayMs = minDelayMs;
      connects.incrementAndGet();
      readyLatch.countDown();
    }
    if (!c.isConnected()) {
      lost("connection lost while subscribing", c); // its disconnect callback may have come first
      return;
    }
    if (probe != null) {
      probe.arrived(); // the silence counts from the subscription
    }
    log.info("{}: connected to {}", name, serverUri);
    listener.connected();
  }

  private void subscribe(MqttAsyncClient c, List<Subscription> subs, boolean withProbe) throws MqttException {
    List<MqttSubscription> all = new ArrayList<>();
    for (Subscription s : subs) {
      all.add(new MqttSubscription(s.filter, s.qos));
    }
    if (withProbe) {
      all.add(new MqttSubscription(probe.topic(), 0));
    }
    if (all.isEmpty()) {
      return;
    }
    IMqttToken t = c.subscribe(all.toArray(new MqttSubscription[0]));
    t.waitForCompletion(operationTimeoutMs);
    int[] codes = t.getReasonCodes();
    for (int i = 0; i < subs.size(); i++) {
      int code = codes != null && codes.length > i ? codes[i] : 0;
      if (code >= 0x80) {
        String why = "the broker refused the subscription to " + subs.get(i).filter + " (reason code 0x"
            + Integer.toHexString(code) + "); check its ACL";
        log.error("{}: {}", name, why);
        throw new MqttException(code, new IllegalStateException(why));
      }
    }
    if (withProbe && codes != null && codes.length > subs.size() && codes[subs.size()] >= 0x80) {
      probe.disable("the broker refused the subscription to " + probe.topic() + " (reason code 0x"
          + Integer.toHexString(codes[subs.size()]) + "); allow " + name + " to read and write it (docs/mosquitto/acl)");
    }
  }

  /** A subscription added while connected; a failure reconnects, which subscribes everything. */
  private void subscribeNow(List<Subscription> s, CompletableFuture<Void> done) {
    MqttAsyncClient c = client;
    if (closed || !ready || c == null) {
      done.complete(null); // the next connect subscribes them
      return;
    }
    try {
      subscribe(c, s, false);
      done.complete(null);
    } catch (MqttException | RuntimeException e) {
      log.warn("{}: subscribe to {} failed ({}); reconnecting", name, s.get(0).filter, e.toString());
      done.completeExceptionally(e);
      lost("subscribe failed", c);
    }
  }

  private void onStall(long silentMs) {
    MqttAsyncClient c = client;
    stalls.incrementAndGet();
    log.error("{}: no message from the broker for {} ms although the connection is up (its own probe on {} did not"
        + " come back): the broker stopped delivering; reconnecting with a fresh client", name, silentMs, probe.topic());
    try {
      listener.stalled(silentMs);
    } catch (RuntimeException e) {
      log.error("{}: stall listener failed", name, e);
    }
    lost("delivery stalled", c);
  }

  /** The connection of {@code owner} is gone or useless: not ready, and reconnect. */
  private void lost(String why, MqttAsyncClient owner) {
    synchronized (lock) {
      if (closed || owner != client) {
        return; // closing, or a discarded client
      }
      ready = false;
      if (readyLatch.getCount() == 0) {
        readyLatch = new CountDownLatch(1);
      }
    }
    scheduleConnect(minDelayMs);
  }

  private MqttAsyncClient newClient() throws MqttException {
    MqttAsyncClient c = new MqttAsyncClient(serverUri, clientId, persistence);
    c.setCallback(new Callback(c));
    return c;
  }

  /** Drops a client we no longer use; its late callbacks are ignored. */
  private void discard(MqttAsyncClient c) {
    try {
      if (c.isConnected()) {
        c.disconnectForcibly(0L, 100L, false);
      }
    } catch (MqttException | RuntimeException e) {
      log.debug("{}: dropping the old connection: {}", name, e.toString());
    }
    closeClient(c);
  }

  private void closeClient(MqttAsyncClient c) {
    try {
      c.close(true);
    } catch (MqttException | RuntimeException e) {
      log.debug("{}: closing the client: {}", name, e.toString()); // it is dropped either way
    }
  }

  private static MqttMessage status(String payload) {
    MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
    m.setQos(1);
    m.setRetained(true);
    return m;
  }

  private void route(String topic, MqttMessage message) {
    List<Subscription> subs;
    synchronized (subscriptions) {
      subs = new ArrayList<>(subscriptions.values());
    }
    String[] levels = topic.split("/", -1);
    for (Subscription s : subs) {
      if (TopicFilter.matches(s.levels, levels)) {
        try {
          s.handler.messageArrived(topic, message);
        } catch (RuntimeException e) {
          // a handler bug must not take the connection down (Paho disconnects on a throw)
          log.error("{}: handler for {} failed on {}", name, s.filter, topic, e);
        }
      }
    }
  }

  private final class Callback implements MqttCallback {
    private final MqttAsyncClient owner;

    Callback(MqttAsyncClient owner) {
      this.owner = owner;
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      if (owner != client || closed) {
        return; // a discarded client, or closing
      }
      String why = response.getException() != null ? response.getException().toString()
          : "disconnected by the broker (reason " + response.getReturnCode() + ")";
      log.info("{}: connection to {} lost: {}", name, serverUri, why);
      boolean wasReady = ready;
      lost(why, owner);
      if (wasReady) {
        try {
          listener.disconnected(why);
        } catch (RuntimeException e) {
          log.error("{}: disconnect listener failed", name, e);
        }
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      log.warn("{}: MQTT error: {}", name, exception.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      if (probe != null) {
        if (owner == client) {
          probe.arrived(); // any delivery proves the broker delivers
        }
        if (probe.topic().equals(topic)) {
          return;
        }
      }
      route(topic, message);
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      if (owner == client) {
        listener.deliveryComplete(token);
      }
    }

    @Override
    public void connectComplete(boolean reconnect, String uri) {
      // the connection thread subscribes once connect() returns; nothing to do on this thread
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
      // no enhanced authentication
    }
  }

  /** Builder for {@link MqttSession}; fails fast, naming the option. */
  public static final class Builder {
    private final String serverUri;
    private final String clientId;
    private String name;
    private String username;
    private byte[] password;
    private SocketFactory socketFactory;
    private int keepAliveSeconds = 30;
    private long operationTimeoutMs = 10_000;
    private long minDelayMs = 100;
    private long maxDelayMs = 10_000;
    private String statusTopic;
    private String probeTopic;
    private long probeIntervalMs;
    private long probeTimeoutMs;
    private Listener listener = new Listener() {};
    private long maximumPacketSize;
    private MqttClientPersistence persistence = new MemoryPersistence();

    private Builder(String serverUri, String clientId) {
      this.serverUri = serverUri;
      this.clientId = clientId;
    }

    /** Names the session in log lines; default the client id. */
    public Builder name(String name) {
      this.name = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Username and password (UTF-8) for the broker. */
    public Builder credentials(String username, byte[] password) {
      if (username == null || username.isEmpty()) {
        throw new IllegalArgumentException("credentials: username must not be empty");
      }
      this.username = username;
      this.password = password == null ? null : password.clone();
      return this;
    }

    /** Username and password for the broker. */
    public Builder credentials(String username, char[] password) {
      byte[] p = null;
      if (password != null) {
        java.nio.ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
        p = new byte[b.remaining()];
        b.get(p);
      }
      return credentials(username, p);
    }

    /**
     * The socket factory, plain for {@code tcp://} or an {@link SSLSocketFactory} for {@code
     * ssl://}; wrapped to set {@code TCP_NODELAY}. Default: the platform's, by scheme.
     */
    public Builder socketFactory(SocketFactory factory) {
      this.socketFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** TLS from PEM files: CA (null: the platform's trust store), client certificate and PKCS#8 key (or neither). */
    public Builder tls(Path caPem, Path clientCertPem, Path clientKeyPem) {
      this.socketFactory = MqttSockets.tls(caPem, clientCertPem, clientKeyPem);
      return this;
    }

    /** MQTT keep-alive. Default 30 s. */
    public Builder keepAliveSeconds(int seconds) {
      if (seconds < 0) {
        throw new IllegalArgumentException("keepAliveSeconds must be >= 0, was " + seconds);
      }
      this.keepAliveSeconds = seconds;
      return this;
    }

    /** Limit for connect, subscribe, publish-and-wait and disconnect. Default 10 s. */
    public Builder operationTimeoutMs(long ms) {
      if (ms < 1) {
        throw new IllegalArgumentException("operationTimeoutMs must be >= 1, was " + ms);
      }
      this.operationTimeoutMs = ms;
      return this;
    }

    /** Back-off between connect attempts: doubles from {@code minMs} up to {@code maxMs}. Default 100 ms to 10 s. */
    public Builder reconnectDelayMs(long minMs, long maxMs) {
      if (minMs < 1 || maxMs < minMs) {
        throw new IllegalArgumentException("reconnectDelayMs needs 1 <= min <= max, was " + minMs + ", " + maxMs);
      }
      this.minDelayMs = minMs;
      this.maxDelayMs = maxMs;
      return this;
    }

    /** A retained status topic: {@code offline} as the will and on close, {@code online} after each connect. */
    public Builder statusTopic(String topic) {
      this.statusTopic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /**
     * The delivery probe on the session's own, unshared {@code topic}; {@code intervalMs} 0
     * turns it off.
     *
     * @throws IllegalArgumentException unless the interval is >= 0 and the timeout at least twice it
     */
    public Builder deliveryProbe(String topic, long intervalMs, long timeoutMs) {
      if (intervalMs < 0 || (intervalMs > 0 && timeoutMs < 2 * intervalMs)) {
        throw new IllegalArgumentException("probe: interval must be >= 0 and the timeout at least twice it, got "
            + intervalMs + " and " + timeoutMs + " ms");
      }
      this.probeTopic = Objects.requireNonNull(topic, "topic");
      this.probeIntervalMs = intervalMs;
      this.probeTimeoutMs = timeoutMs;
      return this;
    }

    /** Connection events. */
    public Builder listener(Listener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    /** The largest packet this client accepts; the broker drops larger publishes for it. Default: no limit. */
    public Builder maximumPacketSize(long bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maximumPacketSize must be >= 1, was " + bytes);
      }
      this.maximumPacketSize = bytes;
      return this;
    }

    /** Paho persistence; default {@link MemoryPersistence}. */
    public Builder persistence(MqttClientPersistence persistence) {
      this.persistence = Objects.requireNonNull(persistence, "persistence");
      return this;
    }

    /**
     * The session, not yet connected.
     *
     * @throws IllegalStateException naming a missing or invalid option
     */
    public MqttSession build() {
      String scheme = checkServerUri(serverUri);
      if (clientId == null || clientId.isEmpty()) {
        throw new IllegalStateException("clientId is required");
      }
      if (socketFactory instanceof SSLSocketFactory && "tcp".equals(scheme)) {
        throw new IllegalStateException("TLS is configured but serverUri is " + serverUri + "; use ssl://");
      }
      try {
        new MqttAsyncClient(serverUri, clientId, new MemoryPersistence()).close(true); // a URI Paho cannot use
      } catch (MqttException e) {
        throw new IllegalStateException("cannot create an MQTT client for " + serverUri + ": " + e.getMessage(), e);
      }
      return new MqttSession(this);
    }

    SocketFactory socketFactory() {
      SocketFactory f = socketFactory;
      if (f == null) {
        f = serverUri.startsWith("ssl:") ? SSLSocketFactory.getDefault() : SocketFactory.getDefault();
      }
      return f instanceof SSLSocketFactory ? MqttSockets.noDelay((SSLSocketFactory) f) : MqttSockets.noDelay(f);
    }
  }

  /**
   * The scheme of a broker URI, {@code tcp} or {@code ssl}.
   *
   * @throws IllegalStateException when the URI is missing, malformed or of another scheme
   */
  public static String checkServerUri(String serverUri) {
    if (serverUri == null || serverUri.isEmpty()) {
      throw new IllegalStateException("serverUri is required");
    }
    String scheme;
    try {
      scheme = URI.create(serverUri).getScheme();
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("serverUri '" + serverUri + "' is not a URI", e);
    }
    if (!"tcp".equals(scheme) && !"ssl".equals(scheme)) {
      throw new IllegalStateException("serverUri must start with tcp:// or ssl://, was " + serverUri);
    }
    return scheme;
  }

  /** MQTT topic filter matching, for routing in the client callback. */
  static final class TopicFilter {
    private TopicFilter() {}

    /** A filter without its {@code $share/group/} part. */
    static String withoutShare(String filter) {
      if (filter.startsWith("$share/")) {
        int slash = filter.indexOf('/', "$share/".length());
        return slash < 0 ? filter : filter.substring(slash + 1);
      }
      return filter;
    }

    static boolean matches(String filter, String topic) {
      return matches(withoutShare(filter).split("/", -1), topic.split("/", -1));
    }

    static boolean matches(String[] f, String[] t) {
      for (int i = 0; i < f.length; i++) {
        if (f[i].equals("#")) {
          return true;
        }
        if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
          return false;
        }
      }
      return f.length == t.length;
    }
  }

  @Override
  public String toString() {
    return "MqttSession{" + name + " " + serverUri + (ready ? " ready" : "") + (closed ? " closed" : "") + "}";
  }
}
