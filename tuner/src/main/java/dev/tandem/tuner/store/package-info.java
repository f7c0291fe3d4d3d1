/**
 * Reading a fleet's records: {@link dev.tandem.tuner.store.StoreReader} opens a collector's store
 * (JSON-lines batches and compacted Parquet, by receive date) or a bare spool directory and hands
 * over one {@link dev.tandem.tuner.store.DeviceLog} at a time (decisions in sequence order with
 * labels and late replies joined, and policy events); {@link dev.tandem.tuner.store.StoreQuery}
 * says what to read; every failure is a {@link dev.tandem.tuner.store.StoreException} with an
 * actionable message.
 */
package dev.tandem.tuner.store;
