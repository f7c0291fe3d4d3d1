package dev.tandem.agent.simulate;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.agent.input.InferRequest;
import dev.tandem.agent.input.InvalidRequestException;
import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.ModelInfo;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.model.TensorSpec;
import dev.tandem.runtime.text.WordPieceTokenizer;
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
import java.util.Random;

/**
 * The inputs a fleet replays: JSON lines, each {@code {"id", "text" | "inputs", "label"?}}.
 * {@code text} is tokenized with the runtime's WordPiece tokenizer (one message, unpadded, as a
 * device does); {@code inputs} are raw tensors in the agent's request format
 * ({@code [{"name", "type", "shape", "data"}]}); {@code label}, when present, is the true class
 * a device reports as feedback. The workload's split files (id, text, label) are read as they
 * are. Preprocessed once at load; immutable and thread-safe.
 */
public final class DataSet {
  /** One input: its tensors and, when known, its true label (-1 otherwise). */
  public static final class Item {
    private final String id;
    private final List<Tensor> tensors;
    private final int label;

    Item(String id, List<Tensor> tensors, int label) {
      this.id = id;
      this.tensors = tensors;
      this.label = label;
    }

    public String id() {
      return id;
    }

    public List<Tensor> tensors() {
      return tensors;
    }

    /** The true class, or -1 when the data set does not say. */
    public int label() {
      return label;
    }
  }

  private final List<Item> items;

  private DataSet(List<Item> items) {
    this.items = Collections.unmodifiableList(items);
  }

  /**
   * Reads a data set.
   *
   * @param tokenizer for {@code text} lines; {@code null} when the model takes raw tensors
   * @param maxTokens longest token sequence kept (with {@code tokenizer})
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException naming the line that cannot be used
   */
  public static DataSet read(Path file, WordPieceTokenizer tokenizer, int maxTokens) throws IOException {
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
          items.add(item(line, tokenizer, maxTokens, n));
        } catch (InvalidRequestException | IllegalStateException | IllegalArgumentException e) {
          throw new IllegalArgumentException(file + " line " + n + ": " + e.getMessage(), e);
        }
      }
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException(file + ": no inputs");
    }
    return new DataSet(items);
  }

  private static Item item(String line, WordPieceTokenizer tokenizer, int maxTokens, int lineNo) {
    InferRequest req = InferRequest.parse(line);
    JsonObject o = JsonParser.parseString(line).getAsJsonObject();
    int label = -1;
    if (o.has("label") && !o.get("label").isJsonNull()) {
      label = o.get("label").getAsInt();
      if (label < 0) {
        throw new IllegalArgumentException("label must be >= 0, was " + label);
      }
    }
    String id = req.id().isEmpty() ? Integer.toString(lineNo) : req.id();
    List<Tensor> tensors;
    if (req.text().isPresent() && tokenizer != null) {
      tensors = tokenizer.encode(req.text().get(), maxTokens).toTensors();
    } else if (!req.tensors().isEmpty()) {
      tensors = req.tensors();
    } else {
      throw new IllegalArgumentException("a text line needs --tokenizer (the model's tokenizer.json)");
    }
    return new Item(id, tensors, label);
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
