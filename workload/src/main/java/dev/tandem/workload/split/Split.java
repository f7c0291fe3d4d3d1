package dev.tandem.workload.split;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.workload.corpus.Corpus;
import dev.tandem.workload.corpus.Label;
import dev.tandem.workload.corpus.Message;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

/**
 * A seeded, stratified three-way split of message ids into train, calibration and test parts.
 * Each label is shuffled on its own (one {@link Random} of the seed, ham first) and cut at the
 * fractions, so every part has the corpus's label ratio; the same corpus, seed and fractions
 * always give the same split.
 *
 * <p>Immutable. Split the deduplicated corpus, or identical texts can land in two parts.
 */
public final class Split {
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  private final long seed;
  private final double trainFraction;
  private final double calibrationFraction;
  private final Map<Part, List<String>> ids;

  private Split(long seed, double trainFraction, double calibrationFraction, Map<Part, List<String>> ids) {
    this.seed = seed;
    this.trainFraction = trainFraction;
    this.calibrationFraction = calibrationFraction;
    this.ids = ids;
  }

  /**
   * Splits {@code corpus}: per label, {@code trainFraction} of its messages (rounded) to train,
   * {@code calibrationFraction} to calibration, the rest to test.
   *
   * @throws IllegalArgumentException if a fraction is not in (0, 1) or they leave no test part
   */
  public static Split stratified(Corpus corpus, long seed, double trainFraction, double calibrationFraction) {
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException("trainFraction " + trainFraction + " must be in (0, 1)");
    }
    if (!(calibrationFraction > 0 && trainFraction + calibrationFraction < 1)) {
      throw new IllegalArgumentException("calibrationFraction " + calibrationFraction
          + " must be positive and leave a test part (train " + trainFraction + ")");
    }
    Random random = new Random(seed);
    Map<Part, List<String>> parts = new EnumMap<>(Part.class);
    for (Part p : Part.values()) {
      parts.put(p, new ArrayList<>());
    }
    for (Label label : Label.values()) {
      List<String> of = corpus.messages().stream().filter(m -> m.label() == label)
          .map(Message::id).sorted().collect(Collectors.toList());
      Collections.shuffle(of, random);
      int train = (int) Math.round(of.size() * trainFraction);
      int calibration = (int) Math.round(of.size() * calibrationFraction);
      calibration = Math.min(calibration, of.size() - train);
      parts.get(Part.TRAIN).addAll(of.subList(0, train));
      parts.get(Part.CALIBRATION).addAll(of.subList(train, train + calibration));
      parts.get(Part.TEST).addAll(of.subList(train + calibration, of.size()));
    }
    return new Split(seed, trainFraction, calibrationFraction, freeze(parts));
  }

  private static Map<Part, List<String>> freeze(Map<Part, List<String>> parts) {
    Map<Part, List<String>> out = new EnumMap<>(Part.class);
    for (Map.Entry<Part, List<String>> e : parts.entrySet()) {
      List<String> sorted = new ArrayList<>(e.getValue());
      Collections.sort(sorted);
      out.put(e.getKey(), Collections.unmodifiableList(sorted));
    }
    return Collections.unmodifiableMap(out);
  }

  public long seed() {
    return seed;
  }

  public double trainFraction() {
    return trainFraction;
  }

  public double calibrationFraction() {
    return calibrationFraction;
  }

  /** The ids of one part, sorted. */
  public List<String> ids(Part part) {
    return ids.get(part);
  }

  /**
   * The messages of one part, in id order.
   *
   * @throws IllegalArgumentException if an id of the part is not in {@code corpus}
   */
  public List<Message> messages(Corpus corpus, Part part) {
    Map<String, Message> byId = new HashMap<>();
    for (Message m : corpus.messages()) {
      byId.put(m.id(), m);
    }
    List<Message> out = new ArrayList<>();
    for (String id : ids.get(part)) {
      Message m = byId.get(id);
      if (m == null) {
        throw new IllegalArgumentException("split id " + id + " is not in the corpus");
      }
      out.add(m);
    }
    return out;
  }

  /** Writes this split as JSON: seed, fractions and the ids of each part. */
  public void write(Path file) throws IOException {
    JsonObject o = new JsonObject();
    o.addProperty("seed", seed);
    o.addProperty("trainFraction", trainFraction);
    o.addProperty("calibrationFraction", calibrationFraction);
    for (Part p : Part.values()) {
      JsonArray a = new JsonArray();
      ids.get(p).forEach(a::add);
      o.add(p.fileName(), a);
    }
    Files.write(file, GSON.toJson(o).getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a split written by {@link #write(Path)}. */
  public static Split read(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseReader(r).getAsJsonObject();
      Map<Part, List<String>> parts = new EnumMap<>(Part.class);
      for (Part p : Part.values()) {
        List<String> l = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray(p.fileName())) {
          l.add(e.getAsString());
        }
        parts.put(p, l);
      }
      return new Split(o.get("seed").getAsLong(), o.get("trainFraction").getAsDouble(),
          o.get("calibrationFraction").getAsDouble(), freeze(parts));
    } catch (RuntimeException e) {
      throw new IOException("cannot parse split " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "Split{seed=" + seed + ", train=" + ids.get(Part.TRAIN).size() + ", calibration="
        + ids.get(Part.CALIBRATION).size() + ", test=" + ids.get(Part.TEST).size() + "}";
  }
}
