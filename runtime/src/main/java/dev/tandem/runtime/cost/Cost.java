package dev.tandem.runtime.cost;

import java.util.Objects;

/**
 * What one decision cost: the edge inference's energy in joules and its USD price, the network
 * transfer in USD, the cloud's share in USD, and the USD total. Immutable.
 */
public final class Cost {
  /** Nothing spent. */
  public static final Cost ZERO = new Cost(0, 0, 0, 0);

  private final double edgeJoules;
  private final double edgeUsd;
  private final double networkUsd;
  private final double cloudUsd;

  private Cost(double edgeJoules, double edgeUsd, double networkUsd, double cloudUsd) {
    this.edgeJoules = edgeJoules;
    this.edgeUsd = edgeUsd;
    this.networkUsd = networkUsd;
    this.cloudUsd = cloudUsd;
  }

  /** @throws IllegalArgumentException if a figure is negative or not finite */
  public static Cost of(double edgeJoules, double edgeUsd, double networkUsd, double cloudUsd) {
    check("edgeJoules", edgeJoules);
    check("edgeUsd", edgeUsd);
    check("networkUsd", networkUsd);
    check("cloudUsd", cloudUsd);
    return new Cost(edgeJoules, edgeUsd, networkUsd, cloudUsd);
  }

  private static void check(String name, double v) {
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(name + " must be finite and >= 0, was " + v);
    }
  }

  public double edgeJoules() {
    return edgeJoules;
  }

  public double edgeUsd() {
    return edgeUsd;
  }

  public double networkUsd() {
    return networkUsd;
  }

  public double cloudUsd() {
    return cloudUsd;
  }

  /** edge + network + cloud, in USD. */
  public double totalUsd() {
    return edgeUsd + networkUsd + cloudUsd;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Cost)) {
      return false;
    }
    Cost c = (Cost) o;
    return edgeJoules == c.edgeJoules && edgeUsd == c.edgeUsd && networkUsd == c.networkUsd && cloudUsd == c.cloudUsd;
  }

  @Override
  public int hashCode() {
    return Objects.hash(edgeJoules, edgeUsd, networkUsd, cloudUsd);
  }

  @Override
  public String toString() {
    return "Cost{edge=" + edgeJoules + " J/" + edgeUsd + " USD, network=" + networkUsd + ", cloud=" + cloudUsd
        + ", total=" + totalUsd() + " USD}";
  }
}
