package dev.tandem.relay.policy;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.internal.mqtt.MqttSession;
import dev.tandem.runtime.internal.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Publishes fleet policies as retained MQTT messages, and keeps their history on the broker.
 *
 * <p>{@link #publish} validates the policy, reads the version retained on the fleet's policy
 * topic, and publishes the policy with version = that + 1, retained, at QoS 1; it also retains
 * the same content on {@code {prefix}/policy-history/{fleet}/{model}/{version}}, which is
 * where {@link #rollback} finds an older policy to republish under a new version. Devices
 * subscribe only to the exact policy topic, so the history never reaches them.
 *
 * <p>Two operators publishing to one fleet at the same moment can pick the same version; the
 * devices then keep the first one they received (they apply only newer versions). Publish from
 * one place (a CI job) per fleet.
 *
 * <p>Not thread-safe; one instance per command. {@link #close()} disconnects.
 */
public final class PolicyPublisher implements AutoCloseable {
  /** How long to wait for a retained message after the subscription is acknowledged. */
  private static final long RETAINED_GRACE_MS = 700;

  private final MqttSession session;
  private final String prefix;

  /** Thrown when a policy fails validation, or a version to roll back to does not exist. */
  public static final class PolicyRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public PolicyRejectedException(String message) {
      super(message);
    }
  }

  /** The outcome of a publish or rollback. */
  public static final class Published {
    public final String topic;
    public final long version;
    public final long previousVersion;
    public final String json;

    Published(String topic, long version, long previousVersion, String json) {
      this.topic = topic;
      this.version = version;
      this.previousVersion = previousVersion;
      this.json = json;
    }
  }

  /**
   * Connects to the broker.
   *
   * @throws MqttException when the connection fails
   */
  public PolicyPublisher(String brokerUrl, String prefix, String username, char[] password,
      javax.net.SocketFactory socketFactory) throws MqttException {
    this.prefix = prefix;
    MqttSession.Builder b = MqttSession.builder(brokerUrl, "tandem-publish-" + UUID.randomUUID().toString()
        .substring(0, 8));
    if (username != null) {
      b.credentials(username, password == null ? new char[0] : password);
    }
    if (socketFactory != null) {
      b.socketFactory(socketFactory);
    }
    try {
      session = b.build();
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    try {
      session.connect();
    } catch (MqttException | RuntimeException e) {
      session.close();
      throw e;
    }
  }

  public String policyTopic(String fleet, String model) {
    return Topics.withPrefix(prefix).policy(fleet, model);
  }

  public String historyTopic(String fleet, String model, long version) {
    return prefix + "/policy-history/" + fleet + "/" + model + "/" + version;
  }

  /**
   * Validates {@code policyJson} and publishes it as the next version for (fleet, model).
   *
   * @throws PolicyRejectedException with the validator's message when the policy is invalid
   * @throws MqttException when the broker cannot be reached
   */
  public Published publish(String fleet, String model, String policyJson)
      throws PolicyRejectedException, MqttException, InterruptedException {
    checkSegment("fleet", fleet);
    checkSegment("model", model);
    PolicyJson.validate(policyJson); // before touching the broker: a bad file changes nothing
    long current = currentVersion(fleet, model);
    return publishAs(fleet, model, policyJson, current);
  }

  /**
   * Republishes the content of version {@code version} under a new version (retained + 1).
   *
   * @throws PolicyRejectedException when that version is not in the history, or no longer
   *     validates
   */
  public Published rollback(String fleet, String model, long version)
      throws PolicyRejectedException, MqttException, InterruptedException {
    checkSegment("fleet", fleet);
    checkSegment("model", model);
    Optional<String> old = retained(historyTopic(fleet, model, version));
    if (!old.isPresent()) {
      throw new PolicyRejectedException("no policy version " + version + " in the history of "
          + fleet + "/" + model + " (" + historyTopic(fleet, model, version) + ")");
    }
    PolicyJson.validate(old.get());
    long current = currentVersion(fleet, model);
    if (version >= current) {
      throw new PolicyRejectedException("version " + version + " is not older than the current "
          + "version " + current + "; nothing to roll back to");
    }
    return publishAs(fleet, model, old.get(), current);
  }

  /** The version retained on the fleet's policy topic, 0 when none is. */
  public long currentVersion(String fleet, String model)
      throws MqttException, InterruptedException, PolicyRejectedException {
    Optional<String> cur = retained(policyTopic(fleet, model));
    if (!cur.isPresent()) {
      return 0;
    }
    try {
      return PolicyJson.version(cur.get());
    } catch (RuntimeException e) {
      throw new PolicyRejectedException("the retained policy on " + policyTopic(fleet, model)
          + " has no readable version (" + e.getMessage() + "); clear it or publish by hand");
    }
  }

  private Published publishAs(String fleet, String model, String policyJson, long current)
      throws MqttException, PolicyRejectedException {
    long next = current + 1;
    JsonObject obj = JsonParser.parseString(policyJson).getAsJsonObject();
    obj.addProperty(PolicyJson.VERSION, next);
    String out = new GsonBuilder().setPrettyPrinting().create().toJson(obj);
    PolicyJson.validate(out);
    byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
    // History first: a crash between the two leaves a history entry devices never see.
    session.publishAndWait(historyTopic(fleet, model, next), bytes, 1, true);
    session.publishAndWait(policyTopic(fleet, model), bytes, 1, true);
    return new Published(policyTopic(fleet, model), next, current, out);
  }

  private Optional<String> retained(String topic) throws MqttException, InterruptedException {
    AtomicReference<String> got = new AtomicReference<>();
    CountDownLatch arrived = new CountDownLatch(1);
    try {
      session.subscribe(topic, 1, (t, m) -> {
        if (t.equals(topic) && m.isRetained()) {
          got.set(new String(m.getPayload(), StandardCharsets.UTF_8));
          arrived.countDown();
        }
      }).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new MqttException(MqttClientException.REASON_CODE_UNEXPECTED_ERROR, e);
    }
    // The broker sends retained messages right after the SUBACK; wait a little for one.
    arrived.await(RETAINED_GRACE_MS, TimeUnit.MILLISECONDS);
    session.unsubscribe(topic);
    return Optional.ofNullable(got.get());
  }

  private static void checkSegment(String what, String v) {
    if (v == null || v.isEmpty() || v.contains("/") || v.contains("+") || v.contains("#")) {
      throw new IllegalArgumentException(what + " must be a single topic level, was " + v);
    }
  }

  @Override
  public void close() {
    session.close();
  }

  static JsonElement parse(String s) {
    return JsonParser.parseString(s);
  }
}
