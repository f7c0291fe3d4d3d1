package dev.tandem.runtime.offload;

import java.util.concurrent.CompletableFuture;

/**
 * Sends inputs to a cloud model and returns its answer. Implementations are thread-safe.
 *
 * <p>The returned future always completes: with the relay's reply (any status), or with a
 * device-side status ({@link OffloadStatus#TIMEOUT}, {@link OffloadStatus#OFFLINE},
 * {@link OffloadStatus#OFFLOAD_CAP}, {@link OffloadStatus#PUBLISH_FAILED}). It never completes
 * exceptionally for a failure of the cloud path. A reply may arrive after the caller stopped
 * waiting; the caller decides what a late answer is worth (Tandem records it as an amendment).
 */
public interface Offloader extends AutoCloseable {

  /**
   * Sends one request. Returns at once; the future completes when the reply arrives or when
   * {@code request.budgetMs()} plus the implementation's grace period has passed.
   */
  CompletableFuture<OffloadResult> offload(OffloadRequest request);

  /** Whether a request made now could be sent (for example, the broker connection is up). */
  boolean isAvailable();

  /** Releases connections and completes every pending future. Idempotent. */
  @Override
  void close();
}
