package dev.tandem.runtime.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.signal.SignalKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyJsonTest {

  static final String FULL = "{\n"
      + "  \"schema\": 1, \"version\": 7, \"model\": \"spam\",\n"
      + "  \"edge_model_hash\": \"" + "0123456789abcdef".repeat(4) + "\",\n"
      + "  \"mode\": \"cascade\", \"signal\": \"max_prob\", \"threshold\": 0.85,\n"
      + "  \"segments\": [ {\"network\": \"3g\", \"threshold\": 0.7},\n"
      + "                {\"device_class\": \"low\", \"network\": \"4g\", \"threshold\": 0.75} ],\n"
      + "  \"deadline_ms\": 300,\n"
      + "  \"exploration\": {\"rate\": 0.02, \"kind\": \"live\"},\n"
      + "  \"metered\": {\"max_upload_bytes\": 65536},\n"
      + "  \"battery\": {\"min_percent\": 15, \"unless_charging\": false},\n"
      + "  \"cost_budget\": {\"usd_per_hour\": 0.05, \"burst_usd\": 0.01},\n"
      + "  \"round_trip\": {\"deadline_risk\": true, \"ewma_alpha\": 0.3, \"window_ms\": 30000,\n"
      + "                 \"window_samples\": 32, \"min_samples\": 4, \"probe_interval_ms\": 5000},\n"
      + "  \"canary\": {\"fraction\": 0.1}\n"
      + "}";

  @Test
  void fromJson_fullDocument_readsEveryField() {
    Policy p = Policy.fromJson(FULL);

    assertThat(p.version()).isEqualTo(7);
    assertThat(p.model()).isEqualTo("spam");
    assertThat(p.edgeModelHash()).hasSize(64);
    assertThat(p.mode()).isEqualTo(Mode.CASCADE);
    assertThat(p.signal()).isEqualTo(SignalKind.MAX_PROB);
    assertThat(p.threshold()).isEqualTo(0.85);
    assertThat(p.segments()).containsExactly(Segment.of(NetworkType.CELL_3G, null, 0.7),
        Segment.of(NetworkType.CELL_4G, "low", 0.75));
    assertThat(p.deadlineMs()).isEqualTo(300);
    assertThat(p.explorationRate()).isEqualTo(0.02);
    assertThat(p.explorationKind()).isEqualTo(ExplorationKind.LIVE);
    assertThat(p.meteredMaxUploadBytes()).isEqualTo(65536);
    assertThat(p.batteryMinPercent()).isEqualTo(15);
    assertThat(p.batteryUnlessCharging()).isFalse();
    assertThat(p.costBudgetUsdPerHour()).isEqualTo(0.05);
    assertThat(p.costBudgetBurstUsd()).isEqualTo(0.01);
    assertThat(p.roundTripAlpha()).isEqualTo(0.3);
    assertThat(p.roundTripWindowMs()).isEqualTo(30000);
    assertThat(p.roundTripWindowSamples()).isEqualTo(32);
    assertThat(p.roundTripMinSamples()).isEqualTo(4);
    assertThat(p.probeIntervalMs()).isEqualTo(5000);
    assertThat(p.canaryFraction()).isEqualTo(0.1);
  }

  @Test
  void toJson_readsBackEqual() {
    Policy p = Policy.fromJson(FULL);
    assertThat(Policy.fromJson(p.toJson())).isEqualTo(p);
    Policy minimal = Policy.fromJson("{\"schema\":1,\"version\":0,\"mode\":\"edge_only\",\"deadline_ms\":100}");
    assertThat(Policy.fromJson(minimal.toJson())).isEqualTo(minimal);
    assertThat(minimal.hasCostBudget()).isFalse();
    assertThat(minimal.explorationRate()).isZero();
  }

  /** Each row: a change to the full document, the field the message must name, and the value it must show. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "\"threshold\": 0.85|\"threshold\": 1.5|threshold|1.5",
      "\"threshold\": 0.85|\"threshold\": \"high\"|threshold|\"high\"",
      "\"mode\": \"cascade\"|\"mode\": \"cascading\"|mode|\"cascading\"",
      "\"signal\": \"max_prob\"|\"signal\": \"confidence\"|signal|\"confidence\"",
      "\"schema\": 1|\"schema\": 2|schema|2",
      "\"version\": 7|\"version\": -1|version|-1",
      "\"version\": 7|\"version\": 7.5|version|7.5",
      "\"deadline_ms\": 300|\"deadline_ms\": 0|deadline_ms|0",
      "\"rate\": 0.02|\"rate\": 1.2|exploration.rate|1.2",
      "\"kind\": \"live\"|\"kind\": \"ghost\"|exploration.kind|\"ghost\"",
      "\"max_upload_bytes\": 65536|\"max_upload_bytes\": -5|metered.max_upload_bytes|-5",
      "\"min_percent\": 15|\"min_percent\": 101|battery.min_percent|101",
      "\"unless_charging\": false|\"unless_charging\": \"no\"|battery.unless_charging|\"no\"",
      "\"usd_per_hour\": 0.05|\"usd_per_hour\": -1|cost_budget.usd_per_hour|-1",
      "\"burst_usd\": 0.01|\"burst_usd\": 0|cost_budget.burst_usd|0",
      "\"ewma_alpha\": 0.3|\"ewma_alpha\": 0|round_trip.ewma_alpha|0",
      "\"min_samples\": 4|\"min_samples\": 40|round_trip.min_samples|40",
      "\"probe_interval_ms\": 5000|\"probe_interval_ms\": 0|round_trip.probe_interval_ms|0",
      "\"fraction\": 0.1|\"fraction\": 0|canary.fraction|0",
      "{\"network\": \"3g\", \"threshold\": 0.7}|{\"network\": \"6g\", \"threshold\": 0.7}|segments[0].network|\"6g\"",
      "{\"network\": \"3g\", \"threshold\": 0.7}|{\"threshold\": 0.7}|segments[0]|{\"threshold\":0.7}",
      "{\"network\": \"3g\", \"threshold\": 0.7}|{\"network\": \"3g\", \"threshold\": -0.1}|segments[0].threshold|-0.1",
      "{\"network\": \"3g\", \"threshold\": 0.7}|{\"network\": \"4g\", \"device_class\": \"low\", \"threshold\": 0.7}|segments[1]|",
      "\"canary\": {|\"canary\": {\"fractoin\": 1, |canary.fractoin|1",
      "\"model\": \"spam\"|\"model\": \"spam\", \"treshold\": 0.5|treshold|0.5",
      "\"edge_model_hash\": \"|\"edge_model_hash\": \"zz|edge_model_hash|zz",
  })
  void fromJson_badValue_namesFieldAndValue(String from, String to, String field, String value) {
    String doc = FULL.replace(from, to);
    assertThat(doc).as("test row must change the document").isNotEqualTo(FULL);

    assertThatThrownBy(() -> Policy.fromJson(doc))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> {
          assertThat(e.field()).isEqualTo(field);
          if (value != null) {
            assertThat(e.value()).contains(value);
          }
          assertThat(e.getMessage()).contains("'" + field + "'");
        });
  }

  @Test
  void fromJson_missingRequiredFields_namesThem() {
    assertThatThrownBy(() -> Policy.fromJson("{\"schema\":1,\"version\":1,\"mode\":\"cascade\",\"deadline_ms\":10}"))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.field()).isEqualTo("threshold"))
        .hasMessageContaining("required");
    assertThatThrownBy(() -> Policy.fromJson("{\"schema\":1,\"version\":1,\"mode\":\"edge_only\"}"))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.field()).isEqualTo("deadline_ms"));
    assertThatThrownBy(() -> Policy.fromJson("{\"version\":1,\"mode\":\"edge_only\",\"deadline_ms\":10}"))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.field()).isEqualTo("schema"));
    assertThatThrownBy(() -> Policy.fromJson("{\"schema\":1,\"mode\":\"edge_only\",\"deadline_ms\":10}"))
        .isInstanceOfSatisfying(InvalidPolicyException.class, e -> assertThat(e.field()).isEqualTo("version"));
  }

  @Test
  void fromJson_notJson_isRejectedClearly() {
    assertThatThrownBy(() -> Policy.fromJson("{\"schema\": 1,")).isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> Policy.fromJson("[1]")).isInstanceOf(InvalidPolicyException.class)
        .hasMessageContaining("JSON object");
  }

  @Test
  void fromJson_entropyThresholdAboveOne_isAllowed() {
    Policy p = Policy.fromJson("{\"schema\":1,\"version\":1,\"mode\":\"cascade\",\"signal\":\"entropy\","
        + "\"threshold\":1.7,\"deadline_ms\":50}");
    assertThat(p.threshold()).isEqualTo(1.7);
  }
}
