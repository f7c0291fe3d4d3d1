/** Not API. Per-device record sequence numbers and directory fsync. */
package dev.tandem.runtime.internal.spool;
