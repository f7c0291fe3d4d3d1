package dev.tandem.workload.split;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.workload.corpus.Label;
import dev.tandem.workload.corpus.Message;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Messages as JSON lines, one {@code {"id": ..., "text": ..., "label": "spam"|"ham"}} per line
 * (UTF-8): the form in which the simulator and the tuner read the calibration and test parts.
 */
public final class MessagesJsonl {
  private MessagesJsonl() {}

  public static void write(Path file, List<Message> messages) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Message m : messages) {
        JsonObject o = new JsonObject();
        o.addProperty("id", m.id());
        o.addProperty("text", m.text());
        o.addProperty("label", m.label().name().toLowerCase(Locale.ROOT));
        w.write(o.toString());
        w.write('\n');
      }
    }
  }

  /**
   * Reads a file written by {@link #write(Path, List)}.
   *
   * @throws IOException if the file cannot be read or a line is not such a record (the line
   *     number is in the message)
   */
  public static List<Message> read(Path file) throws IOException {
    List<Message> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isEmpty()) {
          continue;
        }
        try {
          JsonObject o = JsonParser.parseString(line).getAsJsonObject();
          out.add(new Message(o.get("id").getAsString(), o.get("text").getAsString(),
              Label.valueOf(o.get("label").getAsString().toUpperCase(Locale.ROOT))));
        } catch (RuntimeException e) {
          throw new IOException(file + " line " + n + ": not a message record: " + e.getMessage(), e);
        }
      }
    }
    return out;
  }
}
