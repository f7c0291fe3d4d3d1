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
    link.handle(policyTopic, (topic, msg) ->
        gate.offer(msg.getPayload(), "topic " + topic));
  }
}
