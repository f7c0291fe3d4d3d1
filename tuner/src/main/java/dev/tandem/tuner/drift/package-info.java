/** {@code tandem-tune drift}: alarms when a recent window of decisions departs from a baseline. */
package dev.tandem.tuner.drift;
