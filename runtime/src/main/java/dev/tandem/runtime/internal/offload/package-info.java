/** Not API. The offload client: requests over MQTT 5 to a relay, each completed by its deadline. */
package dev.tandem.runtime.internal.offload;
