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
    return ids(store, o -> true);
  }

  /** The ids of the stored records of one kind ({@code decision}, {@code policy_event}, ...). */
  public static List<String> idsOfKind(Path store, String kind) throws IOException {
    return ids(store, o -> kind.equals(o.get("kind").getAsString()));
  }

  /** The ids of the stored records other than the agents' {@code policy_event} records. */
  public static List<String> idsExceptPolicyEvents(Path store) throws IOException {
    return ids(store, o -> !"policy_event".equals(o.get("kind").getAsString()));
  }

  private static List<String> ids(Path store, java.util.function.Predicate<JsonObject> which) throws IOException {
    List<String> out = new ArrayList<>();
    for (JsonObject o : records(store)) {
      if (which.test(o)) {
        out.add(id(o));
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
    for (JsonObject o : records(store)) {
      if ("amendment".equals(o.get("kind").getAsString())) {
        out.put(id(o), o.get("decision_id").getAsString());
      }
    }
    return out;
  }

  private static String id(JsonObject record) {
    return record.get("device").getAsString() + ":" + record.get("seq").getAsLong();
  }

  private static List<JsonObject> records(Path store) throws IOException {
    List<JsonObject> out = new ArrayList<>();
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
          out.add(JsonParser.parseString(line).getAsJsonObject());
        }
      }
    }
    return out;
  }
}
