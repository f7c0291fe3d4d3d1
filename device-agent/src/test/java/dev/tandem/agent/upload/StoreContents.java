package dev.tandem.agent.upload;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads a log store's record files back, for assertions on exactly what it holds. */
public final class StoreContents {
  private StoreContents() {}

  /** Every record id ("device:seq") in the store's JSON-lines files, duplicates kept. */
  public static List<String> ids(Path store) throws IOException {
    List<String> out = new ArrayList<>();
    Path records = store.resolve("records");
    if (!Files.exists(records)) {
      return out;
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(records)) {
      files = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().collect(Collectors.toList());
    }
    for (Path f : files) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        if (!line.trim().isEmpty()) {
          JsonObject o = JsonParser.parseString(line).getAsJsonObject();
          out.add(o.get("device").getAsString() + ":" + o.get("seq").getAsLong());
        }
      }
    }
    return out;
  }
}
