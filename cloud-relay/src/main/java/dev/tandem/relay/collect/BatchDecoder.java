package dev.tandem.relay.collect;

import dev.tandem.relay.collect.BatchRefusedException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Unpacks a batch payload (gzip JSON lines) into lines, stopping at the first limit passed: the
 * inflated size, the line count and the line length are checked on every chunk read, so the
 * memory a batch costs is bounded by {@link BatchLimits} whatever the payload holds (a gzip bomb
 * of zeros, of newlines or of one endless line stops after at most the limit). Empty lines count
 * towards the line limit and are dropped. Stateless and thread-safe.
 */
final class BatchDecoder {
  private static final int CHUNK = 8192;

  private final BatchLimits limits;

  BatchDecoder(BatchLimits limits) {
    this.limits = limits;
  }

  /**
   * The non-empty lines of {@code payload}.
   *
   * @throws BatchRefusedException naming the limit passed, or {@code not_gzip}
   */
  List<String> lines(byte[] payload) throws BatchRefusedException {
    if (payload.length > limits.maxPayloadBytes()) {
      throw new BatchRefusedException(Reason.PAYLOAD_TOO_LARGE, "payload of " + payload.length
          + " bytes exceeds the limit of " + limits.maxPayloadBytes());
    }
    List<String> out = new ArrayList<>();
    byte[] chunk = new byte[CHUNK];
    byte[] line = new byte[256];
    int lineLen = 0;
    long inflated = 0;
    long lines = 0;
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(payload), CHUNK)) {
      int n;
      while ((n = in.read(chunk)) > 0) {
        inflated += n;
        if (inflated > limits.maxInflatedBytes()) {
          throw new BatchRefusedException(Reason.INFLATED_TOO_LARGE, "unpacks to more than "
              + limits.maxInflatedBytes() + " bytes");
        }
        for (int i = 0; i < n; i++) {
          byte b = chunk[i];
          if (b == '\n') {
            lines++;
            if (lines > limits.maxLines()) {
              throw new BatchRefusedException(Reason.TOO_MANY_LINES, "more than " + limits.maxLines() + " lines");
            }
            if (lineLen > 0) {
              out.add(new String(line, 0, lineLen, StandardCharsets.UTF_8));
              lineLen = 0;
            }
            continue;
          }
          if (lineLen == limits.maxLineBytes()) {
            throw new BatchRefusedException(Reason.LINE_TOO_LONG, "line " + (lines + 1) + " is longer than "
                + limits.maxLineBytes() + " bytes");
          }
          if (lineLen == line.length) {
            line = Arrays.copyOf(line, (int) Math.min((long) line.length * 2, limits.maxLineBytes()));
          }
          line[lineLen++] = b;
        }
      }
    } catch (IOException e) {
      throw new BatchRefusedException(Reason.NOT_GZIP, "not a gzip stream: " + e.getMessage());
    }
    if (lineLen > 0) {
      if (lines + 1 > limits.maxLines()) {
        throw new BatchRefusedException(Reason.TOO_MANY_LINES, "more than " + limits.maxLines() + " lines");
      }
      out.add(new String(line, 0, lineLen, StandardCharsets.UTF_8));
    }
    return out;
  }
}
