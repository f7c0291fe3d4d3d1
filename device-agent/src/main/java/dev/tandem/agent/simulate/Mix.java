package dev.tandem.agent.simulate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A weighted mix of profile names, {@code "wifi=0.5,4g=0.3,3g=0.2"}, spread over a fleet: each
 * name gets its share of the devices (largest remainder), and the assignment is shuffled with
 * the run's seed. Immutable.
 */
public final class Mix {
  private final Map<String, Double> weights;

  private Mix(Map<String, Double> weights) {
    this.weights = weights;
  }

  /**
   * Parses {@code name=weight,...}; a name alone has weight 1. Weights need not sum to 1.
   *
   * @param option the command-line option, for the message
   * @throws IllegalArgumentException naming the option and the bad entry
   */
  public static Mix parse(String option, String spec) {
    Map<String, Double> w = new LinkedHashMap<>();
    for (String part : spec.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = eq < 0 ? p : p.substring(0, eq).trim();
      double weight;
      try {
        weight = eq < 0 ? 1 : Double.parseDouble(p.substring(eq + 1).trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(option + ": '" + p + "' needs name=weight with a number");
      }
      if (name.isEmpty() || !(weight >= 0) || Double.isInfinite(weight)) {
        throw new IllegalArgumentException(option + ": '" + p + "' needs a name and a weight >= 0");
      }
      w.merge(name, weight, Double::sum);
    }
    double sum = w.values().stream().mapToDouble(Double::doubleValue).sum();
    if (w.isEmpty() || sum <= 0) {
      throw new IllegalArgumentException(option + ": '" + spec + "' names no profile with a positive weight");
    }
    return new Mix(Collections.unmodifiableMap(w));
  }

  /** The names in the mix, in the order given. */
  public List<String> names() {
    return new ArrayList<>(weights.keySet());
  }

  /** One name per device: each name's share of {@code n} (largest remainder), shuffled by {@code random}. */
  public List<String> assign(int n, Random random) {
    double sum = weights.values().stream().mapToDouble(Double::doubleValue).sum();
    List<String> names = names();
    int[] counts = new int[names.size()];
    double[] remainders = new double[names.size()];
    int given = 0;
    for (int i = 0; i < names.size(); i++) {
      double exact = n * weights.get(names.get(i)) / sum;
      counts[i] = (int) Math.floor(exact);
      remainders[i] = exact - counts[i];
      given += counts[i];
    }
    while (given < n) {
      int best = 0;
      for (int i = 1; i < remainders.length; i++) {
        if (remainders[i] > remainders[best]) {
          best = i;
        }
      }
      counts[best]++;
      remainders[best] = -1;
      given++;
    }
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < names.size(); i++) {
      for (int k = 0; k < counts[i]; k++) {
        out.add(names.get(i));
      }
    }
    Collections.shuffle(out, random);
    return out;
  }

  @Override
  public String toString() {
    return weights.toString();
  }
}
