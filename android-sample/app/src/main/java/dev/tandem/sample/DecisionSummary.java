package dev.tandem.sample;

import dev.tandem.runtime.Decision;
import dev.tandem.runtime.model.ExecutionProvider;
import java.util.Locale;

/** What the screen shows of one decision, as text. Immutable. */
public final class DecisionSummary {
  /** Class names of the reference spam filter's output (index 0: ham, 1: spam). */
  private static final String[] LABELS = {"not spam", "spam"};

  private final String id;
  private final String answer;
  private final String route;
  private final String reason;
  private final String confidence;
  private final String latency;
  private final String cost;
  private final String text;

  private DecisionSummary(Decision d, String text) {
    this.id = d.id();
    this.answer = d.prediction() >= 0 && d.prediction() < LABELS.length ? LABELS[d.prediction()]
        : "class " + d.prediction();
    this.route = d.route().jsonName();
    this.reason = d.reason().jsonName();
    this.confidence = d.signals().isPresent()
        ? String.format(Locale.ROOT, "%.1f %%", 100 * d.signals().get().maxProb()) : "-";
    this.latency = String.format(Locale.ROOT, "%.1f ms (edge %.1f ms%s)", d.latencyMs(), d.edgeMs(),
        d.cloudRoundTripMs() >= 0 ? String.format(Locale.ROOT, ", cloud %.1f ms", d.cloudRoundTripMs()) : "");
    this.cost = String.format(Locale.ROOT, "%.6f USD", d.cost().totalUsd());
    this.text = text;
  }

  /** The summary of {@code d}, made for the message {@code text}. */
  public static DecisionSummary of(Decision d, String text) {
    return new DecisionSummary(d, text);
  }

  /** The decision's id ({@code deviceId:seq}), the key of its record in the spool. */
  public String id() {
    return id;
  }

  public String answer() {
    return answer;
  }

  /** {@code edge}, {@code cloud}, {@code edge_fallback} or {@code shadow}. */
  public String route() {
    return route;
  }

  /** The policy's (or the fallback's) reason, as records name it. */
  public String reason() {
    return reason;
  }

  /** The edge model's max probability, in percent. */
  public String confidence() {
    return confidence;
  }

  public String latency() {
    return latency;
  }

  public String cost() {
    return cost;
  }

  /** One line for the history list. */
  public String historyLine() {
    String shortText = text.length() > 40 ? text.substring(0, 40) + "…" : text;
    return answer + " · " + route + "/" + reason + " · " + confidence + " · " + latency + " — " + shortText;
  }

  /** The line naming the active provider. */
  public static String providerLine(ExecutionProvider provider) {
    return "edge model on " + provider.jsonName();
  }

  @Override
  public String toString() {
    return "DecisionSummary{" + id + " " + route + "/" + reason + " " + answer + "}";
  }
}
