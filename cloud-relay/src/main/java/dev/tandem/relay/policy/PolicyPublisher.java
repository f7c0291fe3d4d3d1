package dev.tandem.relay.policy;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.internal.mqtt.MqttSession;
import dev.tandem.runtime.internal.protocol.Topics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * Publishes fleet policies as retained MQTT messages, and keeps their history on the broker and,
 * when given a {@link PolicyHistory}, on the operator's disk.
 *
 * <p>{@link #publish} validates the policy and numbers it from versions it has actually seen:
 * the one retained on the fleet's policy topic, the entries retained under
 * {@code {prefix}/policy-history/{fleet}/{model}/}, the operator's local history, and an
 * expected version the operator states ({@code --expect-version}, a compare-and-set: refused if
 * a different version is retained). MQTT cannot prove that nothing is retained (a slow broker
 * looks like an empty one), so when none of these yields a version the publish is refused with
 * a {@link VersionRefusedException} rather than numbered 1. The policy goes out as the highest
 * version seen + 1, retained, at QoS 1, after its history entries; no history entry is ever
 * replaced. {@link #rollback} republishes an older version's content the same way.
 *
 * <p>Two operators publishing to one fleet at the same moment can pick the same version; the
 * devices then keep the first one they received (they apply only newer versions). Publish from
 * one place (a CI job) per fleet.
 *
 * <p>Not thread-safe; one instance per command. {@link #close()} disconnects.
 */
public final class PolicyPublisher implements AutoCloseable {
  /** Default time to collect retained messages after the subscription is acknowledged. */
  public static final long DEFAULT_RETAINED_WAIT_MS = 1_500;
  /** Default largest policy published (and accepted by the agent): 256 KiB. */
  public static final int DEFAULT_MAX_POLICY_BYTES = 256 * 1024;

  private final MqttSession session;
  private final String prefix;
  private long retainedWaitMs = DEFAULT_RETAINED_WAIT_MS;
  private int maxPolicyBytes = DEFAULT_MAX_POLICY_BYTES;
  private PolicyHistory history;

  /** Thrown when a policy fails validation or is too large, or a version to roll back to does not exist. */
  public static final class PolicyRejectedException extends Exception {
    private static final long serialVersionUID = 1L;

    public PolicyRejectedException(String message) {
      super(message);
    }
  }

  /**
   * Thrown when the next version cannot be settled safely: no version seen anywhere, a retained
   * version other than the expected one, an unreadable retained policy, or a history entry that
   * would be replaced. Nothing was published.
   */
  public static final class VersionRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    public VersionRefusedException(String message) {
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

  /** What the broker holds for one (fleet, model), as far as this client saw it. */
  static final class Seen {
    String retained; // the policy topic's payload, null when none arrived
    final java.util.TreeMap<Long, String> history = new java.util.TreeMap<>();
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

  /** How long to collect retained messages after subscribing (default {@link #DEFAULT_RETAINED_WAIT_MS}). */
  public PolicyPublisher retainedWaitMs(long v) {
    if (v < 0) {
      throw new IllegalArgumentException("retainedWaitMs must be >= 0, was " + v);
    }
    retainedWaitMs = v;
    return this;
  }

  /** Largest policy, in bytes as published (default {@link #DEFAULT_MAX_POLICY_BYTES}). */
  public PolicyPublisher maxPolicyBytes(int v) {
    if (v <= 0) {
      throw new IllegalArgumentException("maxPolicyBytes must be > 0, was " + v);
    }
    maxPolicyBytes = v;
    return this;
  }

  /** The operator's local history: consulted for the version, and written before each publish. */
  public PolicyPublisher history(PolicyHistory h) {
    history = h;
    return this;
  }

  /**
   * Validates {@code policyJson} and publishes it as the next version for (fleet, model), numbered
   * from what was seen (see the class comment), without an expected version.
   *
   * @throws PolicyRejectedException with the validator's message when the policy is invalid or too large
   * @throws VersionRefusedException when no version could be settled; the message names the ways out
   * @throws MqttException when the broker cannot be reached
   */
  public Published publish(String fleet, String model, String policyJson)
      throws PolicyRejectedException, VersionRefusedException, MqttException, InterruptedException, IOException {
    return publish(fleet, model, policyJson, OptionalLong.empty());
  }

  /**
   * As {@link #publish(String, String, String)}; with {@code expectVersion} the operator states the
   * version in force: refused if another one is retained, used when none is seen.
   */
  public Published publish(String fleet, String model, String policyJson, OptionalLong expectVersion)
      throws PolicyRejectedException, VersionRefusedException, MqttException, InterruptedException, IOException {
    checkSegment("fleet", fleet);
    checkSegment("model", model);
    checkSize(policyJson.getBytes(StandardCharsets.UTF_8).length, "the policy file");
    PolicyJson.validate(policyJson); // before touching the broker: a bad file changes nothing
    Seen seen = read(fleet, model);
    long current = settle(fleet, model, seen, expectVersion);
    return publishAs(fleet, model, policyJson, current, seen);
  }

  /**
   * Republishes the content of version {@code version} (from the broker's or the local history)
   * under a new version, numbered as {@link #publish} numbers.
   *
   * @throws PolicyRejectedException when that version is in neither history, is not older than
   *     the current one, or no longer validates
   */
  public Published rollback(String fleet, String model, long version, OptionalLong expectVersion)
      throws PolicyRejectedException, VersionRefusedException, MqttException, InterruptedException, IOException {
    checkSegment("fleet", fleet);
    checkSegment("model", model);
    Seen seen = read(fleet, model);
    String old = seen.history.get(version);
    if (old == null && history != null) {
      old = history.read(fleet, model, version).orElse(null);
    }
    if (old == null) {
      throw new PolicyRejectedException("no policy version " + version + " in the history of "
          + fleet + "/" + model + " (" + historyTopic(fleet, model, version)
          + (history != null ? " or " + history.file(fleet, model, version) : "") + ")");
    }
    PolicyJson.validate(old);
    long current = settle(fleet, model, seen, expectVersion);
    if (version >= current) {
      throw new PolicyRejectedException("version " + version + " is not older than the current "
          + "version " + current + "; nothing to roll back to");
    }
    return publishAs(fleet, model, old, current, seen);
  }

  /** As {@link #rollback(String, String, long, OptionalLong)} without an expected version. */
  public Published rollback(String fleet, String model, long version)
      throws PolicyRejectedException, VersionRefusedException, MqttException, InterruptedException, IOException {
    return rollback(fleet, model, version, OptionalLong.empty());
  }

  /**
   * The version retained on the fleet's policy topic, empty when none arrived within the wait
   * (which does not prove that none is retained).
   *
   * @throws VersionRefusedException when the retained policy has no readable version
   */
  public OptionalLong retainedVersion(String fleet, String model)
      throws MqttException, InterruptedException, VersionRefusedException {
    return retainedVersion(fleet, model, read(fleet, model));
  }

  private OptionalLong retainedVersion(String fleet, String model, Seen seen) throws VersionRefusedException {
    if (seen.retained == null) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(PolicyJson.version(seen.retained));
    } catch (RuntimeException e) {
      throw new VersionRefusedException("the retained policy on " + policyTopic(fleet, model)
          + " has no readable version (" + e.getMessage() + "); clear it (publish an empty retained message"
          + " there) and publish with --expect-version N, N the version the devices run");
    }
  }

  /** The version the next one follows: the highest seen; refused when none is, or the expectation fails. */
  private long settle(String fleet, String model, Seen seen, OptionalLong expect)
      throws VersionRefusedException, IOException {
    OptionalLong retained = retainedVersion(fleet, model, seen);
    if (expect.isPresent() && retained.isPresent() && retained.getAsLong() != expect.getAsLong()) {
      throw new VersionRefusedException("expected version " + expect.getAsLong() + " in force, but version "
          + retained.getAsLong() + " is retained on " + policyTopic(fleet, model) + "; nothing published");
    }
    OptionalLong recorded = history == null ? OptionalLong.empty() : history.highest(fleet, model);
    long best = -1;
    for (OptionalLong v : new OptionalLong[] {retained, expect, recorded,
        seen.history.isEmpty() ? OptionalLong.empty() : OptionalLong.of(seen.history.lastKey())}) {
      if (v.isPresent()) {
        best = Math.max(best, v.getAsLong());
      }
    }
    if (best < 0) {
      throw new VersionRefusedException("no policy version arrived from " + policyTopic(fleet, model)
          + " within " + retainedWaitMs + " ms and none is recorded"
          + (history != null ? " in " + history.root() : " (no --history-dir)")
          + "; silence does not prove that none is retained. Use --expect-version N (N the version the"
          + " devices run; 0 for a fleet's first policy), or --history-dir with this fleet's history,"
          + " or a longer --retained-wait-ms");
    }
    return best;
  }

  private void checkSize(int bytes, String what) throws PolicyRejectedException {
    if (bytes > maxPolicyBytes) {
      throw new PolicyRejectedException(what + " is " + bytes + " bytes, over the limit of " + maxPolicyBytes
          + " (--max-policy-bytes; devices refuse larger policies: policy.max_bytes)");
    }
  }

  private Published publishAs(String fleet, String model, String policyJson, long current, Seen seen)
      throws MqttException, PolicyRejectedException, VersionRefusedException, IOException {
    long next = current + 1;
    JsonObject obj = JsonParser.parseString(policyJson).getAsJsonObject();
    obj.addProperty(PolicyJson.VERSION, next);
    String out = new GsonBuilder().setPrettyPrinting().create().toJson(obj);
    PolicyJson.validate(out);
    byte[] bytes = out.getBytes(StandardCharsets.UTF_8);
    checkSize(bytes.length, "the policy as published");
    if (seen.history.containsKey(next)) {
      throw new VersionRefusedException("version " + next + " is already in the history on "
          + historyTopic(fleet, model, next) + "; a history entry is never replaced");
    }
    if (history != null) {
      try {
        history.record(fleet, model, next, out);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        throw new VersionRefusedException("version " + next + " is already recorded in "
            + history.file(fleet, model, next) + "; a history entry is never replaced");
      }
    }
    // History first: a crash between the two leaves a history entry devices never see.
    session.publishAndWait(historyTopic(fleet, model, next), bytes, 1, true);
    session.publishAndWait(policyTopic(fleet, model), bytes, 1, true);
    return new Published(policyTopic(fleet, model), next, current, out);
  }

  /** Collects, for {@link #retainedWaitMs}, the retained policy and history entries of (fleet, model). */
  private Seen read(String fleet, String model) throws MqttException, InterruptedException {
    Seen seen = new Seen();
    String policy = policyTopic(fleet, model);
    String historyPrefix = prefix + "/policy-history/" + fleet + "/" + model + "/";
    MqttSession.MessageHandler collect = (t, m) -> {
      if (!m.isRetained() || m.getPayload().length == 0) {
        return;
      }
      String text = new String(m.getPayload(), StandardCharsets.UTF_8);
      synchronized (seen) {
        if (t.equals(policy)) {
          seen.retained = text;
        } else if (t.startsWith(historyPrefix)) {
          try {
            seen.history.put(Long.parseLong(t.substring(historyPrefix.length())), text);
          } catch (NumberFormatException e) {
            // not a version level: not ours
          }
        }
      }
    };
    try {
      // One SUBSCRIBE: the retained messages come after its one SUBACK, so the wait starts before them.
      session.subscribe(Arrays.asList(policy, historyPrefix + "+"), 1, collect).get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new MqttException(MqttClientException.REASON_CODE_UNEXPECTED_ERROR, e);
    }
    // The broker sends retained messages right after the SUBACK; how many history entries there
    // are is unknown, so the whole wait is spent.
    Thread.sleep(retainedWaitMs);
    // What arrived within the wait, and nothing later: a message still on its way is not "seen".
    Seen copy = new Seen();
    synchronized (seen) {
      copy.retained = seen.retained;
      copy.history.putAll(seen.history);
    }
    session.unsubscribe(policy);
    session.unsubscribe(historyPrefix + "+");
    return copy;
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
