package dev.tandem.runtime.internal.capture;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tandem.runtime.capture.Capture;
import dev.tandem.runtime.model.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * Captured inputs on the device: one JSON file per decision, {@code date=YYYY-MM-DD/<seq>.json}
 * under the capture directory (the date of the decision, UTC), so retention deletes whole
 * directories. Files are written to a temporary name and renamed; they are not encrypted (they sit
 * in the app's or agent's private storage, like the spool).
 */
public final class CaptureStore {
  /** The capture file format version. */
  public static final int SCHEMA = 1;

  private final Path directory;
  private final Capture config;
  private final Clock clock;
  private volatile long lastPurgeMs;

  private CaptureStore(Path directory, Capture config, Clock clock) {
    this.directory = directory;
    this.config = config;
    this.clock = clock;
  }

  /** Opens (creating) the directory and deletes what is past retention. */
  public static CaptureStore open(Path directory, Capture config, Clock clock) {
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create capture directory " + directory, e);
    }
    CaptureStore s = new CaptureStore(directory, config, clock);
    s.purge();
    return s;
  }

  public Path directory() {
    return directory;
  }

  /** Writes one decision's inputs; purges at most once an hour. @return the file */
  public Path write(String device, long seq, long timeMs, List<String> reasons, List<Tensor> inputs) {
    long now = clock.millis();
    if (now - lastPurgeMs > 3_600_000L) {
      purge();
    }
    LocalDate date = Instant.ofEpochMilli(timeMs).atZone(ZoneOffset.UTC).toLocalDate();
    Path dir = directory.resolve("date=" + date);
    Path file = dir.resolve(seq + ".json");
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("." + seq + ".json.tmp");
      Files.write(tmp, encode(device, seq, timeMs, reasons, inputs).getBytes(StandardCharsets.UTF_8));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write capture " + file, e);
    }
    return file;
  }

  /** The capture files kept now, oldest date first. */
  public List<Path> files() {
    List<Path> out = new ArrayList<>();
    for (Path d : dateDirs()) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(d, "*.json")) {
        for (Path p : ds) {
          if (!p.getFileName().toString().startsWith(".")) {
            out.add(p);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Collections.sort(out);
    return out;
  }

  /**
   * Deletes every date directory older than the retention (a date D is kept while D + retention
   * days is after today, UTC). @return the files deleted
   */
  public int purge() {
    lastPurgeMs = clock.millis();
    LocalDate today = Instant.ofEpochMilli(lastPurgeMs).atZone(ZoneOffset.UTC).toLocalDate();
    LocalDate oldestKept = today.minusDays(config.retention().toDays() - 1);
    int deleted = 0;
    for (Path d : dateDirs()) {
      LocalDate date = dateOf(d);
      if (date != null && date.isBefore(oldestKept)) {
        deleted += deleteTree(d);
      }
    }
    return deleted;
  }

  private List<Path> dateDirs() {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(directory)) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory, "date=*")) {
      for (Path p : ds) {
        if (Files.isDirectory(p)) {
          out.add(p);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Collections.sort(out);
    return out;
  }

  static LocalDate dateOf(Path dir) {
    try {
      return LocalDate.parse(dir.getFileName().toString().substring(5));
    } catch (DateTimeParseException | StringIndexOutOfBoundsException e) {
      return null;
    }
  }

  private static int deleteTree(Path d) {
    int n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
      for (Path p : ds) {
        if (Files.isDirectory(p)) {
          n += deleteTree(p);
        } else {
          Files.deleteIfExists(p);
          n++;
        }
      }
      Files.deleteIfExists(d);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + d, e);
    }
    return n;
  }

  /**
   * A capture file's content: decision id, device, seq, time, reasons and every input tensor
   * (name, type, shape, data base64 little-endian). The collector files the same content.
   */
  public static String encode(String device, long seq, long timeMs, List<String> reasons, List<Tensor> inputs) {
    JsonObject o = new JsonObject();
    o.addProperty("schema", SCHEMA);
    o.addProperty("kind", "capture");
    o.addProperty("decision_id", device + ":" + seq);
    o.addProperty("device", device);
    o.addProperty("seq", seq);
    o.addProperty("time_ms", timeMs);
    JsonArray r = new JsonArray();
    reasons.forEach(r::add);
    o.add("reasons", r);
    JsonArray in = new JsonArray();
    for (Tensor t : inputs) {
      JsonObject j = new JsonObject();
      j.addProperty("name", t.name());
      j.addProperty("type", t.type().wireName());
      JsonArray shape = new JsonArray();
      for (long s : t.shape()) {
        shape.add(s);
      }
      j.add("shape", shape);
      ByteBuffer b = t.data();
      byte[] bytes = new byte[b.remaining()];
      b.get(bytes);
      j.addProperty("data_base64", Base64.getEncoder().encodeToString(bytes));
      in.add(j);
    }
    o.add("inputs", in);
    return o.toString();
  }
}
