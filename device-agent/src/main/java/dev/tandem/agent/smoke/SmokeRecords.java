package dev.tandem.agent.smoke;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Smoke results as JSON lines, one message a line: {@code {"id":..,"top1":..,"values":[..]}}.
 * Floats are written with Java's shortest round-tripping decimal form, so reading back gives
 * the same bits.
 */
public final class SmokeRecords {
  private SmokeRecords() {}

  /** One record as one JSON line (no line break). */
  public static String toJson(SmokeRecord r) {
    JsonObject o = new JsonObject();
    o.addProperty("id", r.id());
    o.addProperty("top1", r.top1());
    JsonArray a = new JsonArray();
    for (float v : r.values()) {
      a.add(v);
    }
    o.add("values", a);
    return o.toString();
  }

  /** Writes one record and a line break. */
  public static void write(Writer out, SmokeRecord r) throws IOException {
    out.write(toJson(r));
    out.write('\n');
  }

  /**
   * Reads a file written by {@link #write}; blank lines are skipped.
   *
   * @throws IOException if the file cannot be read
   * @throws IllegalArgumentException if a line is not a record, naming the file and line
   */
  public static List<SmokeRecord> read(Path file) throws IOException {
    List<SmokeRecord> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.trim().isEmpty()) {
          continue;
        }
        try {
          out.add(parse(line));
        } catch (JsonParseException | IllegalStateException | IllegalArgumentException
            | NullPointerException | UnsupportedOperationException e) {
          throw new IllegalArgumentException(file + ":" + n + ": not a smoke record: " + e.getMessage(), e);
        }
      }
    }
    return out;
  }

  static SmokeRecord parse(String line) {
    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
    JsonArray a = o.getAsJsonArray("values");
    float[] values = new float[a.size()];
    int i = 0;
    for (JsonElement e : a) {
      values[i++] = e.getAsFloat();
    }
    return SmokeRecord.of(o.get("id").getAsString(), o.get("top1").getAsInt(), values);
  }
}
