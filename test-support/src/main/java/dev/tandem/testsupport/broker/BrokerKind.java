package dev.tandem.testsupport.broker;

/**
 * The brokers tests run against. A test about broker differences runs once per kind:
 *
 * <pre>{@code
 * @ParameterizedTest
 * @EnumSource(BrokerKind.class)
 * void retainedPolicy_reachesALateDevice(BrokerKind kind) {
 *   try (TestBroker broker = TestBrokers.start(kind)) { ... }
 * }
 * }</pre>
 *
 * <p>The Mosquitto run is skipped (with its reason in the report) when Mosquitto is missing.
 */
public enum BrokerKind {
  /** HiveMQ Community Edition in a child JVM: needs nothing but the JDK. */
  HIVEMQ,
  /** Mosquitto, when installed (see {@code Tools.require("mosquitto")}). */
  MOSQUITTO;

  /** Starts a broker of this kind with the defaults. */
  public TestBroker start() {
    return TestBrokers.start(this);
  }
}
