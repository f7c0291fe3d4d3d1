package dev.tandem.relay.collect;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;

/**
 * Captured inputs at the store (opt-in on the device): {@code captures/date=D/{device}/{seq}.json},
 * D the receive date. Kept apart from the record store so that retention deletes whole
 * directories ({@code tandem-tune purge-captures}) and never rewrites records.
 */
public final class CaptureFiles {
  /** A capture larger than this is refused. */
  public static final int MAX_BYTES = 16 << 20;
  static final String CAPTURES = "captures";

  private final Path root;
  private final Clock clock;

  public CaptureFiles(Path storeRoot, Clock clock) {
    this.root = storeRoot.resolve(CAPTURES);
    this.clock = clock;
  }

  /** Why a capture message was refused. */
  public static final class RefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    RefusedException(String message) {
      super(message);
    }
  }

  /**
   * Checks and durably writes one capture a device sent.
   *
   * @return the file written
   * @throws RefusedException when it is not a capture of this device's
   * @throws IOException when it could not be written
   */
  public Path store(String device, byte[] payload) throws RefusedException, IOException {
    if (payload.length > MAX_BYTES) {
      throw new RefusedException("capture of " + payload.length + " bytes is over " + MAX_BYTES);
    }
    JsonObject o;
    try {
      o = JsonParser.parseString(new String(payload, StandardCharsets.UTF_8)).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new RefusedException("not a JSON object: " + e.getMessage());
    }
    long seq;
    try {
      if (!"capture".equals(o.get("kind").getAsString()) || o.get("schema").getAsInt() != 1) {
        throw new RefusedException("not a schema 1 capture");
      }
      if (!device.equals(o.get("device").getAsString())) {
        throw new RefusedException("capture of device " + o.get("device").getAsString() + " on " + device
            + "'s topic");
      }
      seq = o.get("seq").getAsLong();
      if (seq < 1 || !(device + ":" + seq).equals(o.get("decision_id").getAsString())
          || !o.has("inputs") || !o.get("inputs").isJsonArray()) {
        throw new RefusedException("decision_id, seq or inputs missing or inconsistent");
      }
    } catch (NullPointerException | ClassCastException | IllegalStateException | NumberFormatException e) {
      throw new RefusedException("missing or mistyped field: " + e);
    }
    Path dir = root.resolve("date=" + LocalDate.now(clock)).resolve(device);
    Files.createDirectories(dir);
    Path target = dir.resolve(seq + ".json");
    Path tmp = dir.resolve("." + seq + ".json.tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
        StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(payload);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
    LogStore.fsyncDir(dir);
    return target;
  }
}
