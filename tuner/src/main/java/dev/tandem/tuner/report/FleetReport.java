package dev.tandem.tuner.report;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.tuner.observe.DecisionRow;
import dev.tandem.tuner.observe.StoreRows;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * The report: one self-contained HTML file with five charts (ECharts, inlined from its webjar), each
 * with its numbers in a table below it. It references nothing outside itself, so it opens offline.
 */
public final class FleetReport {
  /** The chart ids, in page order. */
  public static final List<String> CHARTS = List.of("tradeoff", "cost", "latency", "trends", "reliability");

  private final List<Section> sections;
  private final String heading;

  private FleetReport(List<Section> sections, String heading) {
    this.sections = sections;
    this.heading = heading;
  }

  /**
   * Builds the report of a window.
   *
   * @param current the policy in force (null: the newest version's threshold is unknown, none marked)
   * @param recommended the policy {@code tune} recommends, or null
   */
  public static FleetReport of(List<DecisionRow> rows, Policy current, Policy recommended) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("no decisions to report on");
    }
    SignalKind kind = current != null ? current.signal() : SignalKind.MAX_PROB;
    ThresholdSweep sweep = new ThresholdSweep(rows, new Signal(kind));
    TreeSet<LocalDate> dates = new TreeSet<>();
    rows.forEach(r -> dates.add(r.date()));
    double perDay = rows.size() / (double) dates.size();
    double observed = rows.stream().mapToDouble(DecisionRow::costUsd).sum() / rows.size();
    List<Section> s = new ArrayList<>();
    s.add(Sections.tradeoff(sweep, current, recommended));
    s.add(Sections.cost(sweep, current, recommended, perDay, observed));
    s.add(Sections.latency(rows));
    s.add(Sections.trends(rows));
    s.add(Sections.reliability(rows));
    String heading = String.format("%,d decisions from %d devices, receive dates %s to %s", rows.size(),
        rows.stream().map(DecisionRow::device).distinct().count(), dates.first(), dates.last());
    return new FleetReport(List.copyOf(s), heading);
  }

  /**
   * Reads the receive dates {@code from}..{@code to} (null: open) of a store and writes the
   * report; for {@code tune --report}.
   *
   * @return the number of decisions reported on
   * @throws dev.tandem.tuner.store.StoreException when the store holds no decisions in range
   * @throws IOException when the file cannot be written
   */
  public static int write(Path store, LocalDate from, LocalDate to, Policy current, Policy recommended, Path out)
      throws IOException {
    List<DecisionRow> rows = StoreRows.read(store, from, to).rows();
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(out, of(rows, current, recommended).html(), StandardCharsets.UTF_8);
    return rows.size();
  }

  /** The page. */
  public String html() {
    Gson gson = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
    StringBuilder h = new StringBuilder(1 << 21);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Tandem fleet report</title><style>")
        .append("body{font-family:sans-serif;margin:24px;max-width:1100px;color:#222}")
        .append(".chart{width:1000px;height:460px}")
        .append("table{border-collapse:collapse;font-size:12px;margin:8px 0 32px}")
        .append("td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}")
        .append("th{background:#f4f4f4}.note{color:#a33}details{margin-bottom:32px}")
        .append("</style><script>").append(echarts()).append("</script></head><body>\n");
    h.append("<h1>Tandem fleet report</h1><p>").append(esc(heading)).append("</p>\n");
    for (Section s : sections) {
      h.append("<section id=\"").append(s.id()).append("\"><h2>").append(esc(s.title())).append("</h2>");
      h.append("<p>").append(esc(s.description())).append("</p>");
      for (String n : s.notes()) {
        h.append("<p class=\"note\">").append(esc(n)).append("</p>");
      }
      h.append("<div class=\"chart\" id=\"chart-").append(s.id()).append("\" data-chart=\"").append(s.id())
          .append("\"></div>");
      h.append("<table data-chart=\"").append(s.id()).append("\"><thead><tr>");
      s.table().header().forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
      h.append("</tr></thead><tbody>");
      for (List<String> row : s.table().rows()) {
        h.append("<tr>");
        row.forEach(c -> h.append("<td>").append(esc(c)).append("</td>"));
        h.append("</tr>");
      }
      h.append("</tbody></table>");
      h.append("<script>echarts.init(document.getElementById('chart-").append(s.id())
          .append("'),null,{renderer:'svg'}).setOption(")
          .append(gson.toJson(s.option()).replace("</", "<\\/")).append(");</script></section>\n");
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static volatile String echartsJs;

  /** dist/echarts.min.js from the org.webjars.npm:echarts jar on the class path. */
  static String echarts() {
    if (echartsJs != null) {
      return echartsJs;
    }
    ClassLoader cl = FleetReport.class.getClassLoader();
    try (InputStream props = cl.getResourceAsStream("META-INF/maven/org.webjars.npm/echarts/pom.properties")) {
      if (props == null) {
        throw new IllegalStateException("the ECharts webjar (org.webjars.npm:echarts) is not on the class path");
      }
      Properties p = new Properties();
      p.load(props);
      String path = "META-INF/resources/webjars/echarts/" + p.getProperty("version") + "/dist/echarts.min.js";
      try (InputStream js = cl.getResourceAsStream(path)) {
        if (js == null) {
          throw new IllegalStateException(path + " is missing from the ECharts webjar");
        }
        String s = new String(js.readAllBytes(), StandardCharsets.UTF_8);
        if (s.contains("</script")) {
          s = s.replace("</script", "<\\/script");
        }
        echartsJs = s;
        return s;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The section ids and their option trees, for tests. */
  Map<String, Map<String, Object>> options() {
    Map<String, Map<String, Object>> m = new java.util.LinkedHashMap<>();
    sections.forEach(s -> m.put(s.id(), s.option()));
    return m;
  }
}
