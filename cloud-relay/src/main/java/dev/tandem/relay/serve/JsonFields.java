package dev.tandem.relay.serve;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/** Typed reads of one JSON object's fields, with errors that name the option's path. */
final class JsonFields {
  private final JsonObject object;
  private final String path;

  JsonFields(JsonElement element, String path) {
    if (element == null || !element.isJsonObject()) {
      throw new ConfigException(path + " must be a JSON object");
    }
    this.object = element.getAsJsonObject();
    this.path = path;
  }

  /** Rejects keys outside {@code known}: a misspelt option must not be silently ignored. */
  JsonFields allow(String... known) {
    Set<String> k = new HashSet<>(Arrays.asList(known));
    for (String key : object.keySet()) {
      if (!k.contains(key)) {
        throw new ConfigException(name(key) + " is not a known option; known: " + String.join(", ", known));
      }
    }
    return this;
  }

  String name(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  boolean has(String key) {
    return object.has(key) && !object.get(key).isJsonNull();
  }

  JsonElement get(String key) {
    return object.get(key);
  }

  String string(String key, String def) {
    if (!has(key)) {
      return def;
    }
    JsonElement e = object.get(key);
    if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isString()) {
      throw new ConfigException(name(key) + " must be a string, was " + e);
    }
    return e.getAsString();
  }

  String requiredString(String key) {
    String s = string(key, null);
    if (s == null || s.isEmpty()) {
      throw new ConfigException(name(key) + " is required");
    }
    return s;
  }

  long number(String key, long def, long min, long max) {
    if (!has(key)) {
      return def;
    }
    JsonElement e = object.get(key);
    long v;
    try {
      if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
        throw new NumberFormatException();
      }
      v = e.getAsBigDecimal().longValueExact();
    } catch (ArithmeticException | NumberFormatException ex) {
      throw new ConfigException(name(key) + " must be an integer, was " + e);
    }
    if (v < min || v > max) {
      throw new ConfigException(name(key) + " must be between " + min + " and " + max + ", was " + v);
    }
    return v;
  }

  double decimal(String key, double def, double min, double max) {
    if (!has(key)) {
      return def;
    }
    JsonElement e = object.get(key);
    if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
      throw new ConfigException(name(key) + " must be a number, was " + e);
    }
    double v = e.getAsDouble();
    if (!(v >= min && v <= max)) {
      throw new ConfigException(name(key) + " must be between " + min + " and " + max + ", was " + v);
    }
    return v;
  }

  boolean bool(String key, boolean def) {
    if (!has(key)) {
      return def;
    }
    JsonElement e = object.get(key);
    if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isBoolean()) {
      throw new ConfigException(name(key) + " must be true or false, was " + e);
    }
    return e.getAsBoolean();
  }

  JsonArray array(String key) {
    if (!has(key)) {
      return new JsonArray();
    }
    JsonElement e = object.get(key);
    if (!e.isJsonArray()) {
      throw new ConfigException(name(key) + " must be a JSON array, was " + e);
    }
    return e.getAsJsonArray();
  }

  JsonFields child(String key) {
    return new JsonFields(has(key) ? object.get(key) : new JsonObject(), name(key));
  }

  JsonObject raw() {
    return object;
  }
}
