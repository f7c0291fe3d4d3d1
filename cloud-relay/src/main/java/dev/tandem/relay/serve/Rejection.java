package dev.tandem.relay.serve;

import dev.tandem.runtime.internal.protocol.ReplyStatus;

/** A request the relay answers without computing it: the status to send and why. */
final class Rejection extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient ReplyStatus status;

  Rejection(ReplyStatus status, String message) {
    super(message, null, false, false); // a routine answer: no stack trace needed
    this.status = status;
  }

  ReplyStatus status() {
    return status;
  }
}
