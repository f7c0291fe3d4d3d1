/** The device facts the policy reads: network type, metering, battery and charging. */
package dev.tandem.runtime.device;
