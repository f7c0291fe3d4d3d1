/**
 * Decision and amendment records, their JSON-lines codec and their replay: the schema the
 * spool, the collector and the tuner share (docs/records.md).
 */
package dev.tandem.runtime.record;
