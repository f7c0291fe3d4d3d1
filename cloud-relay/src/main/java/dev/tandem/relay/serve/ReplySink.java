package dev.tandem.relay.serve;

import dev.tandem.runtime.internal.protocol.ReplyFrame;

/** Sends a reply for a queued request; called from model worker threads. */
interface ReplySink {
  void reply(Pending request, String model, ReplyFrame reply);
}
