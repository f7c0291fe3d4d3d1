package dev.tandem.agent.simulate;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonParser;
import dev.tandem.agent.input.InferRequest;
import dev.tandem.agent.input.InvalidRequestException;
import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.ModelInfo;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.model.TensorSpec;
import dev.tandem.runtime.text.TextInput;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;

/**
 * The inputs a fleet replays: JSON lines, each {@code {"id", "text" | "inputs", "label"?}}.
 * {@code text} is kept as text: each device's runtime tokenizes it as it decides ({@link TextInputs}:
 * one message, unpadded, for the edge; for the cloud, with its own tokenizer, only on offload);
 * {@code inputs} are raw tensors in the agent's request format
 * ({@code [{"name", "type", "shape", "data"}]}); {@code label}, when present, is the true class
 * (an index, or a class name such as the workload's {@code "ham"}), which a device reports as
 * feedback. The workload's split files (id, text, label) are read as they are. Immutable and
 * thread-safe.
 */
public final class DataSet {
  /** One input: a text or tensors, and its true label (-1 if unknown). */
  public static final class Item {
    private final String id;
    private final List<Tensor> tensors;
    private final String text;
    private final int label;

    Item(String id, List<Tensor> tensors, int label) {
      this(id, tensors, null, label);
    }

    private Item(String id, List<Tensor> tensors, String text, int label) {
      this.id = id;
      this.tensors = tensors;
      this.text = text;
      this.label = label;
    }

    static Item text(String id, String text, int label) {
      return new Item(id, List.of(), text, label);
    }

    public String id() {
      return id;
    }

    /** The edge model's input tensors; empty for a text. */
    public List<Tensor> tensors() {
      return tensors;
    }

    /** The text, tokenized by the device's runtime; empty for tensors. */
    public Optional<String> text() {
      return Optional.ofNullable(text);
    }

    /** The true class, or -1 when the data set does not say. */
    public int label() {
      return label;
    }
  }

  private final List<Item> items;
  private final TextInputs textInputs;

  private DataSet(List<Item> items, TextInputs textInputs) {
    this.items = Collections.unmodifiableList(items);
    this.textInputs = textInputs;
  }

  /**
   * Reads a data set whose text lines are tokenized for the edge model only.
   *
   * @param text for {@code text} lines; {@code null} when the model takes raw tensors
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the line that cannot be used
   */
  public static DataSet read(Path file, TextInput text) throws IOException {
    return read(file, text == null ? null : TextInputs.edgeOnly(text), List.of());
  }

  /**
   * Reads a data set.
   *
   * @param text how the devices take {@code text} lines (the edge's and the cloud's text
   *     inputs); {@code null} when the model takes raw tensors
   * @param labelNames class names in the model's output order, for labels given as names
   *     ({@code "label": "spam"}); empty when labels are class indices
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the line that cannot be used
   */
  public static DataSet read(Path file, TextInputs text, List<String> labelNames) throws IOException {
    List<Item> items = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.trim().isEmpty()) {
          continue;
        }
        try {
          items.add(item(line, text, labelNames, n));
        } catch (InvalidRequestException | IllegalStateException | IllegalArgumentException e) {
          throw new IllegalArgumentException(file + " line " + n + ": " + e.getMessage(), e);
        }
      }
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException(file + ": no inputs");
    }
    return new DataSet(items, text);
  }

  private static Item item(String line, TextInputs text, List<String> labelNames, int lineNo) {
    InferRequest req = InferRequest.parse(line);
    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
    int label = o.has("label") ? label(o.get("label"), labelNames) : -1;
    String id = req.id().isEmpty() ? Integer.toString(lineNo) : req.id();
    if (req.text().isPresent() && text != null) {
      return Item.text(id, req.text().get(), label);
    }
    if (!req.tensors().isEmpty()) {
      return new Item(id, req.tensors(), label);
    }
    throw new IllegalArgumentException("a text line needs --tokenizer (the model's tokenizer.json)");
  }

  /** A label given as a class index or as one of {@code names}; -1 for null. */
  static int label(JsonElement e, List<String> names) {
    if (e.isJsonNull()) {
      return -1;
    }
    if (!e.isJsonPrimitive()) {
      throw new IllegalArgumentException("label must be a class index or a class name, was " + e);
    }
    JsonPrimitive p = e.getAsJsonPrimitive();
    if (p.isNumber()) {
      double v = p.getAsDouble();
      if (v < 0 || v != Math.rint(v) || v > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("label must be a class index >= 0, was " + p);
      }
      return (int) v;
    }
    String name = p.getAsString();
    if (names.isEmpty()) {
      throw new IllegalArgumentException("label \"" + name + "\" is a class name, but the class names are not"
          + " known: pass --labels (the names in the model's output order, e.g. --labels ham,spam) or use a"
          + " model whose metadata has tandem.labels");
    }
    int i = names.indexOf(name);
    if (i < 0) {
      throw new IllegalArgumentException("label \"" + name + "\" is not one of the classes " + names);
    }
    return i;
  }

  /** How the devices take the text lines; empty when the set has tensors only. */
  public Optional<TextInputs> textInputs() {
    return Optional.ofNullable(textInputs);
  }

  public List<Item> items() {
    return items;
  }

  public int size() {
    return items.size();
  }

  /**
   * Writes {@code rows} lines of seeded random tensors shaped for {@code model}'s inputs (dynamic
   * dimensions as 1; floats standard normal, integers in [0, 100)), each with a random label
   * in [0, classes) when {@code classes > 0}.
   *
   * @throws IOException when the file cannot be written
   */
  public static void writeRandom(Path file, ModelInfo model, int rows, int classes, long seed) throws IOException {
    Random rnd = new Random(seed);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int i = 0; i < rows; i++) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"id\":\"r").append(i).append("\",\"inputs\":[");
        boolean first = true;
        for (TensorSpec spec : model.inputs()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          long[] shape = spec.shape().clone();
          long count = 1;
          for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0) {
              shape[d] = 1;
            }
            count *= shape[d];
          }
          sb.append("{\"name\":\"").append(spec.name()).append("\",\"type\":\"").append(spec.type().wireName())
              .append("\",\"shape\":").append(java.util.Arrays.toString(shape).replace(" ", "")).append(",\"data\":[");
          for (long k = 0; k < count; k++) {
            if (k > 0) {
              sb.append(',');
            }
            sb.append(value(spec.type(), rnd));
          }
          sb.append("]}");
        }
        sb.append(']');
        if (classes > 0) {
          sb.append(",\"label\":").append(rnd.nextInt(classes));
        }
        sb.append("}\n");
        w.write(sb.toString());
      }
    }
  }

  private static String value(ElementType type, Random rnd) {
    switch (type) {
      case FLOAT32:
        return String.format(Locale.ROOT, "%.4f", rnd.nextGaussian());
      default:
        return Integer.toString(rnd.nextInt(100));
    }
  }
}
