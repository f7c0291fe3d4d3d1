package dev.tandem.runtime;

import dev.tandem.runtime.internal.mqtt.MqttSession;
import dev.tandem.runtime.internal.offload.MqttOffloader;
import dev.tandem.runtime.internal.protocol.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.SocketFactory;
import javax.net.ssl.SSLSocketFactory;

/**
 * How a {@link Tandem} reaches its cloud relay: an MQTT 5 broker, its TLS and credentials, and
 * the offload limits. An immutable description; {@link Tandem.Builder#cloud(CloudConnection)}
 * opens it under the Tandem's own device id when the Tandem is built, connects in the
 * background (decisions fall back to the edge with reason {@code offline} until it is up, and
 * whenever it is down), and closes it with the Tandem. The Tandem's fleet traffic
 * ({@link Tandem.Builder#uploadRecords}, {@link Tandem.Builder#followPolicy}) goes to the same
 * broker, with the same TLS and credentials, on a background connection of its own.
 *
 * <pre>{@code
 * CloudConnection cloud = CloudConnection.builder()
 *     .serverUri("ssl://broker.example.com:8883")
 *     .tls(caPem, clientCertPem, clientKeyPem)
 *     .build();
 * }</pre>
 */
public final class CloudConnection {
  private final String serverUri;
  private final Topics topics;
  private final List<Consumer<MqttOffloader.Builder>> settings;

  private CloudConnection(Builder b) {
    this.serverUri = b.serverUri;
    this.topics = b.topics;
    this.settings = Collections.unmodifiableList(new ArrayList<>(b.settings));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The broker's URI. */
  public String serverUri() {
    return serverUri;
  }

  /**
   * The offload client for one device, not yet started.
   *
   * @throws IllegalStateException naming a conflicting option
   */
  MqttOffloader open(String deviceId) {
    return offloaderBuilder(deviceId).build();
  }

  /** The broker session for the device's background fleet traffic, not yet built. */
  MqttSession.Builder backgroundSession(String deviceId) {
    return offloaderBuilder(deviceId).backgroundSession(deviceId + "-logs");
  }

  /** The topic names the connection uses. */
  Topics topics() {
    return topics;
  }

  private MqttOffloader.Builder offloaderBuilder(String deviceId) {
    MqttOffloader.Builder b = MqttOffloader.builder().serverUri(serverUri).deviceId(deviceId).topics(topics);
    for (Consumer<MqttOffloader.Builder> s : settings) {
      s.accept(b);
    }
    return b;
  }

  @Override
  public String toString() {
    return "CloudConnection{" + serverUri + "}";
  }

  /** Builder for {@link CloudConnection}; each option fails fast, naming itself. */
  public static final class Builder {
    private String serverUri;
    private Topics topics = Topics.defaults();
    private final List<Consumer<MqttOffloader.Builder>> settings = new ArrayList<>();

    private Builder() {}

    /** The broker, {@code tcp://host:1883} or {@code ssl://host:8883}. Required. */
    public Builder serverUri(String serverUri) {
      this.serverUri = Objects.requireNonNull(serverUri, "serverUri");
      return this;
    }

    /** The topic prefix the relay serves; default {@code tandem/v1}. */
    public Builder topicPrefix(String prefix) {
      this.topics = Topics.withPrefix(prefix);
      return this;
    }

    /** Offloads in flight at once; beyond it, decisions fall back with {@code offload_cap}. Default 8. */
    public Builder maxConcurrentOffloads(int max) {
      if (max < 1) {
        throw new IllegalArgumentException("maxConcurrentOffloads must be >= 1, was " + max);
      }
      settings.add(b -> b.maxConcurrentOffloads(max));
      return this;
    }

    /**
     * How long after its deadline a reply is still recorded (as an amendment, and given to
     * {@link Tandem.Builder#lateReplyListener}). Default 10 s; 0 drops late replies.
     */
    public Builder lateReplyGraceMs(long ms) {
      if (ms < 0) {
        throw new IllegalArgumentException("lateReplyGraceMs must be >= 0, was " + ms);
      }
      settings.add(b -> b.lateReplyGraceMs(ms));
      return this;
    }

    /** Back-off between connect attempts: doubles from {@code minMs} up to {@code maxMs}. Default 100 ms to 10 s. */
    public Builder reconnectDelayMs(long minMs, long maxMs) {
      if (minMs < 1 || maxMs < minMs) {
        throw new IllegalArgumentException("reconnectDelayMs needs 1 <= min <= max, was " + minMs + ", " + maxMs);
      }
      settings.add(b -> b.reconnectDelayMs(minMs, maxMs));
      return this;
    }

    /** Limit for connect, subscribe and disconnect. Default 10 s. */
    public Builder operationTimeoutMs(long ms) {
      if (ms < 1) {
        throw new IllegalArgumentException("operationTimeoutMs must be >= 1, was " + ms);
      }
      settings.add(b -> b.operationTimeoutMs(ms));
      return this;
    }

    /** MQTT keep-alive. Default 30 s. */
    public Builder keepAliveSeconds(int seconds) {
      if (seconds < 0) {
        throw new IllegalArgumentException("keepAliveSeconds must be >= 0, was " + seconds);
      }
      settings.add(b -> b.keepAliveSeconds(seconds));
      return this;
    }

    /** Username and password for the broker (for example, a Mosquitto password file). */
    public Builder credentials(String username, char[] password) {
      if (username == null || username.isEmpty()) {
        throw new IllegalArgumentException("credentials: username must not be empty");
      }
      char[] copy = password == null ? null : password.clone();
      settings.add(b -> b.credentials(username, copy));
      return this;
    }

    /** TLS trusting the CA certificates in a PEM file (server authentication only). */
    public Builder tls(Path caPem) {
      return tls(caPem, null, null);
    }

    /** TLS with a client certificate: CA, client certificate and PKCS#8 key, all PEM. */
    public Builder tls(Path caPem, Path clientCertPem, Path clientKeyPem) {
      Objects.requireNonNull(caPem, "caPem");
      settings.add(b -> b.tls(caPem, clientCertPem, clientKeyPem));
      return this;
    }

    /** TLS through a given factory (wrapped to set {@code TCP_NODELAY}). */
    public Builder sslSocketFactory(SSLSocketFactory factory) {
      Objects.requireNonNull(factory, "factory");
      settings.add(b -> b.sslSocketFactory(factory));
      return this;
    }

    /** A plain socket factory for {@code tcp://} (wrapped to set {@code TCP_NODELAY}). */
    public Builder socketFactory(SocketFactory factory) {
      Objects.requireNonNull(factory, "factory");
      settings.add(b -> b.socketFactory(factory));
      return this;
    }

    /**
     * The connection description. Conflicting TLS options are reported when the Tandem that
     * uses it is built.
     *
     * @throws IllegalStateException if {@code serverUri} is missing
     */
    public CloudConnection build() {
      if (serverUri == null || serverUri.isEmpty()) {
        throw new IllegalStateException("serverUri is required");
      }
      return new CloudConnection(this);
    }
  }
}
