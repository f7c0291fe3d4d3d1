/**
 * A device's side of its fleet: uploading the spool's records to the collector with its ack
 * protocol ({@link dev.tandem.runtime.fleet.LogUploader}), and following the fleet's policy with
 * validation, the last good policy kept and every rejection recorded
 * ({@link dev.tandem.runtime.fleet.PolicyGate}), both over one background MQTT connection
 * ({@link dev.tandem.runtime.fleet.MqttLink}) separate from the offloader's.
 */
package dev.tandem.runtime.fleet;
