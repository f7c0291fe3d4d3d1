package dev.tandem.relay.collect;

/**
 * A batch the collector will not store: its payload is not gzip, or unpacking it passed one of
 * the {@link BatchLimits}. Sending it again would be refused again, so the collector answers it
 * with an ack that names the {@link #reason()} and the device drops it.
 */
public final class BatchRefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why a batch is refused; {@link #label()} is the metric label and the ack's {@code refused} field. */
  public enum Reason {
    PAYLOAD_TOO_LARGE("payload_too_large"),
    NOT_GZIP("not_gzip"),
    INFLATED_TOO_LARGE("inflated_too_large"),
    TOO_MANY_LINES("too_many_lines"),
    LINE_TOO_LONG("line_too_long");

    private final String label;

    Reason(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  private final Reason reason;

  public BatchRefusedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
