/** {@code tandem-tune export-hard} and {@code purge-captures}: hard examples with their captured inputs. */
package dev.tandem.tuner.hard;
