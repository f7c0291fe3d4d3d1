package dev.tandem.demo;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the tuning step gave: the recommended policy (tune's {@code policy.json}) with the
 * predicted accuracy and its interval from tune's {@code summary.json}, or why there is none
 * (no tuner in this build, or the tuner warned instead of recommending).
 */
final class TuneOutcome {
  private final String message;
  private final Path policyFile;
  private final String policyJson;
  private final double predicted;
  private final double low;
  private final double high;

  private TuneOutcome(String message, Path policyFile, String policyJson, double predicted, double low, double high) {
    this.message = message;
    this.policyFile = policyFile;
    this.policyJson = policyJson;
    this.predicted = predicted;
    this.low = low;
    this.high = high;
  }

  static TuneOutcome unavailable(String why) {
    return new TuneOutcome(why, null, null, Double.NaN, Double.NaN, Double.NaN);
  }

  /** Reads tune's output folder after it exited with {@code rc}. */
  static TuneOutcome read(Path dir, int rc) {
    Path policy = dir.resolve("policy.json");
    if (rc != 0 || !Files.isRegularFile(policy)) {
      return unavailable("the tuner recommends no policy (exit status " + rc + "; see its output above and " + dir
          + "): the calibration policy stays in force rather than a guess");
    }
    try {
      String json = new String(Files.readAllBytes(policy), StandardCharsets.UTF_8);
      double[] acc = predictedAccuracy(dir.resolve("summary.json"));
      String m = "recommended " + policy
          + (Double.isNaN(acc[0]) ? "" : String.format(Locale.ROOT, "; predicted accuracy %.2f %% [%.2f, %.2f]",
              100 * acc[0], 100 * acc[1], 100 * acc[2]));
      return new TuneOutcome(m, policy, json, acc[0], acc[1], acc[2]);
    } catch (IOException e) {
      return unavailable("cannot read the tuner's " + policy + ": " + e.getMessage());
    }
  }

  /**
   * The recommended candidate's accuracy estimate and 95 % interval from {@code summary.json}:
   * its {@code recommended} object's {@code accuracy}, a number or an object with an estimate and
   * its bounds. NaN where the file does not say.
   */
  static double[] predictedAccuracy(Path summary) {
    double[] none = {Double.NaN, Double.NaN, Double.NaN};
    if (!Files.isRegularFile(summary)) {
      return none;
    }
    try {
      JsonObject o = JsonParser.parseString(new String(Files.readAllBytes(summary), StandardCharsets.UTF_8))
          .getAsJsonObject();
      JsonElement rec = o.get("recommended");
      if (rec == null || !rec.isJsonObject()) {
        return none;
      }
      JsonElement acc = rec.getAsJsonObject().get("accuracy");
      if (acc == null || acc.isJsonNull()) {
        return none;
      }
      if (acc.isJsonPrimitive()) {
        return new double[] {acc.getAsDouble(), Double.NaN, Double.NaN};
      }
      if (!acc.isJsonObject()) {
        return none;
      }
      JsonObject a = acc.getAsJsonObject();
      return new double[] {first(a, "estimate", "value", "mean"), first(a, "low", "lo", "lower"),
          first(a, "high", "hi", "upper")};
    } catch (IOException | RuntimeException e) {
      return none;
    }
  }

  private static double first(JsonObject o, String... names) {
    for (String n : names) {
      JsonElement e = o.get(n);
      if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
        return e.getAsDouble();
      }
    }
    for (Map.Entry<String, JsonElement> e : o.entrySet()) {
      if (e.getValue().isJsonArray() && e.getValue().getAsJsonArray().size() == 2 && names[0].equals("low")) {
        return e.getValue().getAsJsonArray().get(0).getAsDouble();
      }
      if (e.getValue().isJsonArray() && e.getValue().getAsJsonArray().size() == 2 && names[0].equals("high")) {
        return e.getValue().getAsJsonArray().get(1).getAsDouble();
      }
    }
    return Double.NaN;
  }

  String message() {
    return message;
  }

  Optional<Path> policyFile() {
    return Optional.ofNullable(policyFile);
  }

  Optional<String> policyJson() {
    return Optional.ofNullable(policyJson);
  }

  /** Predicted accuracy of the recommended policy, NaN when not known. */
  double predicted() {
    return predicted;
  }

  double low() {
    return low;
  }

  double high() {
    return high;
  }
}
