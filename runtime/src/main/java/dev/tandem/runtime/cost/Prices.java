package dev.tandem.runtime.cost;

import com.google.gson.JsonObject;
import dev.tandem.runtime.device.NetworkType;
import dev.tandem.runtime.internal.json.JsonFields;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The configured prices the cost model works from. Immutable; every price defaults to 0.
 *
 * <ul>
 *   <li>Edge: measured inference time x the device's power draw gives joules; joules are
 *       priced at {@code edge_usd_per_kwh}.
 *   <li>Network: bytes up and down x the price per GB (10^9 bytes) of the network type.
 *   <li>Cloud: a flat price per 1,000 requests, or a provisioned cost per hour divided by the
 *       requests served per hour (set one or the other).
 * </ul>
 *
 * <p>A request is charged cloud cost when the relay computed (or may have computed) it: status
 * {@code ok} and {@code timeout}. Requests refused or never sent are not.
 */
public final class Prices {
  private final double devicePowerWatts;
  private final double edgeUsdPerKwh;
  private final Map<NetworkType, Double> networkUsdPerGb;
  private final double cloudUsdPer1000Requests;
  private final double cloudUsdPerHour;
  private final double cloudRequestsPerHour;

  private Prices(Builder b) {
    this.devicePowerWatts = b.devicePowerWatts;
    this.edgeUsdPerKwh = b.edgeUsdPerKwh;
    this.networkUsdPerGb = new EnumMap<>(b.networkUsdPerGb);
    this.cloudUsdPer1000Requests = b.cloudUsdPer1000Requests;
    this.cloudUsdPerHour = b.cloudUsdPerHour;
    this.cloudRequestsPerHour = b.cloudRequestsPerHour;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every price 0: costs are all zero, joules too. */
  public static Prices none() {
    return builder().build();
  }

  /**
   * Reads prices from JSON, e.g. {@code {"device_power_watts": 2.5, "edge_usd_per_kwh": 0.3,
   * "network_usd_per_gb": {"4g": 2.0, "wifi": 0}, "cloud": {"usd_per_1000_requests": 0.05}}} or
   * {@code "cloud": {"usd_per_hour": 1.2, "requests_per_hour": 50000}}.
   *
   * @throws IllegalArgumentException naming the bad field and value
   */
  public static Prices fromJson(String json) {
    JsonFields o = JsonFields.parse(json, (path, value, problem) -> new IllegalArgumentException(
        (path.isEmpty() ? "prices " : "prices field '" + path + "'" + (value.isEmpty() ? "" : " = " + value) + ": ")
            + problem));
    o.allow("device_power_watts", "edge_usd_per_kwh", "network_usd_per_gb", "cloud");
    Builder b = builder();
    if (o.has("device_power_watts")) {
      b.devicePowerWatts(o.number("device_power_watts"));
    }
    if (o.has("edge_usd_per_kwh")) {
      b.edgeUsdPerKwh(o.number("edge_usd_per_kwh"));
    }
    if (o.has("network_usd_per_gb")) {
      JsonFields n = o.object("network_usd_per_gb");
      for (String name : n.names()) {
        NetworkType t;
        try {
          t = NetworkType.fromJsonName(name);
        } catch (IllegalArgumentException ex) {
          throw n.error(name, ex.getMessage());
        }
        b.networkUsdPerGb(t, n.number(name));
      }
    }
    if (o.has("cloud")) {
      JsonFields c = o.object("cloud").allow("usd_per_1000_requests", "usd_per_hour", "requests_per_hour");
      if (c.has("usd_per_1000_requests")) {
        b.cloudPer1000Requests(c.number("usd_per_1000_requests"));
      }
      if (c.has("usd_per_hour") || c.has("requests_per_hour")) {
        if (!c.has("usd_per_hour") || !c.has("requests_per_hour")) {
          throw c.error("usd_per_hour and requests_per_hour go together");
        }
        b.cloudProvisioned(c.number("usd_per_hour"), c.number("requests_per_hour"));
      }
    }
    return b.build();
  }

  /** These prices as JSON that {@link #fromJson} reads back. */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("device_power_watts", devicePowerWatts);
    o.addProperty("edge_usd_per_kwh", edgeUsdPerKwh);
    JsonObject n = new JsonObject();
    for (Map.Entry<NetworkType, Double> e : networkUsdPerGb.entrySet()) {
      n.addProperty(e.getKey().jsonName(), e.getValue());
    }
    o.add("network_usd_per_gb", n);
    JsonObject c = new JsonObject();
    if (cloudRequestsPerHour > 0) {
      c.addProperty("usd_per_hour", cloudUsdPerHour);
      c.addProperty("requests_per_hour", cloudRequestsPerHour);
    } else {
      c.addProperty("usd_per_1000_requests", cloudUsdPer1000Requests);
    }
    o.add("cloud", c);
    return o.toString();
  }

  public double devicePowerWatts() {
    return devicePowerWatts;
  }

  public double edgeUsdPerKwh() {
    return edgeUsdPerKwh;
  }

  /** USD per 10^9 bytes on {@code network}; 0 when not configured. */
  public double networkUsdPerGb(NetworkType network) {
    Double p = networkUsdPerGb.get(network);
    return p == null ? 0 : p;
  }

  /** The cloud's price of one request: flat, or provisioned cost per hour over requests per hour. */
  public double cloudUsdPerRequest() {
    return cloudRequestsPerHour > 0 ? cloudUsdPerHour / cloudRequestsPerHour : cloudUsdPer1000Requests / 1000.0;
  }

  /** Energy of an edge inference that took {@code edgeMs}. */
  public double edgeJoules(double edgeMs) {
    return Math.max(0, edgeMs) / 1000.0 * devicePowerWatts;
  }

  /**
   * The cost of one decision.
   *
   * @param edgeMs edge inference time (0 when the edge model did not run)
   * @param cloudCharged whether the cloud is charged for a request (see the class note)
   */
  public Cost cost(double edgeMs, long bytesUp, long bytesDown, NetworkType network, boolean cloudCharged) {
    double joules = edgeJoules(edgeMs);
    double edgeUsd = joules / 3.6e6 * edgeUsdPerKwh;
    double networkUsd = (Math.max(0, bytesUp) + Math.max(0, bytesDown)) / 1e9 * networkUsdPerGb(network);
    return Cost.of(joules, edgeUsd, networkUsd, cloudCharged ? cloudUsdPerRequest() : 0);
  }

  /** What an offload of {@code payloadBytes} is expected to cost: its upload and one cloud request. */
  public double expectedOffloadUsd(long payloadBytes, NetworkType network) {
    return Math.max(0, payloadBytes) / 1e9 * networkUsdPerGb(network) + cloudUsdPerRequest();
  }

  @Override
  public String toString() {
    return "Prices" + toJson();
  }

  /** Builder for {@link Prices}; every price defaults to 0. */
  public static final class Builder {
    private double devicePowerWatts;
    private double edgeUsdPerKwh;
    private final Map<NetworkType, Double> networkUsdPerGb = new EnumMap<>(NetworkType.class);
    private double cloudUsdPer1000Requests;
    private double cloudUsdPerHour;
    private double cloudRequestsPerHour;

    private Builder() {}

    /** Power the device draws while running the edge model, in watts. */
    public Builder devicePowerWatts(double v) {
      this.devicePowerWatts = v;
      return this;
    }

    public Builder edgeUsdPerKwh(double v) {
      this.edgeUsdPerKwh = v;
      return this;
    }

    public Builder networkUsdPerGb(NetworkType network, double usd) {
      networkUsdPerGb.put(Objects.requireNonNull(network, "network"), usd);
      return this;
    }

    public Builder cloudPer1000Requests(double usd) {
      this.cloudUsdPer1000Requests = usd;
      return this;
    }

    /** Provisioned cloud: {@code usdPerHour} spread over {@code requestsPerHour} served. */
    public Builder cloudProvisioned(double usdPerHour, double requestsPerHour) {
      this.cloudUsdPerHour = usdPerHour;
      this.cloudRequestsPerHour = requestsPerHour;
      return this;
    }

    /** @throws IllegalStateException naming the bad price */
    public Prices build() {
      nonNegative("devicePowerWatts", devicePowerWatts);
      nonNegative("edgeUsdPerKwh", edgeUsdPerKwh);
      for (Map.Entry<NetworkType, Double> e : networkUsdPerGb.entrySet()) {
        nonNegative("networkUsdPerGb[" + e.getKey().jsonName() + "]", e.getValue());
      }
      nonNegative("cloudPer1000Requests", cloudUsdPer1000Requests);
      nonNegative("cloudProvisioned usdPerHour", cloudUsdPerHour);
      nonNegative("cloudProvisioned requestsPerHour", cloudRequestsPerHour);
      if (cloudUsdPerHour > 0 && cloudRequestsPerHour <= 0) {
        throw new IllegalStateException("cloudProvisioned requestsPerHour must be > 0 when usdPerHour is set");
      }
      if (cloudRequestsPerHour > 0 && cloudUsdPer1000Requests > 0) {
        throw new IllegalStateException("set cloudPer1000Requests or cloudProvisioned, not both");
      }
      return new Prices(this);
    }

    private static void nonNegative(String name, double v) {
      if (!(v >= 0) || Double.isInfinite(v)) {
        throw new IllegalStateException(name + " must be finite and >= 0, was " + v);
      }
    }
  }
}
