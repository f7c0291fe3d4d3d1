package dev.tandem.runtime.internal.offload;


import dev.tandem.runtime.offload.OffloadStatus;
/**
 * Receives replies that arrived after their request's deadline had already completed the
 * offload with {@link OffloadStatus#TIMEOUT}. A late answer is never used as the decision's
 * answer; Tandem records it as an amendment, for tuning.
 *
 * <p>Called on the offloader's I/O thread: implementations must return quickly and not block.
 */
public interface LateReplyListener {
  void lateReply(String decisionId, OffloadResult result);
}
