package dev.tandem.demo;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
   * The chosen candidate's accuracy estimate and 95 % interval from tune's {@code summary.json}
   * ({@code fleet.selection.threshold}, then that candidate's {@code accuracy} estimate,
   * {@code lo95}, {@code hi95}); NaN where the file does not say (no labels: agreement, or no
   * support).
   */
  static double[] predictedAccuracy(Path summary) {
    double[] none = {Double.NaN, Double.NaN, Double.NaN};
    if (!Files.isRegularFile(summary)) {
      return none;
    }
    try {
      JsonObject fleet = JsonParser.parseString(new String(Files.readAllBytes(summary), StandardCharsets.UTF_8))
          .getAsJsonObject().getAsJsonObject("fleet");
      JsonObject sel = fleet.getAsJsonObject("selection");
      if (sel == null || !sel.has("threshold")) {
        return none;
      }
      double chosen = sel.get("threshold").getAsDouble();
      for (JsonElement c : fleet.getAsJsonArray("candidates")) {
        JsonObject o = c.getAsJsonObject();
        if (o.get("threshold").getAsDouble() == chosen && o.has("accuracy")) {
          JsonObject a = o.getAsJsonObject("accuracy");
          return new double[] {num(a, "estimate"), num(a, "lo95"), num(a, "hi95")};
        }
      }
      return none;
    } catch (IOException | RuntimeException e) {
      return none;
    }
  }

  private static double num(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() ? e.getAsDouble() : Double.NaN;
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
