/** Decision records of a log store, flattened for the report, drift alarms and hard-example export. */
package dev.tandem.tuner.observe;
