package dev.tandem.tuner.hard;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.tandem.tuner.observe.DecisionRow;
import dev.tandem.tuner.observe.StoreRows;
import dev.tandem.tuner.store.StoreException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem-tune export-hard}: hard examples as JSON lines, with captured inputs where kept. */
@Command(name = "export-hard", mixinStandardHelpOptions = true,
    description = "Writes the offloaded, shadow and explored decisions where edge and cloud disagreed or the"
        + " edge was unsure, with both answers, labels and captured inputs, as JSON lines.")
public final class ExportHardCommand implements Callable<Integer> {
  @Option(names = "--store", required = true, description = "the collector's store directory")
  Path store;

  @Option(names = "--from", description = "first receive date (default: the oldest)")
  LocalDate from;

  @Option(names = "--to", description = "last receive date (default: the newest)")
  LocalDate to;

  @Option(names = "--out", required = true, description = "the JSON-lines file to write")
  Path out;

  @Option(names = "--unsure-below", defaultValue = "0.6", description = "edge max_prob below this is unsure (0.6)")
  double unsureBelow;

  @Option(names = "--capture-retention-days", defaultValue = "30",
      description = "captures filed more than this many receive days ago are past retention: not exported (30)")
  int retentionDays;

  @Option(names = "--today", description = "the date retention counts from (default: today, UTC)")
  LocalDate today;

  @Override
  public Integer call() {
    if (retentionDays < 1) {
      System.err.println("error: --capture-retention-days must be at least 1, was " + retentionDays);
      return 2;
    }
    if (!(unsureBelow >= 0 && unsureBelow <= 1)) {
      System.err.println("error: --unsure-below must be within [0, 1], was " + unsureBelow);
      return 2;
    }
    try {
      StoreRows.Result read = StoreRows.read(store, from, to);
      List<HardExample> hard = HardExample.select(read.rows(), unsureBelow);
      Map<String, StoreCaptures.Entry> captures = StoreCaptures.index(store);
      LocalDate keep = StoreCaptures.oldestKept(today != null ? today : LocalDate.now(ZoneOffset.UTC), retentionDays);
      Map<String, Integer> counts = new TreeMap<>();
      int withInput = 0;
      int expired = 0;
      Path parent = out.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
        for (HardExample h : hard) {
          h.reasons().forEach(r -> counts.merge(r, 1, Integer::sum));
          JsonObject o = line(h);
          StoreCaptures.Entry c = captures.get(h.row().id());
          if (c == null) {
            o.addProperty("input_status", "not_captured");
          } else if (c.date().isBefore(keep)) {
            o.addProperty("input_status", "past_retention");
            expired++;
          } else {
            JsonElement inputs = inputsOf(c.file(), h.row().id());
            if (inputs == null) {
              o.addProperty("input_status", "unreadable");
            } else {
              o.addProperty("input_status", "captured");
              o.add("input", inputs);
              withInput++;
            }
          }
          w.write(o.toString());
          w.newLine();
        }
      }
      System.out.println("hard examples: " + hard.size() + " of " + read.rows().size() + " decisions -> " + out);
      counts.forEach((k, v) -> System.out.println("  " + k + ": " + v));
      System.out.println("  with captured input: " + withInput + (expired > 0 ? " (" + expired
          + " captures past retention not exported; purge-captures deletes them)" : ""));
      return 0;
    } catch (StoreException e) {
      System.err.println("error: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      System.err.println("error: cannot write " + out + ": " + e.getMessage());
      return 2;
    }
  }

  private static JsonObject line(HardExample h) {
    DecisionRow r = h.row();
    JsonObject o = new JsonObject();
    o.addProperty("decision_id", r.id());
    o.addProperty("device", r.device());
    o.addProperty("received_date", r.date().toString());
    JsonArray reasons = new JsonArray();
    h.reasons().forEach(reasons::add);
    o.add("hard", reasons);
    o.addProperty("route", r.route());
    o.addProperty("reason", r.reason());
    o.addProperty("explored", r.explored());
    o.addProperty("edge_prediction", r.edgePrediction());
    o.addProperty("edge_max_prob", r.maxProb());
    o.addProperty("edge_margin", r.margin());
    if (r.hasCloudAnswer()) {
      o.addProperty("cloud_prediction", r.cloudPrediction());
    }
    o.addProperty("cloud_status", r.cloudStatus());
    if (r.hasLabel()) {
      o.addProperty("label", r.label());
    }
    o.addProperty("network", r.network());
    o.addProperty("device_class", r.deviceClass());
    o.addProperty("edge_model_hash", r.edgeModelHash());
    o.addProperty("policy_version", r.policyVersion());
    return o;
  }

  /** The capture's inputs, or null when the file is not a capture of this decision. */
  private static JsonElement inputsOf(Path file, String id) {
    try {
      JsonObject c = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8)).getAsJsonObject();
      if (!c.has("decision_id") || !id.equals(c.get("decision_id").getAsString()) || !c.has("inputs")) {
        return null;
      }
      return c.get("inputs");
    } catch (IOException | JsonParseException | IllegalStateException e) {
      return null;
    }
  }
}
