package dev.tandem.tuner.report;

import dev.tandem.tuner.observe.DecisionRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The threshold rule alone, swept over a grid: for each threshold the share of decisions the
 * cascade would offload, the estimated accuracy (or agreement with the cloud when no labels exist),
 * and the expected cost per decision. The other rules of a policy (budget, deadline risk, battery,
 * metered) are not replayed here; {@code tune} replays them.
 *
 * <p>Where a threshold would offload a decision the logging policy kept on the edge, the cloud's
 * answer was not observed: its correctness is taken from the decisions of the same signal decile
 * that did reach the cloud (offloaded, explored or shadow), each weighted by 1 / its logged
 * propensity. With labels, accuracy assumes labelling is independent of the outcome within a decile.
 */
final class ThresholdSweep {
  static final int BUCKETS = 10;

  /** One threshold's estimates. */
  record Point(double threshold, double offloadRate, double quality, double costPerDecision) {}

  private final Signal signal;
  private final boolean labelled;
  private final List<DecisionRow> rows;
  private final double[] bucketEdges;
  private final double[] cloudQuality;
  private final double[] edgeQualityWhereUnseen;
  private final Map<String, Double> offloadUsd;
  private final double offloadUsdAll;
  private final double edgeQuality;
  private final double cloudQualityAll;
  private final double edgeWrongCloudRight;
  private final double edgeRightCloudWrong;
  private final List<String> notes = new ArrayList<>();

  ThresholdSweep(List<DecisionRow> all, Signal signal) {
    this.signal = signal;
    List<DecisionRow> withEdge = all.stream().filter(r -> r.hasEdge() && !Double.isNaN(signal.value(r))).toList();
    long labels = withEdge.stream().filter(DecisionRow::hasLabel).count();
    this.labelled = labels >= 200;
    this.rows = labelled ? withEdge.stream().filter(DecisionRow::hasLabel).toList() : withEdge;
    if (!labelled) {
      notes.add("Fewer than 200 labelled decisions (" + labels + "): quality is agreement with the cloud's"
          + " answer, not accuracy; offloading everything scores 100 % by construction.");
    }
    double[] values = rows.stream().mapToDouble(signal::value).sorted().toArray();
    bucketEdges = new double[BUCKETS - 1];
    for (int i = 1; i < BUCKETS; i++) {
      bucketEdges[i - 1] = Stats.quantile(values, (double) i / BUCKETS);
    }
    double[] wSum = new double[BUCKETS];
    double[] wGood = new double[BUCKETS];
    double wAll = 0;
    double wGoodAll = 0;
    double wBoth = 0;
    double wGain = 0;
    double wLoss = 0;
    for (DecisionRow r : rows) {
      if (!r.hasCloudAnswer() || r.propensity() <= 0) {
        continue;
      }
      double w = 1 / r.propensity();
      int b = bucket(signal.value(r));
      boolean cloudGood = labelled ? r.cloudPrediction() == r.label() : true;
      wSum[b] += w;
      wGood[b] += cloudGood ? w : 0;
      wAll += w;
      wGoodAll += cloudGood ? w : 0;
      boolean edgeGood = labelled ? r.edgePrediction() == r.label() : r.edgePrediction() == r.cloudPrediction();
      wBoth += w;
      wGain += (!edgeGood && cloudGood) ? w : 0;
      wLoss += (edgeGood && !cloudGood) ? w : 0;
    }
    cloudQualityAll = wAll > 0 ? wGoodAll / wAll : Double.NaN;
    cloudQuality = new double[BUCKETS];
    for (int b = 0; b < BUCKETS; b++) {
      cloudQuality[b] = wSum[b] > 0 ? wGood[b] / wSum[b] : cloudQualityAll;
    }
    edgeWrongCloudRight = wBoth > 0 ? wGain / wBoth : Double.NaN;
    edgeRightCloudWrong = wBoth > 0 ? wLoss / wBoth : Double.NaN;
    // Agreement of the edge where the cloud was not asked: from the explored decisions of its decile.
    double[] aSum = new double[BUCKETS];
    double[] aGood = new double[BUCKETS];
    for (DecisionRow r : rows) {
      if (r.hasCloudAnswer() && r.propensity() > 0) {
        int b = bucket(signal.value(r));
        aSum[b] += 1 / r.propensity();
        aGood[b] += r.edgePrediction() == r.cloudPrediction() ? 1 / r.propensity() : 0;
      }
    }
    edgeQualityWhereUnseen = new double[BUCKETS];
    for (int b = 0; b < BUCKETS; b++) {
      edgeQualityWhereUnseen[b] = aSum[b] > 0 ? aGood[b] / aSum[b] : Double.NaN;
    }
    double eq = 0;
    for (DecisionRow r : rows) {
      eq += edgeGood(r);
    }
    edgeQuality = rows.isEmpty() ? Double.NaN : eq / rows.size();
    Map<String, double[]> byNet = new HashMap<>();
    double s = 0;
    long n = 0;
    for (DecisionRow r : all) {
      if (r.offloaded()) {
        byNet.computeIfAbsent(r.network(), k -> new double[2]);
        byNet.get(r.network())[0] += r.offloadUsd();
        byNet.get(r.network())[1]++;
        s += r.offloadUsd();
        n++;
      }
    }
    offloadUsdAll = n > 0 ? s / n : 0;
    offloadUsd = new HashMap<>();
    byNet.forEach((k, v) -> offloadUsd.put(k, v[0] / v[1]));
    if (n == 0) {
      notes.add("No offloaded decisions: the cost of an offload is unknown and counted as 0.");
    }
  }

  String signalName() {
    return signal.name();
  }

  boolean labelled() {
    return labelled;
  }

  List<String> notes() {
    return notes;
  }

  /** The edge's accuracy (or agreement) over all decisions, and the cloud's. */
  double edgeQuality() {
    return edgeQuality;
  }

  double cloudQuality() {
    return cloudQualityAll;
  }

  /** Thresholds at every 5 % quantile of the signal, plus the given extra ones. */
  List<Double> grid(double... extra) {
    double[] values = rows.stream().mapToDouble(signal::value).sorted().toArray();
    TreeSet<Double> t = new TreeSet<>();
    for (int i = 0; i <= 20; i++) {
      t.add(Stats.quantile(values, i / 20.0));
    }
    for (double e : extra) {
      if (!Double.isNaN(e)) {
        t.add(e);
      }
    }
    return new ArrayList<>(t);
  }

  Point at(double threshold) {
    long off = 0;
    double q = 0;
    double qn = 0;
    for (DecisionRow r : rows) {
      boolean confident = signal.confident(signal.value(r), threshold);
      if (!confident) {
        off++;
      }
      double v = confident ? edgeGood(r) : cloudGood(r);
      if (!Double.isNaN(v)) {
        q += v;
        qn++;
      }
    }
    double cost = 0;
    long cn = 0;
    for (DecisionRow r : rows) {
      cost += r.edgeUsd();
      if (!signal.confident(signal.value(r), threshold)) {
        cost += offloadUsd.getOrDefault(r.network(), offloadUsdAll);
      }
      cn++;
    }
    return new Point(threshold, rows.isEmpty() ? Double.NaN : (double) off / rows.size(),
        qn > 0 ? q / qn : Double.NaN, cn > 0 ? cost / cn : Double.NaN);
  }

  /** The best router that knows both answers, at offload rate r (labels or agreement alike). */
  double oracle(double rate) {
    return edgeQuality + Math.min(rate, edgeWrongCloudRight) - Math.max(0, rate - (1 - edgeRightCloudWrong));
  }

  /** Offloading a random share r of decisions. */
  double random(double rate) {
    return edgeQuality + rate * (cloudQualityAll - edgeQuality);
  }

  private double edgeGood(DecisionRow r) {
    if (labelled) {
      return r.edgePrediction() == r.label() ? 1 : 0;
    }
    if (r.hasCloudAnswer()) {
      return r.edgePrediction() == r.cloudPrediction() ? 1 : 0;
    }
    return edgeQualityWhereUnseen[bucket(signal.value(r))];
  }

  private double cloudGood(DecisionRow r) {
    if (!labelled) {
      return 1;
    }
    if (r.hasCloudAnswer()) {
      return r.cloudPrediction() == r.label() ? 1 : 0;
    }
    return cloudQuality[bucket(signal.value(r))];
  }

  private int bucket(double v) {
    int b = 0;
    while (b < bucketEdges.length && v > bucketEdges[b]) {
      b++;
    }
    return b;
  }
}
