package dev.tandem.workload.build;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.workload.split.Part;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The artefacts of one build, in one folder: {@code edge.onnx}, {@code cloud.onnx} (and {@code
 * edge-fp32.onnx} when built), their tokenizer.json files, {@code models.json} (the manifest),
 * {@code split.json} and {@code train|calibration|test.jsonl}. Immutable.
 */
public final class BuiltModels {
  /** Names of the models in a build. */
  public static final String EDGE = "edge";
  public static final String CLOUD = "cloud";
  public static final String EDGE_FP32 = "edge-fp32";

  private final Path dir;
  private final List<ModelEntry> models;

  private BuiltModels(Path dir, List<ModelEntry> models) {
    this.dir = dir;
    this.models = Collections.unmodifiableList(models);
  }

  /**
   * Reads a build folder's manifest.
   *
   * @throws UncheckedIOException if {@code models.json} is missing or unreadable
   */
  public static BuiltModels read(Path dir) {
    Path manifest = dir.resolve("models.json");
    try (Reader r = Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
      JsonObject o = JsonParser.parseReader(r).getAsJsonObject();
      List<ModelEntry> models = new ArrayList<>();
      for (JsonElement e : o.getAsJsonArray("models")) {
        models.add(new ModelEntry(dir, e.getAsJsonObject()));
      }
      return new BuiltModels(dir, models);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + manifest, e);
    }
  }

  public Path dir() {
    return dir;
  }

  public Path manifest() {
    return dir.resolve("models.json");
  }

  public List<ModelEntry> models() {
    return models;
  }

  /** The model of that name, if built. */
  public Optional<ModelEntry> model(String name) {
    return models.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  public ModelEntry edge() {
    return model(EDGE).orElseThrow(() -> new IllegalStateException("no edge model in " + dir));
  }

  public ModelEntry cloud() {
    return model(CLOUD).orElseThrow(() -> new IllegalStateException("no cloud model in " + dir));
  }

  /** The split's ids per part ({@code Split.read}). */
  public Path split() {
    return dir.resolve("split.json");
  }

  /** JSON lines {@code {"id","text","label"}} of one part ({@code MessagesJsonl.read}). */
  public Path messages(Part part) {
    return dir.resolve(part.fileName() + ".jsonl");
  }

  @Override
  public String toString() {
    return "BuiltModels{" + dir + ", " + models + "}";
  }
}
