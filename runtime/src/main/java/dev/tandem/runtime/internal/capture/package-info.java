/** Captured inputs on the device (opt-in, {@link dev.tandem.runtime.capture.Capture}): files, retention, upload. */
package dev.tandem.runtime.internal.capture;
