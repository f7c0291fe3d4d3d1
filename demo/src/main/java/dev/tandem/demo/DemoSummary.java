package dev.tandem.demo;

import dev.tandem.agent.simulate.FleetStats;
import dev.tandem.agent.simulate.NetworkProfile;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.workload.build.ModelEntry;
import java.util.Locale;
import java.util.Map;

/** The end-of-run summary a newcomer reads in ten seconds. */
final class DemoSummary {
  private DemoSummary() {}

  static String render(DemoResult r, Prices prices) {
    StringBuilder sb = new StringBuilder();
    FleetStats t = r.test().stats();
    FleetStats.Accuracy a = t.accuracy();
    FleetStats.Totals all = t.total();
    ModelEntry edge = r.models().edge();
    ModelEntry cloud = r.models().cloud();
    line(sb, "Tandem demo: %d devices, %d calibration + %d test decisions, %.0f s; everything in %s",
        r.test().devices(), r.calibration().stats().decisions(), all.decisions(), r.seconds(), r.runDir());
    line(sb, "");
    line(sb, "On the test split (%d labelled decisions; 95 %% Wilson intervals):", a.labelled());
    line(sb, "  edge only    %s   (workload build: %.2f %%)", pct(a.edgeRight(), a.edgeRan()), 100 * edge.testAccuracy());
    line(sb, "  cloud only   %.2f %%   (workload build; here the cloud was right on %s of the %d it answered)",
        100 * cloud.testAccuracy(), pct(a.cloudRight(), a.cloudAnswered()), a.cloudAnswered());
    line(sb, "  Tandem       %s   answered by the cloud: %.1f %% of decisions (%d), asked incl. shadow: %.1f %%",
        pct(a.answeredRight(), a.labelled()), share(all.cloud(), all.decisions()), all.cloud(),
        share(all.offloads(), all.decisions()));
    line(sb, "");
    line(sb, "Cost per 1,000 decisions at example prices (docs/demo.md; replace with yours):");
    line(sb, "  %-10s %8s %9s %8s %8s %12s %12s %12s", "network", "devices", "decisions", "p50 ms", "p95 ms",
        "Tandem USD", "cloud-only", "edge-only");
    for (String n : t.networks()) {
      row(sb, n, t.network(n), prices, type(n));
    }
    row(sb, "all", all, prices, null);
    Map<String, Long> reasons = t.fallbacksByReason();
    StringBuilder fb = new StringBuilder();
    reasons.forEach((k, v) -> fb.append("  ").append(k).append(' ').append(v));
    line(sb, "Fallbacks to the edge by reason:%s", fb.length() == 0 ? "  none" : fb.toString());
    line(sb, "");
    line(sb, "Policy in force on the test fleet: v%d, %s%s", r.testPolicy().version(), Demo.describe(r.testPolicy()),
        r.tuned() ? " (recommended by the tuner)" : " (the calibration policy: " + r.tuneMessage() + ")");
    line(sb, "  decisions by policy version: %s", t.decisionsByPolicyVersion());
    TuneOutcome tune = r.tune();
    if (r.tuned() && tune != null && !Double.isNaN(tune.predicted())) {
      line(sb, "  tuner's predicted accuracy %.2f %% [%.2f, %.2f], realised %s", 100 * tune.predicted(),
          100 * tune.low(), 100 * tune.high(), pct(a.answeredRight(), a.labelled()));
    }
    line(sb, "%s", r.reportMessage());
    return sb.toString();
  }

  private static void row(StringBuilder sb, String name, FleetStats.Totals g, Prices prices, NetworkType net) {
    double n = g.decisions();
    double tandem = n == 0 ? Double.NaN : 1000 * g.usd() / n;
    double edgeOnly = n == 0 ? Double.NaN : 1000 * g.edgeUsd() / n;
    String cloudOnly = "-";
    if (net != null && g.offloads() > 0) {
      double bytes = g.offloadBytes() / (double) g.offloads();
      cloudOnly = String.format(Locale.ROOT, "%.4f",
          1000 * (prices.cloudUsdPerRequest() + bytes / 1e9 * prices.networkUsdPerGb(net)));
    }
    line(sb, "  %-10s %8d %9d %8s %8s %12s %12s %12s", name, g.devices(), g.decisions(), ms(g.p50Ms()),
        ms(g.p95Ms()), usd(tandem), cloudOnly, usd(edgeOnly));
  }

  private static NetworkType type(String profile) {
    try {
      return NetworkProfile.builtIn(profile).type();
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static String pct(long k, long n) {
    if (n == 0) {
      return "-";
    }
    double[] ci = FleetStats.wilson(k, n);
    return String.format(Locale.ROOT, "%.2f %% [%.2f, %.2f]", 100.0 * k / n, 100 * ci[0], 100 * ci[1]);
  }

  private static double share(long k, long n) {
    return n == 0 ? 0 : 100.0 * k / n;
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static String usd(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  private static void line(StringBuilder sb, String fmt, Object... args) {
    sb.append(String.format(Locale.ROOT, fmt, args)).append(System.lineSeparator());
  }
}
