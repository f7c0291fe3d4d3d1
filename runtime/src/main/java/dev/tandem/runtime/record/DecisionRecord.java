package dev.tandem.runtime.record;

import dev.tandem.runtime.cost.Cost;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.policy.DecisionContext;
import dev.tandem.runtime.policy.Reason;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.policy.RouteDecision;
import java.util.Objects;
import java.util.Optional;

/**
 * One routing decision, as logged: who and when, the policy's decision with every input it read
 * ({@link #context()}), the route and reason it finally took, the edge and cloud parts, bytes,
 * cost and end-to-end latency. Immutable.
 *
 * <p>{@link #decided()} is what {@code Policy.decide(context())} returned; {@link #route()} and
 * {@link #reason()} are the outcome. They differ only when the policy sent a request to the
 * cloud and no usable answer came back: route {@code cloud} then becomes {@code edge_fallback}
 * with the offload's status as the reason (a {@code shadow} stays {@code shadow}).
 */
public final class DecisionRecord implements Record {
  private final String device;
  private final long seq;
  private final long timeMs;
  private final String fleet;
  private final String model;
  private final RouteDecision decided;
  private final Route route;
  private final Reason reason;
  private final DecisionContext context;
  private final EdgeResult edge;
  private final CloudResult cloud;
  private final long bytesUp;
  private final long bytesDown;
  private final Cost cost;
  private final double latencyMs;

  private DecisionRecord(Builder b) {
    this.device = b.device;
    this.seq = b.seq;
    this.timeMs = b.timeMs;
    this.fleet = b.fleet;
    this.model = b.model;
    this.decided = b.decided;
    this.route = b.route;
    this.reason = b.reason;
    this.context = b.context;
    this.edge = b.edge;
    this.cloud = b.cloud;
    this.bytesUp = b.bytesUp;
    this.bytesDown = b.bytesDown;
    this.cost = b.cost;
    this.latencyMs = b.latencyMs;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public String kind() {
    return "decision";
  }

  @Override
  public String device() {
    return device;
  }

  @Override
  public long seq() {
    return seq;
  }

  /** When the policy decided, ms since the epoch. */
  @Override
  public long timeMs() {
    return timeMs;
  }

  public String fleet() {
    return fleet;
  }

  /** The model's name (as the relay knows it). */
  public String model() {
    return model;
  }

  public String edgeModelHash() {
    return context.edgeModelHash();
  }

  public long policyVersion() {
    return context.policyVersion();
  }

  /** What the policy decided (route, reason, propensity, exploration). */
  public RouteDecision decided() {
    return decided;
  }

  /** The route the answer finally took. */
  public Route route() {
    return route;
  }

  public Reason reason() {
    return reason;
  }

  /** Every input of the policy's decision. */
  public DecisionContext context() {
    return context;
  }

  /** The edge part; empty when the edge model never ran ({@code cloud_only} answered by the cloud). */
  public Optional<EdgeResult> edge() {
    return Optional.ofNullable(edge);
  }

  /** The cloud part; empty when no request was sent. */
  public Optional<CloudResult> cloud() {
    return Optional.ofNullable(cloud);
  }

  public long bytesUp() {
    return bytesUp;
  }

  public long bytesDown() {
    return bytesDown;
  }

  public Cost cost() {
    return cost;
  }

  /** From the start of the decision to its answer, in ms. */
  public double latencyMs() {
    return latencyMs;
  }

  public boolean explored() {
    return decided.explored();
  }

  public double propensity() {
    return decided.propensity();
  }

  /** The top-1 class of the answer given: the cloud's on route {@code cloud}, else the edge's; -1 if none. */
  public int prediction() {
    if (route == Route.CLOUD && cloud != null) {
      return cloud.prediction();
    }
    return edge == null ? -1 : edge.prediction();
  }

  @Override
  public String toString() {
    return "DecisionRecord{" + id() + " " + route.jsonName() + "/" + reason.jsonName() + "}";
  }

  /** Builder for {@link DecisionRecord}. */
  public static final class Builder {
    private String device;
    private long seq = -1;
    private long timeMs = -1;
    private String fleet = "";
    private String model = "";
    private RouteDecision decided;
    private Route route;
    private Reason reason;
    private DecisionContext context;
    private EdgeResult edge;
    private CloudResult cloud;
    private long bytesUp;
    private long bytesDown;
    private Cost cost = Cost.ZERO;
    private double latencyMs;

    private Builder() {}

    public Builder device(String v) {
      this.device = v;
      return this;
    }

    public Builder seq(long v) {
      this.seq = v;
      return this;
    }

    public Builder timeMs(long v) {
      this.timeMs = v;
      return this;
    }

    public Builder fleet(String v) {
      this.fleet = Objects.requireNonNull(v, "fleet");
      return this;
    }

    public Builder model(String v) {
      this.model = Objects.requireNonNull(v, "model");
      return this;
    }

    /** The policy's decision; route and reason default to it. */
    public Builder decided(RouteDecision v) {
      this.decided = v;
      return this;
    }

    /** The final route and reason, when they differ from the decision (a fallback). */
    public Builder outcome(Route route, Reason reason) {
      this.route = route;
      this.reason = reason;
      return this;
    }

    public Builder context(DecisionContext v) {
      this.context = v;
      return this;
    }

    public Builder edge(EdgeResult v) {
      this.edge = v;
      return this;
    }

    public Builder cloud(CloudResult v) {
      this.cloud = v;
      return this;
    }

    public Builder bytes(long up, long down) {
      this.bytesUp = up;
      this.bytesDown = down;
      return this;
    }

    public Builder cost(Cost v) {
      this.cost = Objects.requireNonNull(v, "cost");
      return this;
    }

    public Builder latencyMs(double v) {
      this.latencyMs = v;
      return this;
    }

    /** @throws IllegalStateException naming the missing or inconsistent field */
    public DecisionRecord build() {
      if (device == null || device.isEmpty()) {
        throw new IllegalStateException("device is required");
      }
      if (seq < 1) {
        throw new IllegalStateException("seq must be >= 1, was " + seq);
      }
      if (timeMs < 0) {
        throw new IllegalStateException("timeMs must be set, was " + timeMs);
      }
      if (decided == null) {
        throw new IllegalStateException("decided is required");
      }
      if (context == null) {
        throw new IllegalStateException("context is required");
      }
      if (route == null) {
        route = decided.route();
        reason = decided.reason();
      }
      if (route != decided.route() || reason != decided.reason()) {
        // Only a cloud request without a usable answer changes the outcome.
        boolean fallback = decided.route() == Route.CLOUD && route == Route.EDGE_FALLBACK && cloud != null
            && cloud.status() != OffloadStatus.OK && reason == Reason.forStatus(cloud.status());
        if (!fallback) {
          throw new IllegalStateException("outcome " + route.jsonName() + "/" + reason.jsonName()
              + " does not follow from decision " + decided + " and cloud status "
              + (cloud == null ? "none" : cloud.status().wireName()));
        }
      }
      if (decided.route().asksCloud() && cloud == null) {
        throw new IllegalStateException("decision " + decided + " sent a request: cloud is required");
      }
      if (bytesUp < 0 || bytesDown < 0) {
        throw new IllegalStateException("bytes must be >= 0, were " + bytesUp + " up, " + bytesDown + " down");
      }
      return new DecisionRecord(this);
    }
  }
}
