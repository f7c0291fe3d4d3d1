package dev.tandem.agent.input;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import dev.tandem.runtime.internal.json.JsonFields;
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
    JsonFields o = JsonFields.parse(json, InferRequest::error);
    String id = "";
    if (o.has("id")) {
      JsonElement e = o.raw().get("id");
      if (!e.isJsonPrimitive()) {
        throw o.error("id", "must be a string or a number");
      }
      id = e.getAsString(); // a number is echoed as written
    }
    String text = o.string("text", null);
    List<Tensor> tensors = new ArrayList<>();
    for (JsonFields t : o.objectsOrEmpty("inputs")) {
      tensors.add(tensor(t));
    }
    if (text == null && tensors.isEmpty()) {
      throw new InvalidRequestException("a request needs \"text\" or \"inputs\"");
    }
    return new InferRequest(id, text, Collections.unmodifiableList(tensors));
  }

  private static InvalidRequestException error(String path, String value, String problem) {
    return new InvalidRequestException((path.isEmpty() ? "request " : path + " ") + problem
        + (value.isEmpty() ? "" : ", was " + value));
  }

  private static Tensor tensor(JsonFields t) {
    String name = t.string("name");
    ElementType type;
    try {
      type = ElementType.fromWireName(t.string("type"));
    } catch (IllegalArgumentException ex) {
      throw new InvalidRequestException("input " + name + ": " + ex.getMessage());
    }
    long[] shape = t.integers("shape");
    long count = 1;
    for (long dim : shape) {
      if (dim < 0) {
        throw new InvalidRequestException("input " + name + ": negative dimension " + dim);
      }
      count *= dim;
    }
    JsonArray data = t.array("data");
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
