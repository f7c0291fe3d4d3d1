package dev.tandem.runtime.internal.offload;

import dev.tandem.runtime.internal.mqtt.MqttSession;
import dev.tandem.runtime.internal.mqtt.MqttSockets;
import dev.tandem.runtime.internal.protocol.FrameCodec;
import dev.tandem.runtime.internal.protocol.FrameException;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.offload.OffloadStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttClientPersistence;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * An {@link Offloader} over MQTT 5 (Eclipse Paho v5): each request is one QoS 0 publish on
 * {@code {prefix}/infer/{model}/{deviceId}} with a Response Topic ({@code {prefix}/result/{deviceId}})
 * and Correlation Data; the relay's reply comes back on that topic with the correlation data echoed.
 *
 * <pre>{@code
 * MqttOffloader offloader = MqttOffloader.builder()
 *     .serverUri("ssl://broker.example:8883")
 *     .deviceId("dev-42")
 *     .tls(caPem, clientCertPem, clientKeyPem)
 *     .build()
 *     .start();
 * OffloadResult r = offloader.offload(request).join(); // completes by the request's deadline
 * }</pre>
 *
 * <h2>Design note</h2>
 * <ul>
 *   <li><b>Deadlines.</b> A dedicated timer thread completes every future with
 *       {@link OffloadStatus#TIMEOUT} at {@code call time + budgetMs} if no reply came. A reply
 *       that arrives after the deadline is never an answer, even if the timer has not fired yet:
 *       it goes to the {@link LateReplyListener} (for an amendment record).
 *   <li><b>Correlation table.</b> Entries are removed by the reply, by the end of the late-reply
 *       grace window after a timeout, by a failed publish, and by a disconnect or
 *       {@link #close()} (which complete pending futures with {@link OffloadStatus#OFFLINE}).
 *       Nothing else adds to it, so it cannot leak.
 *   <li><b>Connection.</b> One {@link MqttSession}: a fresh Paho client per connect attempt
 *       with back-off, the result topic subscribed again after every connect (off Paho's
 *       callback thread), {@code TCP_NODELAY} sockets, TLS, credentials, and a retained {@code
 *       online} status on {@code {prefix}/status/{deviceId}} with a retained {@code offline} will
 *       and on close. Requests made while not connected and subscribed return {@link
 *       OffloadStatus#OFFLINE} at once.
 *   <li><b>Publish refusals.</b> Paho 1.2.5 counts QoS 0 publishes against the broker's Receive
 *       Maximum and throws "Too many publishes in progress" (32202) when a burst exceeds it; that,
 *       and every other refusal, completes the future with {@link OffloadStatus#PUBLISH_FAILED}
 *       and the reason, never an exception.
 * </ul>
 *
 * <p>Thread-safe. Futures complete on the timer thread (timeouts), Paho's callback thread
 * (replies) or the calling thread (immediate fallbacks); dependent actions should be short or use
 * the {@code *Async} variants, since a slow one delays other completions.
 */
public final class MqttOffloader implements Offloader {
  /** Payload of the retained status message while connected. */
  public static final String STATUS_ONLINE = MqttSession.STATUS_ONLINE;
  /** Payload of the retained status message after a disconnect (the will) or close. */
  public static final String STATUS_OFFLINE = MqttSession.STATUS_OFFLINE;

  private static final int CORRELATION_BYTES = 12;
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final String serverUri;
  private final String deviceId;
  private final Topics topics;
  private final FrameCodec codec;
  private final int maxConcurrentOffloads;
  private final long lateReplyGraceMs;
  private final String resultTopic;
  /** The connection: fresh client per attempt, result topic restored after every connect, status. */
  private final MqttSession session;

  private final ScheduledThreadPoolExecutor timer;
  private final Map<Long, Pending> table = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong droppedReplies = new AtomicLong();
  private final byte[] instanceId = new byte[4];
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile boolean closed;

  private MqttOffloader(Builder b) {
    this.serverUri = b.serverUri;
    this.deviceId = b.deviceId;
    this.topics = b.topics;
    this.codec = b.codec;
    this.maxConcurrentOffloads = b.maxConcurrentOffloads;
    this.lateReplyGraceMs = b.lateReplyGraceMs;
    this.resultTopic = topics.result(deviceId);
    new SecureRandom().nextBytes(instanceId);

    MqttSession.Builder sb = MqttSession.builder(serverUri, b.clientId == null ? deviceId : b.clientId)
        .name("offloader " + deviceId)
        .statusTopic(topics.status(deviceId))
        .keepAliveSeconds(b.keepAliveSeconds)
        .operationTimeoutMs(b.operationTimeoutMs)
        .reconnectDelayMs(b.minReconnectDelayMs, b.maxReconnectDelayMs)
        .persistence(b.persistence)
        .listener(new MqttSession.Listener() {
          @Override
          public void disconnected(String why) {
            failAll("connection to the broker lost: " + why);
          }
        });
    if (b.socketFactory() != null) {
      sb.socketFactory(b.socketFactory());
    }
    if (b.username != null) {
      sb.credentials(b.username, b.password);
    }
    try {
      session = sb.build(); // fails fast on a URI Paho cannot use
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    session.subscribe(resultTopic, 0, (topic, message) -> onReply(message));

    // Load the result classes now rather than on the timer thread at the first deadline.
    new CompletableFuture<OffloadResult>().complete(OffloadResult.builder(OffloadStatus.TIMEOUT).message("").build());

    int n = INSTANCES.incrementAndGet();
    timer = daemonExecutor("tandem-offload-timer-" + n, Thread.MAX_PRIORITY);
  }

  /** A builder; {@code serverUri} and {@code deviceId} are required. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts connecting in the background and returns at once; the offloader reconnects on its
   * own after every disconnect until {@link #close()}. Idempotent.
   *
   * @return this
   */
  public MqttOffloader start() {
    if (closed) {
      throw new IllegalStateException("offloader is closed");
    }
    if (started.compareAndSet(false, true)) {
      session.start();
    }
    return this;
  }

  /**
   * Waits until connected and subscribed, or the timeout passes.
   *
   * @return whether the offloader is available
   */
  public boolean awaitAvailable(long timeout, TimeUnit unit) throws InterruptedException {
    return session.awaitReady(timeout, unit) && !closed;
  }

  @Override
  public CompletableFuture<OffloadResult> offload(OffloadRequest request) {
    Objects.requireNonNull(request, "request");
    long start = System.nanoTime();
    if (closed) {
      return done(OffloadStatus.OFFLINE, "offloader is closed");
    }
    if (!session.isReady()) {
      return done(OffloadStatus.OFFLINE, "not connected to " + serverUri);
    }
    if (request.budgetMs() == 0) {
      return done(OffloadStatus.TIMEOUT, "no budget left to offload");
    }
    if (inFlight.incrementAndGet() > maxConcurrentOffloads) {
      inFlight.decrementAndGet();
      return done(OffloadStatus.OFFLOAD_CAP,
          maxConcurrentOffloads + " offloads in flight, the cap is " + maxConcurrentOffloads);
    }
    byte[] payload;
    String topic;
    try {
      topic = topics.infer(request.model(), deviceId);
      payload = codec.encodeRequest(RequestFrame.of(
          request.model(), request.budgetMs(), request.uplinkEstimateMs(), request.inputs()));
    } catch (FrameException | IllegalArgumentException e) {
      inFlight.decrementAndGet();
      return done(OffloadStatus.PUBLISH_FAILED, "request not sent: " + e.getMessage());
    }

    long seq = sequence.incrementAndGet();
    Pending p = new Pending(seq, request, start, start + TimeUnit.MILLISECONDS.toNanos(request.budgetMs()), payload.length);
    table.put(seq, p);
    try {
      p.timeout = timer.schedule(() -> onDeadline(p), p.deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      fail(p, OffloadStatus.OFFLINE, "offloader is closed"); // close() raced with this call
      return p.future;
    }

    MqttMessage message = new MqttMessage(payload);
    message.setQos(0);
    MqttProperties props = new MqttProperties();
    props.setResponseTopic(resultTopic);
    props.setCorrelationData(correlationData(seq));
    // Only a backstop for brokers holding the message: the relay works from the budget.
    props.setMessageExpiryInterval(Math.max(1L, (request.budgetMs() + 999) / 1000));
    message.setProperties(props);
    try {
      session.publish(topic, message);
    } catch (MqttException e) {
      boolean offline = e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED
          || e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_DISCONNECTING
          || e.getReasonCode() == MqttClientException.REASON_CODE_CONNECTION_LOST;
      fail(p, offline ? OffloadStatus.OFFLINE : OffloadStatus.PUBLISH_FAILED,
          "publish refused: " + e.getMessage() + " (" + e.getReasonCode() + ")");
    } catch (RuntimeException e) {
      fail(p, OffloadStatus.PUBLISH_FAILED, "publish refused: " + e);
    }
    return p.future;
  }

  @Override
  public boolean isAvailable() {
    return session.isReady() && !closed;
  }

  /** The device id this offloader publishes for. */
  public String deviceId() {
    return deviceId;
  }

  /** The topics it uses. */
  public Topics topics() {
    return topics;
  }

  /** Offloads sent and not yet completed. */
  public int inFlightCount() {
    return inFlight.get();
  }

  /** Replies that matched no entry of the correlation table (unknown, or after the grace window). */
  public long droppedReplies() {
    return droppedReplies.get();
  }

  /** Entries in the correlation table: offloads in flight and timed-out ones awaiting a late reply. */
  int correlationTableSize() {
    return table.size();
  }

  /** Successful connects so far. */
  long connectCount() {
    return session.connectCount();
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    session.close(); // offline status, clean disconnect
    failAll("offloader closed");
    timer.shutdownNow();
  }

  // ---- requests ----

  private static CompletableFuture<OffloadResult> done(OffloadStatus status, String message) {
    return CompletableFuture.completedFuture(OffloadResult.local(status, message));
  }

  private byte[] correlationData(long seq) {
    ByteBuffer b = ByteBuffer.allocate(CORRELATION_BYTES);
    b.put(instanceId).putLong(seq);
    return b.array();
  }

  private long sequenceOf(byte[] correlation) {
    if (correlation == null || correlation.length != CORRELATION_BYTES
        || !Arrays.equals(Arrays.copyOf(correlation, 4), instanceId)) {
      return -1;
    }
    return ByteBuffer.wrap(correlation, 4, 8).getLong();
  }

  private void onDeadline(Pending p) {
    if (p.claim()) {
      awaitLateReply(p);
      p.finish(timeout(p));
    }
  }

  private OffloadResult timeout(Pending p) {
    return OffloadResult.builder(OffloadStatus.TIMEOUT)
        .message(p.timeoutMessage)
        .bytesUp(p.bytesUp)
        .lateReply(lateReplyGraceMs == 0 ? null : p.late)
        .build();
  }

  private void awaitLateReply(Pending p) {
    if (lateReplyGraceMs == 0 || closed) {
      table.remove(p.seq, p);
      return;
    }
    try {
      p.expiry = timer.schedule(() -> table.remove(p.seq, p), lateReplyGraceMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      table.remove(p.seq, p); // closing: nothing waits for late replies any more
    }
  }

  private void fail(Pending p, OffloadStatus status, String message) {
    table.remove(p.seq, p);
    p.cancelTimers();
    p.complete(OffloadResult.builder(status).message(message).bytesUp(p.bytesUp).build());
  }

  private void failAll(String message) {
    for (Pending p : new ArrayList<>(table.values())) {
      fail(p, OffloadStatus.OFFLINE, message);
    }
  }

  private void onReply(MqttMessage message) {
    long now = System.nanoTime();
    MqttProperties props = message.getProperties();
    long seq = sequenceOf(props == null ? null : props.getCorrelationData());
    Pending p = seq < 0 ? null : table.get(seq);
    if (p == null) {
      droppedReplies.incrementAndGet();
      return;
    }
    byte[] payload = message.getPayload();
    OffloadResult.Builder r;
    try {
      ReplyFrame f = codec.decodeReply(payload);
      r = OffloadResult.builder(OffloadStatus.fromWireName(f.status().wireName()))
          .message(f.message())
          .outputs(f.status() == ReplyStatus.OK ? f.outputs() : new ArrayList<>())
          .relay(f.report());
    } catch (FrameException e) {
      r = OffloadResult.builder(OffloadStatus.INTERNAL_ERROR).message("reply rejected: " + e.getMessage());
    }
    OffloadResult result = r
        .roundTripMs((now - p.startNanos) / 1e6)
        .bytesUp(p.bytesUp)
        .bytesDown(payload.length)
        .build();
    if (now - p.deadlineNanos <= 0 && p.claim()) {
      table.remove(seq, p); // before the future completes, so callers see a clean table
      p.cancelTimers();
      p.finish(result);
      return;
    }
    // Past the deadline: never an answer, even if the timer has not fired yet.
    boolean claimed = p.claim();
    table.remove(seq, p);
    p.cancelTimers();
    if (claimed) {
      p.finish(timeout(p));
    }
    p.late.complete(result);
  }

  /** One entry of the correlation table. */
  private final class Pending {
    final long seq;
    final OffloadRequest request;
    final long startNanos;
    final long deadlineNanos;
    final long bytesUp;
    /** Built by the caller, so the timer thread does as little as possible at the deadline. */
    final String timeoutMessage;
    final CompletableFuture<OffloadResult> future = new CompletableFuture<>();
    /** The timeout result's late-reply stage; completed by a reply that comes within the grace. */
    final CompletableFuture<OffloadResult> late = new CompletableFuture<>();
    final AtomicBoolean completed = new AtomicBoolean();
    volatile ScheduledFuture<?> timeout;
    volatile ScheduledFuture<?> expiry;

    Pending(long seq, OffloadRequest request, long startNanos, long deadlineNanos, long bytesUp) {
      this.seq = seq;
      this.request = request;
      this.startNanos = startNanos;
      this.deadlineNanos = deadlineNanos;
      this.bytesUp = bytesUp;
      this.timeoutMessage = "no reply within " + request.budgetMs() + " ms";
    }

    /** Completes the future once; releases the concurrency slot. */
    boolean complete(OffloadResult result) {
      if (!claim()) {
        return false;
      }
      finish(result);
      return true;
    }

    /** Whether this caller is the one to complete the future. */
    boolean claim() {
      return completed.compareAndSet(false, true);
    }

    /** Completes the future; only after a successful {@link #claim()}. */
    void finish(OffloadResult result) {
      inFlight.decrementAndGet();
      future.complete(result);
    }

    void cancelTimers() {
      ScheduledFuture<?> t = timeout;
      if (t != null) {
        t.cancel(false);
      }
      ScheduledFuture<?> e = expiry;
      if (e != null) {
        e.cancel(false);
      }
    }
  }

  private static ScheduledThreadPoolExecutor daemonExecutor(String name, int priority) {
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      t.setPriority(priority);
      return t;
    });
    e.setRemoveOnCancelPolicy(true);
    e.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return e;
  }

  /** Builder for {@link MqttOffloader}; fails fast, naming the option. */
  public static final class Builder {
    private String serverUri;
    private String deviceId;
    private String clientId;
    private Topics topics = Topics.defaults();
    private FrameCodec codec = new FrameCodec();
    private int maxConcurrentOffloads = 8;
    private long lateReplyGraceMs = 10_000;
    private long minReconnectDelayMs = 100;
    private long maxReconnectDelayMs = 10_000;
    private long operationTimeoutMs = 10_000;
    private int keepAliveSeconds = 30;
    private String username;
    private byte[] password;
    private SocketFactory socketFactory;
    private SSLSocketFactory sslSocketFactory;
    private Path caPem;
    private Path clientCertPem;
    private Path clientKeyPem;
    private MqttClientPersistence persistence = new MemoryPersistence();

    private Builder() {}

    /** The broker, {@code tcp://host:1883} or {@code ssl://host:8883}. Required. */
    public Builder serverUri(String serverUri) {
      this.serverUri = serverUri;
      return this;
    }

    /** This device's id: a topic level, and the MQTT client id unless {@link #clientId} is set. Required. */
    public Builder deviceId(String deviceId) {
      this.deviceId = deviceId;
      return this;
    }

    /**
     * The MQTT client id; defaults to the device id. Another connection of the same device
     * (log upload, say) needs a different one, or the broker drops one of them.
     */
    public Builder clientId(String clientId) {
      this.clientId = clientId;
      return this;
    }

    /** Topic names; default prefix {@code tandem/v1}. */
    public Builder topics(Topics topics) {
      this.topics = Objects.requireNonNull(topics, "topics");
      return this;
    }

    /** The frame codec, for its size limits; default limits otherwise. */
    public Builder codec(FrameCodec codec) {
      this.codec = Objects.requireNonNull(codec, "codec");
      return this;
    }

    /** Offloads in flight at once; beyond it, requests fall back with {@code offload_cap}. Default 8. */
    public Builder maxConcurrentOffloads(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConcurrentOffloads must be >= 1, was " + max);
      }
      this.maxConcurrentOffloads = max;
      return this;
    }

    /** How long after a timeout a late reply still reaches the listener. Default 10 s; 0 drops them. */
    public Builder lateReplyGraceMs(long ms) {
      if (ms < 0) {
        throw new IllegalArgumentException("lateReplyGraceMs must be >= 0, was " + ms);
      }
      this.lateReplyGraceMs = ms;
      return this;
    }

    /** Back-off between connect attempts: doubles from {@code minMs} up to {@code maxMs}. Default 100 ms to 10 s. */
    public Builder reconnectDelayMs(long minMs, long maxMs) {
      if (minMs < 1 || maxMs < minMs) {
        throw new IllegalArgumentException("reconnectDelayMs needs 1 <= min <= max, was " + minMs + ", " + maxMs);
      }
      this.minReconnectDelayMs = minMs;
      this.maxReconnectDelayMs = maxMs;
      return this;
    }

    /** Limit for connect, subscribe and disconnect. Default 10 s. */
    public Builder operationTimeoutMs(long ms) {
      if (ms < 1) {
        throw new IllegalArgumentException("operationTimeoutMs must be >= 1, was " + ms);
      }
      this.operationTimeoutMs = ms;
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

    /** Username and password for the broker (for example, a Mosquitto password file). */
    public Builder credentials(String username, char[] password) {
      if (username == null || username.isEmpty()) {
        throw new IllegalArgumentException("credentials: username must not be empty");
      }
      this.username = username;
      this.password = null;
      if (password != null) {
        ByteBuffer b = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(password));
        this.password = new byte[b.remaining()];
        b.get(this.password);
      }
      return this;
    }

    /** TLS trusting the CA certificates in a PEM file (server authentication only). */
    public Builder tls(Path caPem) {
      return tls(caPem, null, null);
    }

    /** TLS with a client certificate: CA, client certificate and PKCS#8 key, all PEM. */
    public Builder tls(Path caPem, Path clientCertPem, Path clientKeyPem) {
      this.caPem = Objects.requireNonNull(caPem, "caPem");
      this.clientCertPem = clientCertPem;
      this.clientKeyPem = clientKeyPem;
      return this;
    }

    /** TLS through a given factory (wrapped to set {@code TCP_NODELAY}). */
    public Builder sslSocketFactory(SSLSocketFactory factory) {
      this.sslSocketFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** A plain socket factory for {@code tcp://} (wrapped to set {@code TCP_NODELAY}). */
    public Builder socketFactory(SocketFactory factory) {
      this.socketFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /** Paho persistence; default {@link MemoryPersistence}. */
    public Builder persistence(MqttClientPersistence persistence) {
      this.persistence = Objects.requireNonNull(persistence, "persistence");
      return this;
    }

    /**
     * Creates the offloader, not yet connected: call {@link MqttOffloader#start()}.
     *
     * @throws IllegalStateException naming a missing or conflicting option
     */
    public MqttOffloader build() {
      check();
      return new MqttOffloader(this);
    }

    private void check() {
      String scheme = MqttSession.checkServerUri(serverUri);
      if (deviceId == null || !Topics.isValidLevel(deviceId)) {
        throw new IllegalStateException("deviceId is required and must be a topic level without '/', '+', '#': " + deviceId);
      }
      boolean tls = caPem != null || sslSocketFactory != null;
      if (caPem != null && sslSocketFactory != null) {
        throw new IllegalStateException("tls(...) and sslSocketFactory(...) are alternatives; give one");
      }
      if (tls && socketFactory != null) {
        throw new IllegalStateException("socketFactory(...) is for tcp://; with TLS use sslSocketFactory(...)");
      }
      if (tls && "tcp".equals(scheme)) {
        throw new IllegalStateException("TLS is configured but serverUri is " + serverUri + "; use ssl://");
      }
      if (clientId != null && clientId.isEmpty()) {
        throw new IllegalStateException("clientId must not be empty");
      }
    }

    /**
     * A session to the same broker, with the same TLS, credentials and timeouts, under another
     * client id: the device's background connection for fleet traffic (log upload, policy).
     *
     * @throws IllegalStateException naming a missing or conflicting option, as {@link #build()}
     */
    public MqttSession.Builder backgroundSession(String clientId) {
      check();
      MqttSession.Builder sb = MqttSession.builder(serverUri, clientId)
          .keepAliveSeconds(keepAliveSeconds)
          .operationTimeoutMs(operationTimeoutMs)
          .reconnectDelayMs(minReconnectDelayMs, maxReconnectDelayMs);
      if (socketFactory() != null) {
        sb.socketFactory(socketFactory());
      }
      if (username != null) {
        sb.credentials(username, password);
      }
      return sb;
    }

    /** The configured factory, or null for the platform's by scheme; the session sets TCP_NODELAY. */
    SocketFactory socketFactory() {
      if (caPem != null) {
        return MqttSockets.tls(caPem, clientCertPem, clientKeyPem);
      }
      return sslSocketFactory != null ? sslSocketFactory : socketFactory;
    }
  }
}
