package dev.tandem.agent.input;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tandem.runtime.model.ElementType;
import dev.tandem.runtime.model.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * One input as the agent's sources deliver it: a JSON object with an optional caller's
 * {@code id} (echoed in the output), and either {@code text} (text models) or {@code inputs}, a
 * list of tensors {@code {"name", "type", "shape", "data"}} with data as a flat number array.
 * Immutable.
 */
public final class InferRequest {
  /** Largest accepted request body. */
  public static final int MAX_BYTES = 4 << 20;

  private final String id;
  private final String text;
  private final List<Tensor> tensors;

  private InferRequest(String id, String text, List<Tensor> tensors) {
    this.id = id;
    this.text = text;
    this.tensors = tensors;
  }

  /**
   * Parses one request.
   *
   * @throws InvalidRequestException naming what is wrong
   */
  public static InferRequest parse(String json) {
    if (json.length() > MAX_BYTES) {
      throw new InvalidRequestException("request larger than " + MAX_BYTES + " bytes");
    }
    JsonObject o;
    try {
      JsonElement e = JsonParser.parseString(json);
      if (!e.isJsonObject()) {
        throw new InvalidRequestException("a request must be a JSON object");
      }
      o = e.getAsJsonObject();
    } catch (com.google.gson.JsonParseException e) {
      throw new InvalidRequestException("request is not JSON: " + e.getMessage());
    }
    String id = o.has("id") && !o.get("id").isJsonNull() ? o.get("id").getAsString() : "";
    String text = null;
    if (o.has("text")) {
      if (!o.get("text").isJsonPrimitive()) {
        throw new InvalidRequestException("text must be a string");
      }
      text = o.get("text").getAsString();
    }
    List<Tensor> tensors = new ArrayList<>();
    if (o.has("inputs")) {
      if (!o.get("inputs").isJsonArray()) {
        throw new InvalidRequestException("inputs must be an array of tensors");
      }
      for (JsonElement t : o.getAsJsonArray("inputs")) {
        tensors.add(tensor(t));
      }
    }
    if (text == null && tensors.isEmpty()) {
      throw new InvalidRequestException("a request needs \"text\" or \"inputs\"");
    }
    return new InferRequest(id, text, Collections.unmodifiableList(tensors));
  }

  private static Tensor tensor(JsonElement e) {
    if (!e.isJsonObject()) {
      throw new InvalidRequestException("each input must be an object {name, type, shape, data}");
    }
    JsonObject t = e.getAsJsonObject();
    for (String f : new String[] {"name", "type", "shape", "data"}) {
      if (!t.has(f)) {
        throw new InvalidRequestException("input is missing \"" + f + "\"");
      }
    }
    String name = t.get("name").getAsString();
    ElementType type;
    try {
      type = ElementType.fromWireName(t.get("type").getAsString());
    } catch (IllegalArgumentException ex) {
      throw new InvalidRequestException("input " + name + ": " + ex.getMessage());
    }
    JsonArray shapeJson = t.getAsJsonArray("shape");
    long[] shape = new long[shapeJson.size()];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeJson.get(i).getAsLong();
      if (shape[i] < 0) {
        throw new InvalidRequestException("input " + name + ": negative dimension " + shape[i]);
      }
      count *= shape[i];
    }
    JsonArray data = t.getAsJsonArray("data");
    if (data.size() != count) {
      throw new InvalidRequestException("input " + name + ": shape holds " + count
          + " elements, data has " + data.size());
    }
    ByteBuffer buf = ByteBuffer.allocate((int) count * type.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    try {
      for (JsonElement v : data) {
        switch (type) {
          case FLOAT32:
            buf.putFloat(v.getAsFloat());
            break;
          case INT64:
            buf.putLong(v.getAsLong());
            break;
          case INT32:
            buf.putInt(v.getAsInt());
            break;
          default:
            buf.put((byte) v.getAsInt());
            break;
        }
      }
    } catch (RuntimeException ex) {
      throw new InvalidRequestException("input " + name + ": data must be numbers (" + ex.getMessage() + ")");
    }
    buf.flip();
    try {
      return Tensor.of(name, type, shape, buf);
    } catch (IllegalArgumentException ex) {
      throw new InvalidRequestException("input " + name + ": " + ex.getMessage());
    }
  }

  /** The caller's id, or empty. */
  public String id() {
    return id;
  }

  public Optional<String> text() {
    return Optional.ofNullable(text);
  }

  public List<Tensor> tensors() {
    return tensors;
  }
}
