package dev.tandem.runtime.internal.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * Tandem's MQTT topic names under one prefix (default {@code tandem/v1}). Immutable.
 *
 * <table>
 *   <caption>topics</caption>
 *   <tr><td>{@code {prefix}/infer/{model}/{deviceId}}</td><td>device to relay, QoS 0</td></tr>
 *   <tr><td>{@code {prefix}/result/{deviceId}}</td><td>relay to device, QoS 0</td></tr>
 *   <tr><td>{@code {prefix}/logs/{deviceId}}</td><td>device to collector, QoS 1</td></tr>
 *   <tr><td>{@code {prefix}/logs-ack/{deviceId}}</td><td>collector to device, QoS 1</td></tr>
 *   <tr><td>{@code {prefix}/policy/{fleet}/{model}}</td><td>operator to devices, QoS 1, retained</td></tr>
 *   <tr><td>{@code {prefix}/status/{deviceId}}</td><td>device, QoS 1, retained (online/offline)</td></tr>
 * </table>
 *
 * <p>Every name given to these methods becomes one topic level, so it must be non-empty and free
 * of {@code /}, {@code +}, {@code #} and NUL; the methods throw {@link IllegalArgumentException}
 * naming the argument otherwise.
 */
public final class Topics {
  /** The default prefix. */
  public static final String DEFAULT_PREFIX = "tandem/v1";
  /** The shared-subscription group relays join. */
  public static final String RELAY_GROUP = "tandem-relay";

  private static final Topics DEFAULTS = new Topics(DEFAULT_PREFIX);

  private final String prefix;

  private Topics(String prefix) {
    this.prefix = prefix;
  }

  /** Topics under {@code tandem/v1}. */
  public static Topics defaults() {
    return DEFAULTS;
  }

  /**
   * Topics under another prefix, e.g. {@code acme/tandem/v1}.
   *
   * @throws IllegalArgumentException if the prefix is empty, starts or ends with {@code /},
   *     starts with {@code $}, has an empty level or a wildcard
   */
  public static Topics withPrefix(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty() || prefix.startsWith("/") || prefix.endsWith("/") || prefix.startsWith("$")
        || prefix.contains("//") || prefix.contains("+") || prefix.contains("#") || prefix.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "prefix '" + prefix + "' must be non-empty levels separated by '/', without wildcards or a leading '$'");
    }
    return new Topics(prefix);
  }

  public String prefix() {
    return prefix;
  }

  /** Where a device publishes requests for {@code model}. */
  public String infer(String model, String deviceId) {
    return prefix + "/infer/" + level("model", model) + "/" + level("deviceId", deviceId);
  }

  /** Where relays answer {@code deviceId}; the device subscribes to it. */
  public String result(String deviceId) {
    return prefix + "/result/" + level("deviceId", deviceId);
  }

  /** Where a device uploads record batches. */
  public String logs(String deviceId) {
    return prefix + "/logs/" + level("deviceId", deviceId);
  }

  /** Where the collector acknowledges stored batches. */
  public String logsAck(String deviceId) {
    return prefix + "/logs-ack/" + level("deviceId", deviceId);
  }

  /** The retained policy for a fleet's model. */
  public String policy(String fleet, String model) {
    return prefix + "/policy/" + level("fleet", fleet) + "/" + level("model", model);
  }

  /** The device's retained online/offline status (its will message). */
  public String status(String deviceId) {
    return prefix + "/status/" + level("deviceId", deviceId);
  }

  /** The shared subscription relays use: {@code $share/tandem-relay/{prefix}/infer/+/+}. */
  public String relaySharedSubscription() {
    return "$share/" + RELAY_GROUP + "/" + inferFilter();
  }

  /** All request topics: {@code {prefix}/infer/+/+}. */
  public String inferFilter() {
    return prefix + "/infer/+/+";
  }

  /**
   * The model and device of a request topic, or empty if {@code topic} is not one under this
   * prefix.
   */
  public Optional<InferTopic> parseInfer(String topic) {
    String head = prefix + "/infer/";
    if (topic == null || !topic.startsWith(head)) {
      return Optional.empty();
    }
    String rest = topic.substring(head.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
      return Optional.empty();
    }
    return Optional.of(new InferTopic(rest.substring(0, slash), rest.substring(slash + 1)));
  }

  /** The device id of a result topic under this prefix, or empty. */
  public Optional<String> parseResult(String topic) {
    String head = prefix + "/result/";
    if (topic == null || !topic.startsWith(head)) {
      return Optional.empty();
    }
    String id = topic.substring(head.length());
    return id.isEmpty() || id.indexOf('/') >= 0 ? Optional.<String>empty() : Optional.of(id);
  }

  /** Whether {@code value} can be one topic level (a model, device or fleet name). */
  public static boolean isValidLevel(String value) {
    if (value == null || value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '/' || c == '+' || c == '#' || c == '\0') {
        return false;
      }
    }
    return true;
  }

  private static String level(String what, String value) {
    if (!isValidLevel(value)) {
      throw new IllegalArgumentException(
          what + " '" + value + "' must be a non-empty topic level without '/', '+', '#' or NUL");
    }
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Topics && ((Topics) o).prefix.equals(prefix);
  }

  @Override
  public int hashCode() {
    return prefix.hashCode();
  }

  @Override
  public String toString() {
    return "Topics{" + prefix + "}";
  }

  /** The model and device id a request topic names. */
  public static final class InferTopic {
    private final String model;
    private final String deviceId;

    InferTopic(String model, String deviceId) {
      this.model = model;
      this.deviceId = deviceId;
    }

    public String model() {
      return model;
    }

    public String deviceId() {
      return deviceId;
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof InferTopic)) {
        return false;
      }
      InferTopic t = (InferTopic) o;
      return model.equals(t.model) && deviceId.equals(t.deviceId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(model, deviceId);
    }

    @Override
    public String toString() {
      return model + "/" + deviceId;
    }
  }
}
