/**
 * Not API (yet). A device's side of its fleet: uploading the spool's records to the collector
 * with its ack protocol ({@link dev.tandem.runtime.internal.fleet.LogUploader}), and following the
 * fleet's policy with validation, the last good policy kept and every rejection recorded
 * ({@link dev.tandem.runtime.internal.fleet.PolicyGate}), both over one background MQTT
 * connection ({@link dev.tandem.runtime.internal.fleet.MqttLink}) separate from the offloader's.
 * Java 11 and Android API 26, like the rest of the runtime; the device agent and the Android
 * sample use it.
 */
package dev.tandem.runtime.internal.fleet;
