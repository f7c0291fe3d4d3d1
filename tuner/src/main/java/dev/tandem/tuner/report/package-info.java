/** {@code tandem-tune report}: one self-contained HTML page of charts and their numbers. */
package dev.tandem.tuner.report;
