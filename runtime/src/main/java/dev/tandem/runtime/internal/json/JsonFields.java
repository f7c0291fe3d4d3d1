package dev.tandem.runtime.internal.json;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Typed reads of one JSON object's fields. Every failure goes through the {@link JsonErrors}
 * with the field's full JSON path ({@code models[0].maxBatch}), the value as written and one
 * wording shared by every document Tandem reads:
 *
 * <ul>
 *   <li>{@code is required}, {@code must not be empty}
 *   <li>{@code must be a string}, {@code must be an integer}, {@code must be a number}, {@code
 *       must be finite}, {@code must be true or false}, {@code must be an object}, {@code must be
 *       an array}
 *   <li>{@code must be between MIN and MAX}, {@code must be one of [a, b]}
 *   <li>{@code is not a known field (known: a, b)}, {@code appears twice}
 * </ul>
 *
 * <p>A field whose value is {@code null} reads as absent. Uses Gson's streaming reader and tree
 * model only, no reflection, so R8 on Android cannot break it. Immutable and thread-safe as long
 * as nobody changes the {@link #raw()} object.
 */
public final class JsonFields {
  private static final int MAX_VALUE_CHARS = 80;

  private final JsonObject object;
  private final String path;
  private final JsonErrors errors;

  private JsonFields(JsonObject object, String path, JsonErrors errors) {
    this.object = object;
    this.path = path;
    this.errors = errors;
  }

  /**
   * Reads a document that must be one JSON object.
   *
   * @throws RuntimeException from {@code errors}, path empty: {@code is not valid JSON: ...} or
   *     {@code must be a JSON object}; or at a path: {@code appears twice}
   */
  public static JsonFields parse(String text, JsonErrors errors) {
    return of(parseTree(text, errors), "", errors);
  }

  /**
   * Reads a document strictly: JSON as RFC 8259 has it, no comments, no duplicate keys, nothing
   * after the value.
   */
  public static JsonElement parseTree(String text, JsonErrors errors) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(errors, "errors");
    JsonReader r = new JsonReader(new StringReader(text));
    r.setStrictness(Strictness.STRICT);
    try {
      JsonElement e = read(r, "", errors);
      if (r.peek() != JsonToken.END_DOCUMENT) {
        throw errors.error("", "", "is not valid JSON: content after the value");
      }
      return e;
    } catch (IOException | IllegalStateException | NumberFormatException e) {
      throw errors.error("", "", "is not valid JSON: " + e.getMessage());
    }
  }

  /** The fields of {@code element}, which must be an object; {@code path} names it in errors. */
  public static JsonFields of(JsonElement element, String path, JsonErrors errors) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(errors, "errors");
    if (element == null || !element.isJsonObject()) {
      throw errors.error(path, element == null ? "" : abbreviate(element),
          path.isEmpty() ? "must be a JSON object" : "must be an object");
    }
    return new JsonFields(element.getAsJsonObject(), path, errors);
  }

  /** The same fields, failing through other errors. */
  public JsonFields withErrors(JsonErrors other) {
    return new JsonFields(object, path, other);
  }

  private static JsonElement read(JsonReader r, String at, JsonErrors errors) throws IOException {
    switch (r.peek()) {
      case BEGIN_OBJECT:
        JsonObject o = new JsonObject();
        r.beginObject();
        while (r.hasNext()) {
          String name = r.nextName();
          String p = join(at, name);
          JsonElement v = read(r, p, errors);
          if (o.has(name)) {
            throw errors.error(p, "", "appears twice");
          }
          o.add(name, v);
        }
        r.endObject();
        return o;
      case BEGIN_ARRAY:
        JsonArray a = new JsonArray();
        r.beginArray();
        while (r.hasNext()) {
          a.add(read(r, at + "[" + a.size() + "]", errors));
        }
        r.endArray();
        return a;
      case STRING:
        return new JsonPrimitive(r.nextString());
      case NUMBER:
        return new JsonPrimitive(new LazyNumber(r.nextString()));
      case BOOLEAN:
        return new JsonPrimitive(r.nextBoolean());
      case NULL:
        r.nextNull();
        return JsonNull.INSTANCE;
      default:
        throw new MalformedJsonException("unexpected " + r.peek() + " at " + r.getPath());
    }
  }

  /** A number kept as written, so that integers of any size and doubles read back exactly. */
  private static final class LazyNumber extends Number {
    private static final long serialVersionUID = 1L;
    private final String text;

    LazyNumber(String text) {
      this.text = text;
    }

    @Override
    public int intValue() {
      return (int) longValue();
    }

    @Override
    public long longValue() {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        return new java.math.BigDecimal(text).longValue();
      }
    }

    @Override
    public float floatValue() {
      return Float.parseFloat(text);
    }

    @Override
    public double doubleValue() {
      return Double.parseDouble(text);
    }

    @Override
    public String toString() {
      return text;
    }
  }

  // ---- the object

  /** This object's JSON path; empty for the document. */
  public String path() {
    return path;
  }

  /** The JSON path of one of this object's fields. */
  public String path(String name) {
    return join(path, name);
  }

  /** The object itself; callers must not change it. */
  public JsonObject raw() {
    return object;
  }

  /** The field names, in document order. */
  public Set<String> names() {
    return Collections.unmodifiableSet(object.keySet());
  }

  /** Whether the field is present and not {@code null}. */
  public boolean has(String name) {
    JsonElement e = object.get(name);
    return e != null && !e.isJsonNull();
  }

  /** Rejects fields outside {@code known}: a misspelt option must not be silently ignored. */
  public JsonFields allow(String... known) {
    Set<String> k = new HashSet<>(Arrays.asList(known));
    for (Map.Entry<String, JsonElement> e : object.entrySet()) {
      if (!k.contains(e.getKey())) {
        throw errors.error(path(e.getKey()), abbreviate(e.getValue()),
            "is not a known field (known: " + String.join(", ", known) + ")");
      }
    }
    return this;
  }

  /** An error about a field, with its value as written, through this reader's errors. */
  public RuntimeException error(String name, String problem) {
    JsonElement e = object.get(name);
    return errors.error(path(name), e == null ? "" : abbreviate(e), problem);
  }

  /** An error about this object as a whole. */
  public RuntimeException error(String problem) {
    return errors.error(path, abbreviate(object), problem);
  }

  // ---- strings

  /** A required string. */
  public String string(String name) {
    return asString(required(name), name);
  }

  /** A string, or {@code dflt} (which may be null) when absent. */
  public String string(String name, String dflt) {
    return has(name) ? asString(object.get(name), name) : dflt;
  }

  /** A required string that is not empty. */
  public String nonEmptyString(String name) {
    String s = string(name);
    if (s.isEmpty()) {
      throw error(name, "must not be empty");
    }
    return s;
  }

  /** A list of strings, or {@code dflt} when absent. */
  public List<String> strings(String name, List<String> dflt) {
    if (!has(name)) {
      return dflt;
    }
    JsonArray a = asArray(object.get(name), name);
    List<String> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      JsonElement e = a.get(i);
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw errors.error(path(name) + "[" + i + "]", abbreviate(e), "must be a string");
      }
      out.add(e.getAsString());
    }
    return out;
  }

  /** One of an enum's constants by name, case-insensitively, or {@code dflt} when absent. */
  public <E extends Enum<E>> E choice(String name, E dflt, Class<E> type) {
    if (!has(name)) {
      return dflt;
    }
    String s = string(name);
    List<String> names = new ArrayList<>();
    for (E c : type.getEnumConstants()) {
      if (c.name().equalsIgnoreCase(s)) {
        return c;
      }
      names.add(c.name().toLowerCase(Locale.ROOT));
    }
    throw error(name, "must be one of " + names);
  }

  // ---- numbers

  /** A required integer. */
  public long integer(String name) {
    return asInteger(required(name), path(name));
  }

  /** An integer, or {@code dflt} when absent. */
  public long integer(String name, long dflt) {
    return has(name) ? asInteger(object.get(name), path(name)) : dflt;
  }

  /** A required integer within {@code [min, max]}. */
  public long integer(String name, long min, long max) {
    return inRange(name, integer(name), min, max);
  }

  /** An integer within {@code [min, max]}, or {@code dflt} (not checked) when absent. */
  public long integer(String name, long dflt, long min, long max) {
    return has(name) ? inRange(name, integer(name), min, max) : dflt;
  }

  /** A required array of integers. */
  public long[] integers(String name) {
    JsonArray a = asArray(required(name), name);
    long[] out = new long[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = asInteger(a.get(i), path(name) + "[" + i + "]");
    }
    return out;
  }

  /** A required finite number. */
  public double number(String name) {
    return asNumber(required(name), path(name));
  }

  /** A finite number, or {@code dflt} when absent. */
  public double number(String name, double dflt) {
    return has(name) ? asNumber(object.get(name), path(name)) : dflt;
  }

  /** A finite number within {@code [min, max]}, or {@code dflt} (not checked) when absent. */
  public double number(String name, double dflt, double min, double max) {
    if (!has(name)) {
      return dflt;
    }
    double v = number(name);
    if (!(v >= min && v <= max)) {
      throw error(name, "must be between " + min + " and " + max);
    }
    return v;
  }

  /** A required array of numbers, as floats. */
  public float[] floats(String name) {
    JsonArray a = asArray(required(name), name);
    float[] out = new float[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) asNumber(a.get(i), path(name) + "[" + i + "]");
    }
    return out;
  }

  // ---- booleans, objects, arrays

  /** A required boolean. */
  public boolean bool(String name) {
    return asBool(required(name), name);
  }

  /** A boolean, or {@code dflt} when absent. */
  public boolean bool(String name, boolean dflt) {
    return has(name) ? asBool(object.get(name), name) : dflt;
  }

  /** A required object. */
  public JsonFields object(String name) {
    return of(required(name), path(name), errors);
  }

  /** An object, or an empty one (at the same path) when absent. */
  public JsonFields objectOrEmpty(String name) {
    return has(name) ? object(name) : new JsonFields(new JsonObject(), path(name), errors);
  }

  /** A required array. */
  public JsonArray array(String name) {
    return asArray(required(name), name);
  }

  /** An array, or an empty one when absent. */
  public JsonArray arrayOrEmpty(String name) {
    return has(name) ? array(name) : new JsonArray();
  }

  /** The objects of a required array, each named {@code name[i]}. */
  public List<JsonFields> objects(String name) {
    return objectsOf(array(name), name);
  }

  /** The objects of an array, none when absent. */
  public List<JsonFields> objectsOrEmpty(String name) {
    return has(name) ? objects(name) : Collections.<JsonFields>emptyList();
  }

  private List<JsonFields> objectsOf(JsonArray a, String name) {
    List<JsonFields> out = new ArrayList<>(a.size());
    for (int i = 0; i < a.size(); i++) {
      out.add(of(a.get(i), path(name) + "[" + i + "]", errors));
    }
    return out;
  }

  // ---- helpers

  private JsonElement required(String name) {
    if (!has(name)) {
      throw errors.error(path(name), "", "is required");
    }
    return object.get(name);
  }

  private String asString(JsonElement e, String name) {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw errors.error(path(name), abbreviate(e), "must be a string");
    }
    return e.getAsString();
  }

  private long asInteger(JsonElement e, String at) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      try {
        return e.getAsBigDecimal().longValueExact();
      } catch (ArithmeticException | NumberFormatException ex) {
        // falls through to the error: a fraction, or out of the range of a long
      }
    }
    throw errors.error(at, abbreviate(e), "must be an integer");
  }

  private double asNumber(JsonElement e, String at) {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw errors.error(at, abbreviate(e), "must be a number");
    }
    double d;
    try {
      d = e.getAsDouble();
    } catch (NumberFormatException ex) {
      throw errors.error(at, abbreviate(e), "must be a number");
    }
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw errors.error(at, abbreviate(e), "must be finite");
    }
    return d;
  }

  private boolean asBool(JsonElement e, String name) {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw errors.error(path(name), abbreviate(e), "must be true or false");
    }
    return e.getAsBoolean();
  }

  private JsonArray asArray(JsonElement e, String name) {
    if (!e.isJsonArray()) {
      throw errors.error(path(name), abbreviate(e), "must be an array");
    }
    return e.getAsJsonArray();
  }

  private long inRange(String name, long v, long min, long max) {
    if (v < min || v > max) {
      throw error(name, "must be between " + min + " and " + max);
    }
    return v;
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** A value as written, cut to 80 characters. */
  public static String abbreviate(JsonElement e) {
    String s = e.toString();
    return s.length() > MAX_VALUE_CHARS ? s.substring(0, MAX_VALUE_CHARS - 3) + "..." : s;
  }

  /** A string as a JSON literal, for an error's value. */
  public static String quote(String s) {
    return new JsonPrimitive(s).toString();
  }
}
