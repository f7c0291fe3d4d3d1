package dev.tandem.tuner.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.tuner.cli.TandemTune;
import dev.tandem.tuner.observe.SimulatedFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuneReportTest {
  @TempDir Path dir;

  @Test
  void tuneWritesTheReportWithTheRecommendedPolicyMarked() throws Exception {
    Path store = dir.resolve("store");
    SimulatedFleet.writeStore(new SimulatedFleet().seed(31).devices(30).days(3).perDeviceDay(40)
        .policyOfDay(d -> SimulatedFleet.defaultPolicy(1, 0.8, 0.2)).generate(), store);
    Path current = dir.resolve("current.json");
    Files.writeString(current, SimulatedFleet.defaultPolicy(1, 0.8, 0.2).toJson());
    Path html = dir.resolve("report.html");
    int rc = TandemTune.commandLine().execute("tune", "--store", store.toString(), "--policy", current.toString(),
        "--max-offload", "0.3", "--out", dir.resolve("tuned").toString(), "--report", html.toString());
    assertThat(rc).isZero();
    assertThat(dir.resolve("tuned").resolve("policy.json")).exists();
    Document doc = Jsoup.parse(html.toFile(), "UTF-8");
    for (String chart : FleetReport.CHARTS) {
      assertThat(doc.getElementById("chart-" + chart)).as(chart).isNotNull();
    }
    assertThat(doc.html()).contains("\"name\":\"current\"").contains("\"name\":\"recommended\"");
  }
}
