package dev.tandem.runtime.policy;

/** Where a decision's answer came from. */
public enum Route {
  /** The edge model answered; the cloud was not asked. */
  EDGE("edge"),
  /** The cloud model answered. */
  CLOUD("cloud"),
  /** The cloud was wanted but could not answer (see the reason); the edge model answered. */
  EDGE_FALLBACK("edge_fallback"),
  /** The edge model answered now; the cloud was asked anyway, for the log only. */
  SHADOW("shadow");

  private final String jsonName;

  Route(String jsonName) {
    this.jsonName = jsonName;
  }

  public String jsonName() {
    return jsonName;
  }

  /** Whether a request goes to the cloud on this route, as decided by the policy. */
  public boolean asksCloud() {
    return this == CLOUD || this == SHADOW;
  }

  /** @throws IllegalArgumentException naming the unknown route */
  public static Route fromJsonName(String name) {
    for (Route r : values()) {
      if (r.jsonName.equals(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown route '" + name + "': expected one of edge, cloud, edge_fallback, shadow");
  }
}
