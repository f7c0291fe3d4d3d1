package dev.tandem.runtime.policy;

import java.util.Objects;

/**
 * What {@link Policy#decide} returns: a route ({@code edge}, {@code cloud}, {@code shadow}, or
 * {@code edge_fallback} when no offloader could take the request), the reason, the propensity
 * (the probability, given the context, that this decision asks the cloud) and whether the
 * random draw turned it into an exploration. Immutable.
 */
public final class RouteDecision {
  private final Route route;
  private final Reason reason;
  private final double propensity;
  private final boolean explored;

  private RouteDecision(Route route, Reason reason, double propensity, boolean explored) {
    this.route = route;
    this.reason = reason;
    this.propensity = propensity;
    this.explored = explored;
  }

  public static RouteDecision of(Route route, Reason reason, double propensity, boolean explored) {
    Objects.requireNonNull(route, "route");
    Objects.requireNonNull(reason, "reason");
    if (!(propensity >= 0 && propensity <= 1)) {
      throw new IllegalArgumentException("propensity must be within [0, 1], was " + propensity);
    }
    return new RouteDecision(route, reason, propensity, explored);
  }

  public Route route() {
    return route;
  }

  public Reason reason() {
    return reason;
  }

  /** Probability that a decision in this context asks the cloud (1 or 0 unless exploration applies). */
  public double propensity() {
    return propensity;
  }

  /** Whether the cloud is asked because of the exploration draw. */
  public boolean explored() {
    return explored;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RouteDecision)) {
      return false;
    }
    RouteDecision d = (RouteDecision) o;
    return route == d.route && reason == d.reason && propensity == d.propensity && explored == d.explored;
  }

  @Override
  public int hashCode() {
    return Objects.hash(route, reason, propensity, explored);
  }

  @Override
  public String toString() {
    return route.jsonName() + "/" + reason.jsonName() + " (p=" + propensity + (explored ? ", explored" : "") + ")";
  }
}
