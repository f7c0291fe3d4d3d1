package dev.tandem.runtime.internal.fleet;


/**
 * Follows the fleet's retained policy topic ({@code {prefix}/policy/{fleet}/{model}}) on the
 * device's background connection ({@link MqttLink}) and offers every message to the {@link PolicyGate}. The
 * broker sends the retained policy on every (re)subscribe; the gate ignores a version it has.
 */
public final class PolicySubscriber {
  private PolicySubscriber() {}

  /** Registers the subscription on {@code link}. */
  public static void follow(MqttLink link, String policyTopic, PolicyGate gate) {
    follow(link, policyTopic, gate, e -> {
      throw e;
    });
  }

  /** As above; {@code onFatal} is told when handling a policy ends in an {@link Error}. */
  public static void follow(MqttLink link, String policyTopic, PolicyGate gate,
      java.util.function.Consumer<Error> onFatal) {
    link.handle(policyTopic, (topic, msg) -> {
      try {
        gate.offer(msg.getPayload(), "topic " + topic);
      } catch (Error e) {
        onFatal.accept(e);
      }
    });
  }
}
