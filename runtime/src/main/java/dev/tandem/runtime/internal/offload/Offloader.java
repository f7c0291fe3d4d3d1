package dev.tandem.runtime.internal.offload;

import dev.tandem.runtime.offload.OffloadStatus;
import java.util.concurrent.CompletableFuture;

/**
 * Sends inputs to a cloud model and returns its answer by a deadline. Implementations are
 * thread-safe.
 *
 * <p>The returned future always completes, and never later than the request's deadline
 * ({@code request.budgetMs()} after the call) plus the timer's slack: with the relay's reply
 * (any status), or with a device-side status ({@link OffloadStatus#TIMEOUT},
 * {@link OffloadStatus#OFFLINE}, {@link OffloadStatus#OFFLOAD_CAP},
 * {@link OffloadStatus#PUBLISH_FAILED}). It never completes exceptionally for a failure of the
 * cloud path. A reply that arrives after the deadline completes the timeout result's
 * {@link OffloadResult#lateReply()} stage.
 */
public interface Offloader extends AutoCloseable {

  /** Sends one request. Returns at once. */
  CompletableFuture<OffloadResult> offload(OffloadRequest request);

  /** Whether a request made now could be sent (for example, the broker connection is up). */
  boolean isAvailable();

  /** Releases connections and completes every pending future with {@code offline}. Idempotent. */
  @Override
  void close();
}
