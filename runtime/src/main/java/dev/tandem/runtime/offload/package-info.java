/** How an offload to the cloud ended ({@link dev.tandem.runtime.offload.OffloadStatus}). */
package dev.tandem.runtime.offload;
