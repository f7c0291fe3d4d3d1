package dev.tandem.tuner.tune;

import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.policy.Mode;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Segment;
import dev.tandem.runtime.signal.SignalKind;
import dev.tandem.tuner.store.StoreException;
import dev.tandem.tuner.store.StoreQuery;
import dev.tandem.tuner.store.StoreReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * One tuning run: reads the store, replays, estimates the threshold grid (per segment too, when
 * asked), and picks the recommendation. The command writes its {@link Result}.
 */
final class TuneRun {
  /** What to tune and how. */
  static final class Settings {
    StoreQuery query;
    Policy policy;
    SignalKind signal;
    boolean bySegment;
    Objectives objectives = Objectives.none();
    int candidates = 100;
    int buckets = 20;
    int resamples = 1000;
    long seed = 1;
    Consumer<String> progress = s -> { };
  }

  /** One segment's (or the fleet's) candidates and choice. */
  static final class Tuned {
    final String network;
    final String deviceClass;
    final long decisions;
    final List<CandidateEstimate> candidates;
    final Selection selection;

    Tuned(String network, String deviceClass, long decisions, List<CandidateEstimate> candidates,
        Selection selection) {
      this.network = network;
      this.deviceClass = deviceClass;
      this.decisions = decisions;
      this.candidates = candidates;
      this.selection = selection;
    }
  }

  /** Everything the outputs need. */
  static final class Result {
    Policy base;
    SignalKind signal;
    String edgeModelHash;
    long decisions;
    int devices;
    boolean agreement;
    long identityChecked;
    long identityMismatches;
    List<String> identityExamples;
    long skippedNoSignal;
    long skippedOtherModel;
    Map<Long, Long> decisionsByVersion;
    Tuned fleet;
    List<Tuned> segments = new ArrayList<>();
    /** The recommended policy, or null when the objectives cannot be met. */
    Policy recommended;
    List<String> notes = new ArrayList<>();
    double seconds;
  }

  private TuneRun() {}

  static Result run(Settings s) {
    long t0 = System.nanoTime();
    Result out = new Result();
    try (StoreReader store = StoreReader.open(s.query)) {
      List<Policy> known = store.knownPolicies();
      Policy base = s.policy;
      if (base == null) {
        for (Policy p : known) {
          if (base == null || p.version() > base.version()) {
            base = p;
          }
        }
        if (base == null) {
          throw new StoreException("the store holds no policy content (no policy_event records with a policy,"
              + " no policies/ directory): pass the policy in force with --policy");
        }
      }
      if (base.mode() != Mode.CASCADE) {
        throw new StoreException("policy version " + base.version() + " is " + base.mode().jsonName()
            + ": only a cascade policy has a threshold to tune");
      }
      Map<Long, Policy> byVersion = new HashMap<>();
      for (Policy p : known) {
        byVersion.putIfAbsent(p.version(), p);
      }
      byVersion.put(base.version(), base);
      SignalKind signal = s.signal != null ? s.signal : base.signal();
      if (signal != base.signal() && !base.segments().isEmpty()) {
        out.notes.add("the policy's segment thresholds are on " + base.signal().jsonName()
            + "; the recommendation on " + signal.jsonName() + " drops them");
      }
      FleetTable table = new FleetTable(base, signal, byVersion::get);
      long n = store.isSpool() ? store.forEachDevice(table::add) : store.scanDecisions(table::add);
      s.progress.accept(String.format("replayed %,d decisions of %,d devices (%.1f s since the start)", table.rows,
          table.devices, (System.nanoTime() - t0) / 1e9));
      if (table.rows == 0) {
        if (table.skippedOtherModel > 0) {
          throw new StoreException("the policy's edge-model hash " + base.edgeModelHash() + " matches no record;"
              + " the records carry " + table.decisionsByEdgeModel.keySet()
              + " (tune with the policy made for that model, or a store from devices running this one)");
        }
        throw new StoreException("none of the " + n + " decisions has the edge's signals (cloud_only logs cannot"
            + " tune a cascade threshold)");
      }
      String hash = base.edgeModelHash();
      if (hash.isEmpty()) {
        if (table.decisionsByEdgeModel.size() > 1) {
          throw new StoreException("the records come from " + table.decisionsByEdgeModel.size()
              + " edge models " + table.decisionsByEdgeModel.keySet() + " and the policy names none: pass a --policy"
              + " with the edge_model_hash to tune for");
        }
        hash = table.decisionsByEdgeModel.keySet().iterator().next();
      }
      out.base = base;
      out.signal = signal;
      out.edgeModelHash = hash;
      out.decisions = table.rows;
      out.devices = table.devices;
      out.agreement = !table.hasLabels();
      out.identityChecked = table.identityChecked;
      out.identityMismatches = table.identityMismatches;
      out.identityExamples = table.identityExamples;
      out.skippedNoSignal = table.skippedNoSignal;
      out.skippedOtherModel = table.skippedOtherModel;
      out.decisionsByVersion = table.decisionsByVersion;

      Estimator est = new Estimator(table, base, s.buckets, s.resamples, s.seed);
      double current = signal == base.signal() ? base.threshold() : Double.NaN;
      double[] grid = grid(table, Estimator.Filter.ALL, s.candidates, current);
      s.progress.accept(String.format("estimating %d candidates with %d bootstrap resamples", grid.length,
          s.resamples));
      long t1 = System.nanoTime();
      List<CandidateEstimate> cands = est.estimate(grid, indexOf(grid, current), Estimator.Filter.ALL);
      s.progress.accept(String.format("estimated in %.1f s", (System.nanoTime() - t1) / 1e9));
      out.fleet = new Tuned("", "", table.rows, cands, Selection.choose(cands, s.objectives));
      Policy.Builder rec = null;
      if (out.fleet.selection.met()) {
        rec = base.toBuilder().signal(signal).threshold(out.fleet.selection.chosen.threshold).edgeModelHash(hash);
        if (signal != base.signal()) {
          rec.segments(new ArrayList<>());
        }
      }
      if (s.bySegment) {
        List<Segment> segs = new ArrayList<>();
        for (int net = 0; net < table.networks.size(); net++) {
          for (int cls = 0; cls < table.classes.size(); cls++) {
            Estimator.Filter f = new Estimator.Filter(net, cls);
            long rows = count(table, f);
            if (rows == 0) {
              continue;
            }
            NetworkType nt = table.networkType(net);
            String dc = table.classes.get(cls);
            double segCurrent = signal == base.signal()
                ? base.thresholdFor(dev.tandem.runtime.device.DeviceState.builder().networkType(nt).deviceClass(dc)
                    .build()) : Double.NaN;
            double[] g = grid(table, f, s.candidates, segCurrent);
            List<CandidateEstimate> c;
            try {
              c = est.estimate(g, indexOf(g, segCurrent), f);
            } catch (IllegalStateException e) {
              continue;
            }
            Selection sel = Selection.choose(c, s.objectives);
            out.segments.add(new Tuned(nt.jsonName(), dc, rows, c, sel));
            if (sel.met() && !dc.isEmpty()) {
              segs.add(Segment.of(nt, dc, sel.chosen.threshold));
            } else if (sel.met()) {
              segs.add(Segment.of(nt, null, sel.chosen.threshold));
            }
          }
        }
        if (rec != null) {
          rec.segments(segs);
        }
      }
      out.recommended = rec == null ? null : rec.build();
    }
    out.seconds = (System.nanoTime() - t0) / 1e9;
    return out;
  }

  private static long count(FleetTable t, Estimator.Filter f) {
    long n = 0;
    for (int i = 0; i < t.rows; i++) {
      if (f.test(t, i)) {
        n++;
      }
    }
    return n;
  }

  private static int indexOf(double[] grid, double v) {
    for (int i = 0; i < grid.length; i++) {
      if (grid[i] == v) {
        return i;
      }
    }
    return -1;
  }

  /** {@code n} thresholds at quantiles (i + 0.5) / n of the logged signal, plus the current one, sorted. */
  static double[] grid(FleetTable t, Estimator.Filter f, int n, double current) {
    float[] v = t.sortedSignal(f);
    int m = v.length;
    TreeSet<Double> g = new TreeSet<>();
    for (int i = 0; i < n && m > 0; i++) {
      double z = v[Math.min(m - 1, (int) ((i + 0.5) / n * m))];
      double raw = t.signal.higherIsConfident() ? z : -z;
      g.add(clamp(t.signal, raw));
    }
    if (!Double.isNaN(current)) {
      g.add(current);
    }
    return g.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double clamp(SignalKind s, double x) {
    if (s == SignalKind.ENTROPY) {
      return Math.max(0, x);
    }
    return Math.min(1, Math.max(0, x));
  }
}
