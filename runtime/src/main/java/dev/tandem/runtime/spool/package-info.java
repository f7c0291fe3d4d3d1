/** The on-device record log: append-only segment files that survive crashes, read by an uploader. */
package dev.tandem.runtime.spool;
