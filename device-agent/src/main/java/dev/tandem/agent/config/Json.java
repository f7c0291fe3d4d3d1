package dev.tandem.agent.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Typed, path-aware reads from a JSON object, each failing with the field's full path. */
final class Json {
  private final JsonObject o;
  private final String path;
  private final Path base;

  Json(JsonObject o, String path, Path base) {
    this.o = o;
    this.path = path;
    this.base = base;
  }

  String field(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Fails on any key not in {@code known}: a typo must not silently fall back to a default. */
  Json allow(String... known) {
    Set<String> k = new HashSet<>(Arrays.asList(known));
    for (String key : o.keySet()) {
      if (!k.contains(key)) {
        throw new ConfigException(field(key), "unknown field (known: " + String.join(", ", known) + ")");
      }
    }
    return this;
  }

  boolean has(String name) {
    return o.has(name) && !o.get(name).isJsonNull();
  }

  Json object(String name) {
    if (!has(name)) {
      return new Json(new JsonObject(), field(name), base);
    }
    JsonElement e = o.get(name);
    if (!e.isJsonObject()) {
      throw new ConfigException(field(name), "must be an object, was " + e);
    }
    return new Json(e.getAsJsonObject(), field(name), base);
  }

  JsonObject raw() {
    return o;
  }

  String string(String name, String dflt) {
    if (!has(name)) {
      if (dflt == null) {
        throw new ConfigException(field(name), "is required");
      }
      return dflt;
    }
    JsonElement e = o.get(name);
    if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) {
      throw new ConfigException(field(name), "must be a string, was " + e);
    }
    return e.getAsString();
  }

  String requiredString(String name) {
    String s = string(name, null);
    if (s.isEmpty()) {
      throw new ConfigException(field(name), "must not be empty");
    }
    return s;
  }

  /** A path, resolved against the config file's directory when relative. */
  Path path(String name, Path dflt) {
    if (!has(name)) {
      if (dflt == null) {
        throw new ConfigException(field(name), "is required");
      }
      return dflt;
    }
    String s = string(name, null);
    if (s.isEmpty()) {
      throw new ConfigException(field(name), "must not be empty");
    }
    return base.resolve(s).normalize();
  }

  long integer(String name, long dflt, long min, long max) {
    if (!has(name)) {
      return dflt;
    }
    JsonElement e = o.get(name);
    long v;
    try {
      if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
        throw new NumberFormatException();
      }
      v = e.getAsBigDecimal().longValueExact();
    } catch (NumberFormatException | ArithmeticException ex) {
      throw new ConfigException(field(name), "must be an integer, was " + e);
    }
    if (v < min || v > max) {
      throw new ConfigException(field(name), "must be within [" + min + ", " + max + "], was " + v);
    }
    return v;
  }

  double number(String name, double dflt, double min, double max) {
    if (!has(name)) {
      return dflt;
    }
    JsonElement e = o.get(name);
    if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
      throw new ConfigException(field(name), "must be a number, was " + e);
    }
    double v = e.getAsDouble();
    if (!(v >= min && v <= max)) {
      throw new ConfigException(field(name), "must be within [" + min + ", " + max + "], was " + v);
    }
    return v;
  }

  boolean bool(String name, boolean dflt) {
    if (!has(name)) {
      return dflt;
    }
    JsonElement e = o.get(name);
    if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isBoolean()) {
      throw new ConfigException(field(name), "must be true or false, was " + e);
    }
    return e.getAsBoolean();
  }

  List<String> strings(String name, List<String> dflt) {
    if (!has(name)) {
      return dflt;
    }
    JsonElement e = o.get(name);
    if (!e.isJsonArray()) {
      throw new ConfigException(field(name), "must be an array of strings, was " + e);
    }
    List<String> out = new ArrayList<>();
    for (JsonElement x : (JsonArray) e) {
      if (!x.isJsonPrimitive() || !((JsonPrimitive) x).isString()) {
        throw new ConfigException(field(name), "must be an array of strings, has " + x);
      }
      out.add(x.getAsString());
    }
    return out;
  }

  <E extends Enum<E>> E choice(String name, E dflt, Class<E> type) {
    if (!has(name)) {
      return dflt;
    }
    String s = string(name, null);
    for (E c : type.getEnumConstants()) {
      if (c.name().equalsIgnoreCase(s)) {
        return c;
      }
    }
    List<String> names = new ArrayList<>();
    for (E c : type.getEnumConstants()) {
      names.add(c.name().toLowerCase(java.util.Locale.ROOT));
    }
    throw new ConfigException(field(name), "must be one of " + names + ", was \"" + s + "\"");
  }
}
