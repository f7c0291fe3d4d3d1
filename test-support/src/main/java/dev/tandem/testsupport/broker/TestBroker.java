package dev.tandem.testsupport.broker;

/**
 * An MQTT 5 broker for tests, on a loopback port, in a process of its own so that a test can
 * stop and restart it on the same port or freeze it. Start one with {@link TestBrokers}.
 *
 * <p>Not thread-safe; meant to be driven by one test thread.
 */
public interface TestBroker extends AutoCloseable {
  /** Which broker this is. */
  BrokerKind kind();

  /** {@code tcp://127.0.0.1:port}, or {@code ssl://...} for a Mosquitto broker with TLS. */
  String url();

  int port();

  /**
   * Starts the broker (again) on its port and waits until it accepts connections; does nothing
   * when it runs.
   *
   * @throws IllegalStateException when it exits or does not listen in time
   */
  TestBroker start();

  /** Stops the broker; its connections drop. Idempotent. */
  void stop();

  /** Freezes the broker (SIGSTOP): connections stay open, nothing is read or answered. */
  void pause();

  /** Undoes {@link #pause()} (SIGCONT). */
  void resume();

  boolean isRunning();

  /** What the broker logged so far, for a failing test's message. */
  String logText();

  /** Stops the broker and deletes its files. Idempotent. */
  @Override
  void close();
}
