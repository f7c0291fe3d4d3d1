/**
 * Not API. The one MQTT connection every Tandem component uses ({@link
 * dev.tandem.runtime.internal.mqtt.MqttSession}): Paho v5 with its known failures worked around in
 * one place, and the socket factories that set {@code TCP_NODELAY} and TLS.
 */
package dev.tandem.runtime.internal.mqtt;
