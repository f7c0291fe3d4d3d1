package dev.tandem.workload.corpus;

/** The corpus cannot be fetched or read; the message names the file or the command. */
public final class CorpusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CorpusException(String message) {
    super(message);
  }

  public CorpusException(String message, Throwable cause) {
    super(message, cause);
  }
}
