/** Not API. The MQTT wire protocol: topics, request and reply frames and their codec (docs/protocol.md). */
package dev.tandem.runtime.internal.protocol;
