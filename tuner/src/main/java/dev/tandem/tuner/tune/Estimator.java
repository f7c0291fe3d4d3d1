package dev.tandem.tuner.tune;

import dev.tandem.runtime.policy.CostBudget;
import dev.tandem.runtime.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;

/**
 * Off-policy estimates of threshold candidates from a {@link FleetTable} (docs/tuning.md).
 *
 * <p>Per candidate and decision, the route is the replayed {@code low} or {@code high} one. What
 * follows from the route is observed wherever the logging policy asked the cloud too (the cloud's
 * answer or its failure) or kept the edge (the edge's answer is observed on every decision).
 * The one missing outcome is the cloud's answer where the candidate asks and the logging policy
 * did not: its correctness is estimated per signal bucket from the decisions of that bucket whose
 * cloud answer is known (explored or not), weighted by 1 / propensity and normalised within the
 * bucket; whether it would have fallen back is predicted from the fallback rate observed on live
 * requests of the same network type and round-trip state. Accuracy is post-stratified by signal
 * bucket: the mean over the decisions with a reference answer (a label, else the cloud's answer, weighted by
 * 1 / propensity) within each bucket, weighted by the bucket's share of all decisions.
 *
 * <p>Intervals: a bootstrap over devices (a device's decisions are correlated), every ratio
 * recomputed inside each resample. Cost: O(n log n) per device for the threshold sweep, plus
 * O(candidates x buckets) per device; a sequential pass per candidate only when the policy has a
 * cost budget.
 */
final class Estimator {
  static final int HIST = 48;
  static final double HIST_MIN_MS = 0.1;
  static final double HIST_DECADES = 6;
  /** Decisions with a known cloud answer a bucket needs before its missing answers are estimated. */
  static final int MIN_SUPPORT = 10;
  /**
   * Live requests a (network type, round-trip state) cell needs before its own fallback rate is
   * used; a cell with fewer uses its network type's pooled rate.
   */
  static final int MIN_LIVE_PER_STATE = 50;

  private final FleetTable t;
  private final Policy base;
  private final int resamples;
  private final long seed;
  private final int buckets;
  /** {@link #MIN_LIVE_PER_STATE}; above every cell's count, fallbacks are predicted by network type only. */
  int minLivePerState = MIN_LIVE_PER_STATE;

  Estimator(FleetTable table, Policy base, int buckets, int resamples, long seed) {
    this.t = table;
    this.base = base;
    this.buckets = buckets;
    this.resamples = resamples;
    this.seed = seed;
  }

  /** A subset of rows: a network type index and a device class index, -1 for any. */
  static final class Filter {
    static final Filter ALL = new Filter(-1, -1);
    final int net;
    final int cls;

    Filter(int net, int cls) {
      this.net = net;
      this.cls = cls;
    }

    boolean test(FleetTable t, int i) {
      return (net < 0 || t.net[i] == net) && (cls < 0 || t.cls[i] == cls);
    }
  }

  /**
   * Estimates each candidate.
   *
   * @param thresholds candidate thresholds in the signal's units
   * @param current the index of the logging policy's threshold among them, or -1
   */
  List<CandidateEstimate> estimate(double[] thresholds, int current, Filter filter) {
    int k = thresholds.length;
    double[] tz = new double[k];
    for (int j = 0; j < k; j++) {
      tz[j] = t.signal.higherIsConfident() ? thresholds[j] : -thresholds[j];
    }
    boolean labels = hasLabels(filter);
    double[] edges = bucketEdges(filter);
    int nb = edges.length + 1;
    Globals g = globals(filter);

    // per-device sufficient statistics
    int perBucket = 6; // N, V, Qn, Qd, Qd2, support count
    int perCand = 3 * nb + 3 + HIST; // C, S, U per bucket; cost, ask, fallback; latency histogram
    int devices = t.devices;
    double[][] devB = new double[devices][];
    double[][] devK = new double[devices][];
    double[] minProp = new double[nb];
    Arrays.fill(minProp, Double.POSITIVE_INFINITY);
    double[][] reasonMass = new double[k][t.fallbackReasons.size()];
    int used = 0;
    for (int d = 0; d < devices; d++) {
      int[] rows = rowsOf(d, filter);
      if (rows.length == 0) {
        continue;
      }
      used++;
      double[] b = new double[nb * perBucket];
      double[] c = new double[k * perCand];
      deviceStats(rows, labels, edges, g, tz, b, c, minProp, reasonMass);
      devB[d] = b;
      devK[d] = c;
    }
    if (used == 0) {
      throw new IllegalStateException("no decisions in this selection");
    }
    int[] present = IntStream.range(0, devices).filter(d -> devB[d] != null).toArray();

    // point estimates: every device once
    double[] ones = new double[present.length];
    Arrays.fill(ones, 1);
    double[][] point = metrics(present, ones, devB, devK, nb, k, perBucket, perCand, labels);
    // bootstrap over devices
    double[][][] boot = bootstrap(present, devB, devK, nb, k, perBucket, perCand, labels);

    // support: per bucket, decisions with a known cloud answer (and label, with labels)
    double[] support = new double[nb];
    double[] wsum = new double[nb];
    double[] w2sum = new double[nb];
    double[] unobserved = new double[k * nb];
    double total = 0;
    for (int d : present) {
      for (int bi = 0; bi < nb; bi++) {
        support[bi] += devB[d][bi * perBucket + 5];
        wsum[bi] += devB[d][bi * perBucket + 3];
        w2sum[bi] += devB[d][bi * perBucket + 4];
        total += devB[d][bi * perBucket];
      }
      for (int j = 0; j < k; j++) {
        for (int bi = 0; bi < nb; bi++) {
          unobserved[j * nb + bi] += devK[d][j * perCand + 2 * nb + bi];
        }
      }
    }

    List<CandidateEstimate> out = new ArrayList<>(k);
    for (int j = 0; j < k; j++) {
      List<String> warnings = new ArrayList<>();
      double ess = 0;
      double mp = Double.POSITIVE_INFINITY;
      double unobs = 0;
      boolean accSupported = true;
      for (int bi = 0; bi < nb; bi++) {
        double u = unobserved[j * nb + bi];
        if (u <= 0) {
          continue;
        }
        unobs += u;
        if (support[bi] < MIN_SUPPORT) {
          accSupported = false;
          warnings.add(String.format(java.util.Locale.ROOT,
              "no support: %.0f decisions with %s in %s would ask the cloud, which the logging policy never asked"
                  + " there, and only %.0f decisions with a known cloud answer%s are in that range (need %d);"
                  + " explore there first", u, t.signal.jsonName(), range(edges, bi), support[bi],
              labels ? " and a label" : "", MIN_SUPPORT));
        } else if (w2sum[bi] > 0) {
          ess += wsum[bi] * wsum[bi] / w2sum[bi];
          mp = Math.min(mp, minProp[bi]);
        }
      }
      Estimate acc = accSupported ? Estimate.of(point[j][0], column(boot, j, 0)) : Estimate.UNSUPPORTED;
      if (acc.supported && Double.isNaN(acc.point)) {
        acc = Estimate.UNSUPPORTED;
        warnings.add("no decision with a reference answer (label or cloud answer): accuracy cannot be estimated");
      }
      Map<String, Double> byReason = new LinkedHashMap<>();
      for (int ri = 0; ri < t.fallbackReasons.size(); ri++) {
        byReason.put(t.fallbackReasons.get(ri), reasonMass[j][ri] / total);
      }
      out.add(new CandidateEstimate(thresholds[j], j == current, acc, !labels,
          Estimate.of(point[j][1], column(boot, j, 1)), Estimate.of(point[j][2], column(boot, j, 2)),
          Estimate.of(point[j][3], column(boot, j, 3)), Estimate.of(point[j][4], column(boot, j, 4)),
          Estimate.of(point[j][5], column(boot, j, 5)), byReason, unobs / total, unobs > 0 ? ess : Double.NaN,
          unobs > 0 && mp != Double.POSITIVE_INFINITY ? mp : Double.NaN, warnings));
    }
    return out;
  }

  private String range(double[] edges, int bi) {
    double loZ = bi == 0 ? Double.NEGATIVE_INFINITY : edges[bi - 1];
    double hiZ = bi == edges.length ? Double.POSITIVE_INFINITY : edges[bi];
    if (t.signal.higherIsConfident()) {
      return String.format(java.util.Locale.ROOT, "[%s, %s)", fmt(loZ), fmt(hiZ));
    }
    return String.format(java.util.Locale.ROOT, "(%s, %s]", fmt(-hiZ), fmt(-loZ));
  }

  private static String fmt(double x) {
    return Double.isInfinite(x) ? (x > 0 ? "inf" : "-inf") : String.format(java.util.Locale.ROOT, "%.4f", x);
  }

  private static double[] column(double[][][] boot, int j, int m) {
    double[] v = new double[boot.length];
    for (int r = 0; r < boot.length; r++) {
      v[r] = boot[r][j][m];
    }
    return v;
  }

  /** Resamples weighed together: each device's statistics are read once per block. */
  private static final int BLOCK = 4;
  /** Statistics columns summed at a time: the tile of every device's columns stays in cache. */
  private static final int TILE = 1024;

  /**
   * The metrics of each bootstrap resample (devices drawn with replacement; resample r's weights
   * come from its own seeded generator). The sums run over the devices in the same order as
   * {@link #metrics} does, so a resample's figures do not depend on the blocking.
   */
  private double[][][] bootstrap(int[] present, double[][] devB, double[][] devK, int nb, int k, int perBucket,
      int perCand, boolean labels) {
    // only the columns the metrics read (not the unobserved counts) and that some device fills
    int width = k * perCand;
    boolean[] keep = new boolean[width];
    for (int d : present) {
      double[] dk = devK[d];
      for (int x = 0; x < width; x++) {
        if (dk[x] != 0) {
          keep[x] = true;
        }
      }
    }
    for (int j = 0; j < k; j++) {
      Arrays.fill(keep, j * perCand + 2 * nb, j * perCand + 3 * nb, false);
    }
    int[] cols = IntStream.range(0, width).filter(x -> keep[x]).toArray();
    double[][] packed = new double[devK.length][];
    for (int d : present) {
      double[] p = new double[cols.length];
      for (int x = 0; x < cols.length; x++) {
        p[x] = devK[d][cols[x]];
      }
      packed[d] = p;
    }
    double[][][] boot = new double[resamples][][];
    int blocks = (resamples + BLOCK - 1) / BLOCK;
    IntStream.range(0, blocks).parallel().forEach(blk -> {
      int r0 = blk * BLOCK;
      int m = Math.min(BLOCK, resamples - r0);
      double[][] w = new double[m][present.length];
      for (int q = 0; q < m; q++) {
        SplittableRandom rnd = new SplittableRandom(seed * 7919 + r0 + q);
        for (int i = 0; i < present.length; i++) {
          w[q][rnd.nextInt(present.length)] += 1;
        }
      }
      double[][] b = new double[m][nb * perBucket];
      double[][] c = new double[m][cols.length];
      for (int q = 0; q < m; q++) {
        sum(w[q], present, devB, b[q], 0, b[q].length);
      }
      for (int x0 = 0; x0 < cols.length; x0 += TILE) {
        int x1 = Math.min(cols.length, x0 + TILE);
        for (int i = 0; i < present.length; i++) {
          double[] dk = packed[present[i]];
          for (int q = 0; q < m; q++) {
            double wi = w[q][i];
            if (wi == 0) {
              continue;
            }
            double[] cq = c[q];
            for (int x = x0; x < x1; x++) {
              cq[x] += wi * dk[x];
            }
          }
        }
      }
      double[] full = new double[width];
      for (int q = 0; q < m; q++) {
        for (int x = 0; x < cols.length; x++) {
          full[cols[x]] = c[q][x];
        }
        boot[r0 + q] = metricsOf(b[q], full, nb, k, perBucket, perCand, labels);
      }
    });
    return boot;
  }

  private static void sum(double[] w, int[] present, double[][] dev, double[] into, int x0, int x1) {
    for (int i = 0; i < present.length; i++) {
      double wi = w[i];
      if (wi == 0) {
        continue;
      }
      double[] d = dev[present[i]];
      for (int x = x0; x < x1; x++) {
        into[x] += wi * d[x];
      }
    }
  }

  /** accuracy, offload, fallback, cost per 1k, p50, p95 per candidate, for device weights w. */
  private double[][] metrics(int[] present, double[] w, double[][] devB, double[][] devK, int nb, int k,
      int perBucket, int perCand, boolean labels) {
    double[] b = new double[nb * perBucket];
    double[] c = new double[k * perCand];
    sum(w, present, devB, b, 0, b.length);
    sum(w, present, devK, c, 0, c.length);
    return metricsOf(b, c, nb, k, perBucket, perCand, labels);
  }

  private static double[][] metricsOf(double[] b, double[] c, int nb, int k, int perBucket, int perCand,
      boolean labels) {
    double n = 0;
    for (int bi = 0; bi < nb; bi++) {
      n += b[bi * perBucket];
    }
    double[][] out = new double[k][6];
    for (int j = 0; j < k; j++) {
      int o = j * perCand;
      double acc = 0;
      double covered = 0;
      for (int bi = 0; bi < nb; bi++) {
        double nB = b[bi * perBucket];
        double vB = b[bi * perBucket + 1];
        if (nB == 0 || vB == 0) {
          continue;
        }
        double q = labels ? (b[bi * perBucket + 3] > 0 ? b[bi * perBucket + 2] / b[bi * perBucket + 3] : 0) : 1;
        acc += nB * (c[o + bi] + q * c[o + nb + bi]) / vB;
        covered += nB;
      }
      out[j][0] = covered > 0 ? acc / covered : Double.NaN;
      out[j][1] = c[o + 3 * nb + 1] / n;
      out[j][2] = c[o + 3 * nb + 2] / n;
      out[j][3] = 1000 * c[o + 3 * nb] / n;
      out[j][4] = histQuantile(c, o + 3 * nb + 3, 0.50);
      out[j][5] = histQuantile(c, o + 3 * nb + 3, 0.95);
    }
    return out;
  }

  static int bin(double ms) {
    if (!(ms > HIST_MIN_MS)) {
      return 0;
    }
    int i = (int) (Math.log10(ms / HIST_MIN_MS) / HIST_DECADES * HIST);
    return Math.min(HIST - 1, i);
  }

  static double binLow(int i) {
    return HIST_MIN_MS * Math.pow(10, HIST_DECADES * i / HIST);
  }

  /** The quantile of a histogram, interpolated geometrically inside the bin. */
  static double histQuantile(double[] c, int off, double p) {
    double total = 0;
    for (int i = 0; i < HIST; i++) {
      total += c[off + i];
    }
    if (total <= 0) {
      return Double.NaN;
    }
    double target = p * total;
    double cum = 0;
    for (int i = 0; i < HIST; i++) {
      double m = c[off + i];
      if (cum + m >= target && m > 0) {
        double f = (target - cum) / m;
        return binLow(i) * Math.pow(binLow(i + 1) / binLow(i), f);
      }
      cum += m;
    }
    return binLow(HIST);
  }

  // ---- per device

  private int[] rowsOf(int d, Filter f) {
    int s = t.deviceStart(d);
    int e = t.deviceEnd(d);
    int n = 0;
    int[] rows = new int[e - s];
    for (int i = s; i < e; i++) {
      if (f.test(t, i)) {
        rows[n++] = i;
      }
    }
    return Arrays.copyOf(rows, n);
  }

  private void deviceStats(int[] rows, boolean labels, double[] edges, Globals g, double[] tz, double[] b,
      double[] c, double[] minProp, double[][] reasonMass) {
    int nb = edges.length + 1;
    int perBucket = 6;
    int perCand = 3 * nb + 3 + HIST;
    int k = tz.length;
    int[] bucket = new int[rows.length];
    for (int x = 0; x < rows.length; x++) {
      int i = rows[x];
      int bi = bucketOf(edges, t.z[i]);
      bucket[x] = bi;
      b[bi * perBucket] += 1;
      double v = weight(i, labels);
      b[bi * perBucket + 1] += v;
      if (labels && t.logAsk[i] != FleetTable.NONE && t.cloudAny[i] >= 0 && t.label[i] >= 0
          && t.propensity[i] > 0) {
        double w = 1.0 / t.propensity[i];
        b[bi * perBucket + 2] += w * (t.cloudAny[i] == t.label[i] ? 1 : 0);
        b[bi * perBucket + 3] += w;
        b[bi * perBucket + 4] += w * w;
        b[bi * perBucket + 5] += 1;
        minProp[bi] = Math.min(minProp[bi], t.propensity[i]);
      } else if (!labels && t.cloudAny[i] >= 0 && t.propensity[i] > 0) {
        double w = 1.0 / t.propensity[i];
        b[bi * perBucket + 3] += w;
        b[bi * perBucket + 4] += w * w;
        b[bi * perBucket + 5] += 1;
        minProp[bi] = Math.min(minProp[bi], t.propensity[i]);
      }
    }
    if (base.hasCostBudget()) {
      // the budget has memory: replay it per candidate in sequence order
      for (int j = 0; j < k; j++) {
        CostBudget budget = new CostBudget(base);
        int o = j * perCand;
        for (int x = 0; x < rows.length; x++) {
          int i = rows[x];
          byte r = t.z[i] >= tz[j] ? t.high[i] : t.low[i];
          if (r != FleetTable.NONE) {
            if (budget.available(t.timeMs[i]) < t.expectedOffloadUsd[i]) {
              r = FleetTable.NONE;
            } else {
              budget.spend(t.timeMs[i], t.expectedOffloadUsd[i]);
            }
          }
          contribute(i, bucket[x], r, +1, labels, g, c, o, nb, reasonMass[j]);
        }
      }
      return;
    }
    // threshold sweep: candidates by descending threshold, rows by descending signal; a row
    // moves from its low route to its high route once the threshold falls to its signal
    int[] order = descendingBySignal(rows);
    Integer[] cands = new Integer[k];
    for (int j = 0; j < k; j++) {
      cands[j] = j;
    }
    Arrays.sort(cands, (p, q) -> Double.compare(tz[q], tz[p]));
    double[] acc = new double[perCand];
    double[] reasons = new double[t.fallbackReasons.size()];
    for (int x = 0; x < rows.length; x++) {
      contribute(rows[x], bucket[x], t.low[rows[x]], +1, labels, g, acc, 0, nb, reasons);
    }
    int p = 0;
    for (int cj : cands) {
      while (p < order.length && t.z[rows[order[p]]] >= tz[cj]) {
        int x = order[p++];
        int i = rows[x];
        contribute(i, bucket[x], t.low[i], -1, labels, g, acc, 0, nb, reasons);
        contribute(i, bucket[x], t.high[i], +1, labels, g, acc, 0, nb, reasons);
      }
      System.arraycopy(acc, 0, c, cj * perCand, perCand);
      for (int ri = 0; ri < reasons.length; ri++) {
        reasonMass[cj][ri] += reasons[ri];
      }
    }
  }

  /**
   * Positions in {@code rows} by descending signal, ties in position order (as a stable sort
   * would leave them), without boxing: each key packs the signal's order and the position.
   */
  private int[] descendingBySignal(int[] rows) {
    long[] keys = new long[rows.length];
    for (int x = 0; x < rows.length; x++) {
      int bits = Float.floatToIntBits(t.z[rows[x]]);
      bits ^= (bits >> 31) & 0x7fffffff; // ordered as Float.compare orders the floats
      keys[x] = ((long) ~bits << 32) | x;
    }
    Arrays.sort(keys);
    int[] order = new int[rows.length];
    for (int x = 0; x < rows.length; x++) {
      order[x] = (int) keys[x];
    }
    return order;
  }

  private double weight(int i, boolean labels) {
    if (labels) {
      return t.label[i] >= 0 ? 1 : 0;
    }
    return t.cloudAny[i] >= 0 && t.propensity[i] > 0 ? 1.0 / t.propensity[i] : 0;
  }

  /** Adds (sign +1) or removes (-1) decision i's contribution under route r. */
  private void contribute(int i, int bi, byte r, int sign, boolean labels, Globals g, double[] c, int o, int nb,
      double[] reasons) {
    int net = t.net[i];
    int state = t.rtState[i];
    double pf = g.pf[net][state];
    boolean observed = t.logAsk[i] != FleetTable.NONE;
    // cost, offload, fallback
    double cost = t.edgeUsd[i];
    if (r != FleetTable.NONE) {
      cost += observed ? t.askUsd[i] : t.expectedOffloadUsd[i] * g.costRatio[net];
      c[o + 3 * nb + 1] += sign;
    }
    c[o + 3 * nb] += sign * cost;
    if (r == FleetTable.LIVE) {
      if (observed) {
        if (t.status[i] == 2) {
          c[o + 3 * nb + 2] += sign;
          reasons[t.fallbackReason[i]] += sign;
        }
      } else {
        c[o + 3 * nb + 2] += sign * pf;
        for (int ri = 0; ri < reasons.length; ri++) {
          reasons[ri] += sign * g.reasonRate[net][state][ri];
        }
      }
    }
    // correctness
    double v = weight(i, labels);
    if (v > 0) {
      int y = labels ? t.label[i] : t.cloudAny[i];
      int edgeRight = t.edgePred[i] == y ? 1 : 0;
      if (r == FleetTable.LIVE) {
        if (observed) {
          int fin = t.status[i] == 1 ? t.cloudInTime[i] : t.edgePred[i];
          c[o + bi] += sign * v * (fin == y ? 1 : 0);
        } else {
          c[o + bi] += sign * v * pf * edgeRight;
          c[o + nb + bi] += sign * v * (1 - pf);
        }
      } else {
        c[o + bi] += sign * v * edgeRight;
      }
    }
    if (r == FleetTable.LIVE && !observed) {
      c[o + 2 * nb + bi] += sign;
    }
    // latency
    int h = o + 3 * nb + 3;
    if (r != FleetTable.LIVE) {
      c[h + bin(t.edgeAnswerMs[i])] += sign;
    } else if (t.logAsk[i] == FleetTable.LIVE) {
      c[h + bin(t.latencyMs[i])] += sign;
    } else if (t.logAsk[i] == FleetTable.SHADOW) {
      double ms = t.status[i] == 1 ? t.edgeAnswerMs[i] + t.roundTripMs[i] : base.deadlineMs();
      c[h + bin(ms)] += sign;
    } else {
      double[] dist = g.liveLatency[net];
      for (int x = 0; x < HIST; x++) {
        if (dist[x] > 0) {
          c[h + x] += sign * (1 - pf) * dist[x];
        }
      }
      c[h + bin(base.deadlineMs())] += sign * pf;
    }
  }

  static int bucketOf(double[] edges, float z) {
    int lo = 0;
    int hi = edges.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (z >= edges[mid]) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // ---- fleet-wide inputs

  private boolean hasLabels(Filter f) {
    for (int i = 0; i < t.rows; i++) {
      if (t.label[i] >= 0 && f.test(t, i)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Bucket edges: the logging policy's thresholds (so no bucket mixes decisions the logging policy
   * always asked with ones it asked only by exploration), and between them quantiles of the
   * signal, as many per range as the range's share of the decisions warrants.
   */
  private double[] bucketEdges(Filter f) {
    float[] zs = t.sortedSignal(f);
    int n = zs.length;
    TreeSet<Double> fixed = new TreeSet<>();
    if (base.signal() == t.signal && base.mode() == dev.tandem.runtime.policy.Mode.CASCADE) {
      double th = base.threshold();
      fixed.add(t.signal.higherIsConfident() ? th : -th);
      for (dev.tandem.runtime.policy.Segment s : base.segments()) {
        fixed.add(t.signal.higherIsConfident() ? s.threshold() : -s.threshold());
      }
    }
    TreeSet<Double> e = new TreeSet<>(fixed);
    List<Double> bounds = new ArrayList<>();
    bounds.add(Double.NEGATIVE_INFINITY);
    bounds.addAll(fixed);
    bounds.add(Double.POSITIVE_INFINITY);
    for (int r = 0; r + 1 < bounds.size(); r++) {
      int from = lowerBound(zs, bounds.get(r));
      int to = lowerBound(zs, bounds.get(r + 1));
      int m = to - from;
      int parts = (int) Math.round((double) buckets * m / Math.max(1, n));
      for (int q = 1; q < parts; q++) {
        e.add((double) zs[from + (int) ((long) m * q / parts)]);
      }
    }
    double[] out = new double[e.size()];
    int x = 0;
    for (double d : e) {
      out[x++] = d;
    }
    return out;
  }

  private static int lowerBound(float[] sorted, double v) {
    if (v == Double.NEGATIVE_INFINITY) {
      return 0;
    }
    if (v == Double.POSITIVE_INFINITY) {
      return sorted.length;
    }
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /**
   * Observed rates from the logged live requests: fallbacks (and by reason) by network type and
   * round-trip state, the paid-to-expected cost ratio and the latency distribution by network type.
   */
  static final class Globals {
    /** Fallback rate by network type and round-trip state. */
    double[][] pf;
    double[][][] reasonRate;
    double[] costRatio;
    double[][] liveLatency;
  }

  private Globals globals(Filter f) {
    int nets = t.networks.size();
    int states = FleetTable.RT_NAMES.length;
    int reasons = t.fallbackReasons.size();
    double[][] live = new double[nets][states];
    double[][] fb = new double[nets][states];
    double[][][] byReason = new double[nets][states][reasons];
    double[] paid = new double[nets];
    double[] expected = new double[nets];
    double[][] lat = new double[nets][HIST];
    double[] allLat = new double[HIST];
    double liveAll = 0;
    double fbAll = 0;
    double[] reasonAll = new double[reasons];
    for (int i = 0; i < t.rows; i++) {
      int n = t.net[i];
      int s = t.rtState[i];
      if (t.logAsk[i] != FleetTable.NONE) {
        paid[n] += t.askUsd[i];
        expected[n] += t.expectedOffloadUsd[i];
      }
      if (t.logAsk[i] == FleetTable.LIVE) {
        live[n][s]++;
        liveAll++;
        if (t.status[i] == 2) {
          fb[n][s]++;
          fbAll++;
          byReason[n][s][t.fallbackReason[i]]++;
          reasonAll[t.fallbackReason[i]]++;
        } else {
          lat[n][bin(t.latencyMs[i])]++;
          allLat[bin(t.latencyMs[i])]++;
        }
      }
    }
    Globals g = new Globals();
    g.pf = new double[nets][states];
    g.reasonRate = new double[nets][states][reasons];
    g.costRatio = new double[nets];
    g.liveLatency = new double[nets][HIST];
    double allOk = liveAll - fbAll;
    for (int n = 0; n < nets; n++) {
      double liveN = 0;
      double fbN = 0;
      double[] reasonN = new double[reasons];
      for (int s = 0; s < states; s++) {
        liveN += live[n][s];
        fbN += fb[n][s];
        for (int r = 0; r < reasons; r++) {
          reasonN[r] += byReason[n][s][r];
        }
      }
      // a network type without live requests borrows the fleet's rates; a round-trip state with
      // too few, its network type's
      double pooled = liveN > 0 ? fbN / liveN : liveAll > 0 ? fbAll / liveAll : 0;
      for (int s = 0; s < states; s++) {
        boolean own = live[n][s] >= minLivePerState && live[n][s] > 0;
        g.pf[n][s] = own ? fb[n][s] / live[n][s] : pooled;
        for (int r = 0; r < reasons; r++) {
          g.reasonRate[n][s][r] = own ? byReason[n][s][r] / live[n][s]
              : liveN > 0 ? reasonN[r] / liveN : liveAll > 0 ? reasonAll[r] / liveAll : 0;
        }
      }
      g.costRatio[n] = expected[n] > 0 ? paid[n] / expected[n] : 1;
      double ok = liveN - fbN;
      for (int x = 0; x < HIST; x++) {
        g.liveLatency[n][x] = ok > 0 ? lat[n][x] / ok : allOk > 0 ? allLat[x] / allOk : 0;
      }
    }
    return g;
  }
}
