package dev.tandem.runtime.offload;

import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connect loop for MQTT clients that reconnect by themselves instead of with Paho's automatic
 * reconnect (whose delay grows past its configured maximum, so a client can stay away for
 * minutes after a short broker outage).
 */
public final class MqttReconnect {
  private static final Logger log = LoggerFactory.getLogger(MqttReconnect.class);
  /** The delay after the first failed attempt; it doubles up to the caller's maximum. */
  static final long FIRST_DELAY_MS = 250;

  private MqttReconnect() {}

  /**
   * Connects {@code client} with {@code options}, retrying after 250 ms, then twice as long each
   * time up to {@code maxDelayMs}, until it is connected, {@code stop} says so, or the thread is
   * interrupted. Blocks the calling thread (run it on a worker, never on Paho's callback
   * thread); each attempt waits up to 10 s for the broker.
   *
   * @return true when connected
   */
  public static boolean connect(MqttAsyncClient client, MqttConnectionOptions options, BooleanSupplier stop,
      long maxDelayMs) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(stop, "stop");
    long delay = FIRST_DELAY_MS;
    while (!stop.getAsBoolean() && !client.isConnected()) {
      try {
        client.connect(options).waitForCompletion(10_000);
        return true;
      } catch (MqttException e) {
        log.debug("broker not reachable ({}); retrying in {} ms", e.toString(), delay);
      }
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      delay = Math.min(delay * 2, Math.max(FIRST_DELAY_MS, maxDelayMs));
    }
    return client.isConnected();
  }
}
