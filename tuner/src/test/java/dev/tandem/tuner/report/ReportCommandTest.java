package dev.tandem.tuner.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.policy.Policy;
import dev.tandem.tuner.cli.TandemTune;
import dev.tandem.tuner.observe.SimulatedFleet;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportCommandTest {
  @TempDir static Path dir;
  static Path html;

  /** A simulated fleet with a policy change on day 4, reported with its current and a recommended policy. */
  @BeforeAll
  static void writeReport() throws Exception {
    Path store = dir.resolve("store");
    SimulatedFleet.writeStore(new SimulatedFleet().seed(7).devices(60).days(8).perDeviceDay(40)
        .policyOfDay(d -> d < 4 ? SimulatedFleet.defaultPolicy(1, 0.8, 0.05)
            : SimulatedFleet.defaultPolicy(2, 0.7, 0.05))
        .generate(), store);
    Path current = dir.resolve("current.json");
    Files.writeString(current, SimulatedFleet.defaultPolicy(2, 0.7, 0.05).toJson());
    Path recommended = dir.resolve("recommended.json");
    Files.writeString(recommended, SimulatedFleet.defaultPolicy(3, 0.62, 0.05).toJson());
    html = Path.of("target", "report", "tuning-report.html");
    int rc = TandemTune.commandLine().execute("report", "--store", store.toString(), "--policy", current.toString(),
        "--recommended", recommended.toString(), "--out", html.toString());
    assertThat(rc).isZero();
  }

  @Test
  void everyChartIsPresentWithItsTable() throws Exception {
    Document doc = Jsoup.parse(html.toFile(), "UTF-8");
    for (String chart : FleetReport.CHARTS) {
      assertThat(doc.getElementById("chart-" + chart)).as(chart).isNotNull();
      Element table = doc.selectFirst("table[data-chart=" + chart + "]");
      assertThat(table).as(chart + " table").isNotNull();
      assertThat(table.select("tbody tr")).as(chart + " rows").isNotEmpty();
    }
    assertThat(doc.select("div.chart")).hasSize(FleetReport.CHARTS.size());
    assertThat(doc.select("script").first().data()).contains("echarts");
    assertThat(doc.title()).isEqualTo("Tandem fleet report");
  }

  @Test
  void theCurrentAndRecommendedPoliciesAndThePolicyChangeAreMarked() throws Exception {
    String page = Files.readString(html, StandardCharsets.UTF_8);
    assertThat(page).contains("\"name\":\"current\"", "\"name\":\"recommended\"", "\"name\":\"policy v2\"",
        "oracle router", "random routing");
  }

  @Test
  void referencesNothingOutsideItself() throws Exception {
    Document doc = Jsoup.parse(html.toFile(), "UTF-8");
    for (Element e : doc.getAllElements()) {
      for (String attr : new String[] {"src", "href", "srcset", "poster", "data", "action"}) {
        String v = e.attr(attr);
        assertThat(v.isEmpty() || v.startsWith("#")).as(e.tagName() + " " + attr + "=" + v).isTrue();
      }
      assertThat(e.attr("style")).doesNotContain("url(");
    }
    assertThat(doc.select("link, iframe, img, object, embed")).isEmpty();
    for (Element style : doc.select("style")) {
      assertThat(style.data()).doesNotContain("url(").doesNotContain("@import");
    }
  }

  @Test
  void rendersEveryChartInHeadlessChromium() throws Exception {
    Chromium chromium = Chromium.require();
    Path profile = Files.createTempDirectory(dir, "chromium");
    String dom = chromium.dumpDom(html, profile);
    Document rendered = Jsoup.parse(dom);
    for (String chart : FleetReport.CHARTS) {
      Element div = rendered.getElementById("chart-" + chart);
      assertThat(div).as(chart).isNotNull();
      assertThat(div.select("svg path").size()).as(chart + " drawn").isGreaterThan(5);
    }
    for (Element e : rendered.getAllElements()) {
      for (var a : e.attributes()) {
        boolean reference = a.getKey().endsWith("src") || a.getKey().endsWith("href")
            || a.getValue().contains("url(");
        if (reference) {
          assertThat(a.getValue()).as("rendered " + e.tagName() + " " + a.getKey())
              .doesNotContainIgnoringCase("http:").doesNotContainIgnoringCase("https:")
              .doesNotContainIgnoringCase("file:").doesNotContain("//");
        }
      }
    }
    Path png = html.resolveSibling("tuning-report.png");
    chromium.screenshot(html, png, Files.createTempDirectory(dir, "chromium"), 1100, 2600);
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(1100);
    Set<Integer> colours = new HashSet<>();
    long nonWhite = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        if (rgb != 0xffffff) {
          nonWhite++;
        }
      }
    }
    long sampled = (long) (img.getHeight() / 2) * (img.getWidth() / 2);
    assertThat(colours.size()).as("distinct colours").isGreaterThan(50);
    assertThat(nonWhite).as("non-white pixels").isGreaterThan(sampled / 50);
  }

  @Test
  void aMissingStoreIsAClearError() {
    int rc = TandemTune.commandLine().execute("report", "--store", dir.resolve("nope").toString(), "--out",
        dir.resolve("x.html").toString());
    assertThat(rc).isEqualTo(2);
  }
}
