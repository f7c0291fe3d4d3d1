package dev.tandem.agent.upload;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * The store's amendment records (a cloud reply after its decision's deadline): each one's id
   * ("device:seq") to the id of the decision it amends.
   */
  public static Map<String, String> amendments(Path store) throws IOException {
    Map<String, String> out = new HashMap<>();
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
          if (o.has("kind") && o.get("kind").getAsString().equals("amendment")) {
            out.put(o.get("device").getAsString() + ":" + o.get("seq").getAsLong(), o.get("decision_id").getAsString());
          }
        }
      }
    }
    return out;
  }
}
