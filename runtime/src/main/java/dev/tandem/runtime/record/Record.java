package dev.tandem.runtime.record;

/**
 * One line of a device's log: a {@link DecisionRecord}, an {@link AmendmentRecord} or a
 * {@link PolicyEventRecord}. Every
 * record has an id made of its device id and a per-device sequence number that never repeats,
 * so that a collector can deduplicate exactly and count losses as gaps.
 */
public interface Record {
  /** The record schema version this runtime reads and writes. */
  int SCHEMA = 1;

  /** {@code "decision"}, {@code "amendment"} or {@code "policy_event"}. */
  String kind();

  String device();

  /** The per-device sequence number, from 1. */
  long seq();

  /** {@code device + ":" + seq}. */
  default String id() {
    return id(device(), seq());
  }

  /** Wall-clock time of the event, ms since the epoch (device clock). */
  long timeMs();

  /** The id of the record {@code seq} of {@code device}. */
  static String id(String device, long seq) {
    return device + ":" + seq;
  }
}
