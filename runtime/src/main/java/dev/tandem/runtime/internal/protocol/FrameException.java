package dev.tandem.runtime.internal.protocol;

/**
 * A frame that cannot be encoded or decoded: wrong magic, unsupported version, a header that is
 * not valid JSON or misses a field, a size over a {@link FrameLimits limit} or beyond the frame.
 * The {@link #reason()} says which, so a relay can answer {@code bad_request} with it and a
 * device can record it.
 *
 * <p>Decoding throws this before allocating anything sized by the frame's own claims.
 */
public final class FrameException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a frame was rejected. */
  public enum Reason {
    /** The frame does not start with {@code TNDM}. */
    BAD_MAGIC,
    /** The version byte is neither the current nor the previous version. */
    UNSUPPORTED_VERSION,
    /** The frame ends before its header or tensor bytes do, or has bytes after them. */
    BAD_LENGTH,
    /** A frame, header or tensor size is over the configured limit. */
    TOO_LARGE,
    /** The header is not valid UTF-8 JSON, or a field is missing, mistyped or out of range. */
    BAD_HEADER,
    /** A tensor description is invalid: name, element type, shape or byte count. */
    BAD_TENSOR
  }

  private final Reason reason;

  public FrameException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public FrameException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** Which check the frame failed. */
  public Reason reason() {
    return reason;
  }

  @Override
  public String getMessage() {
    return reason.name().toLowerCase(java.util.Locale.ROOT) + ": " + super.getMessage();
  }
}
