package dev.tandem.sample;

import android.content.Context;
import android.content.SharedPreferences;
import java.util.Objects;
import java.util.UUID;

/**
 * What the user configures on the settings screen: the relay's broker, this device's id, the
 * broker credentials, a CA certificate for a privately issued broker certificate, and where the
 * routing policy comes from. Immutable; kept in the app's private preferences, never in code.
 *
 * <p>An empty broker URI means no cloud: every decision the policy sends to the cloud falls back
 * to the edge with reason {@code no_offloader}.
 */
public final class SampleSettings {
  /** Name of the preferences file (private to the app). */
  public static final String PREFS = "tandem-sample";

  /** Policy source: {@code policy.json} from the app's assets (or its copy in the files dir). */
  public static final String POLICY_BUNDLED = "bundled";
  /** Policy source: the JSON pasted on the settings screen. */
  public static final String POLICY_INLINE = "inline";
  /**
   * Policy source: the fleet's retained policy topic on the broker, starting from the bundled
   * policy (or the last good one received); each new policy is validated before it applies.
   */
  public static final String POLICY_BROKER = "broker";

  private final String brokerUri;
  private final String deviceId;
  private final String fleet;
  private final String username;
  private final String password;
  private final String caPem;
  private final String policySource;
  private final String policyJson;

  private SampleSettings(Builder b) {
    this.brokerUri = b.brokerUri;
    this.deviceId = b.deviceId;
    this.fleet = b.fleet;
    this.username = b.username;
    this.password = b.password;
    this.caPem = b.caPem;
    this.policySource = b.policySource;
    this.policyJson = b.policyJson;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.brokerUri = brokerUri;
    b.deviceId = deviceId;
    b.fleet = fleet;
    b.username = username;
    b.password = password;
    b.caPem = caPem;
    b.policySource = policySource;
    b.policyJson = policyJson;
    return b;
  }

  /**
   * The saved settings; on first use a device id ({@code android-} and 12 random hex digits) is
   * made and saved.
   */
  public static SampleSettings load(Context context) {
    SharedPreferences p = context.getSharedPreferences(PREFS, Context.MODE_PRIVATE);
    String id = p.getString("device_id", "");
    if (id.isEmpty()) {
      id = "android-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
      p.edit().putString("device_id", id).apply();
    }
    return builder()
        .brokerUri(p.getString("broker_uri", ""))
        .deviceId(id)
        .fleet(p.getString("fleet", "default"))
        .username(p.getString("username", ""))
        .password(p.getString("password", ""))
        .caPem(p.getString("ca_pem", ""))
        .policySource(p.getString("policy_source", POLICY_BUNDLED))
        .policyJson(p.getString("policy_json", ""))
        .build();
  }

  /** Saves these settings (synchronously, so a restart of the engine reads them). */
  public void save(Context context) {
    context.getSharedPreferences(PREFS, Context.MODE_PRIVATE).edit()
        .putString("broker_uri", brokerUri)
        .putString("device_id", deviceId)
        .putString("fleet", fleet)
        .putString("username", username)
        .putString("password", password)
        .putString("ca_pem", caPem)
        .putString("policy_source", policySource)
        .putString("policy_json", policyJson)
        .commit();
  }

  /** {@code ssl://host:8883} (or {@code tcp://} for a local test broker); empty: no cloud. */
  public String brokerUri() {
    return brokerUri;
  }

  public String deviceId() {
    return deviceId;
  }

  public String fleet() {
    return fleet;
  }

  /** Broker user name; empty: no credentials. */
  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  /** PEM CA certificate(s) the broker's certificate chains to; empty: the platform's trust store. */
  public String caPem() {
    return caPem;
  }

  /** {@link #POLICY_BUNDLED}, {@link #POLICY_INLINE} or {@link #POLICY_BROKER}. */
  public String policySource() {
    return policySource;
  }

  /** The policy JSON used when the source is {@link #POLICY_INLINE}. */
  public String policyJson() {
    return policyJson;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SampleSettings)) {
      return false;
    }
    SampleSettings s = (SampleSettings) o;
    return brokerUri.equals(s.brokerUri) && deviceId.equals(s.deviceId) && fleet.equals(s.fleet)
        && username.equals(s.username) && password.equals(s.password) && caPem.equals(s.caPem)
        && policySource.equals(s.policySource) && policyJson.equals(s.policyJson);
  }

  @Override
  public int hashCode() {
    return Objects.hash(brokerUri, deviceId, fleet, username, password, caPem, policySource, policyJson);
  }

  /** Never prints the password. */
  @Override
  public String toString() {
    return "SampleSettings{" + (brokerUri.isEmpty() ? "no broker" : brokerUri) + ", device " + deviceId
        + ", fleet " + fleet + (username.isEmpty() ? "" : ", user " + username) + ", policy " + policySource + "}";
  }

  /** Builder for {@link SampleSettings}; every text defaults to empty, the policy to bundled. */
  public static final class Builder {
    private String brokerUri = "";
    private String deviceId = "";
    private String fleet = "default";
    private String username = "";
    private String password = "";
    private String caPem = "";
    private String policySource = POLICY_BUNDLED;
    private String policyJson = "";

    private Builder() {}

    public Builder brokerUri(String v) {
      brokerUri = Objects.requireNonNull(v, "brokerUri").trim();
      return this;
    }

    public Builder deviceId(String v) {
      deviceId = Objects.requireNonNull(v, "deviceId").trim();
      return this;
    }

    public Builder fleet(String v) {
      fleet = Objects.requireNonNull(v, "fleet").trim();
      return this;
    }

    public Builder username(String v) {
      username = Objects.requireNonNull(v, "username").trim();
      return this;
    }

    public Builder password(String v) {
      password = Objects.requireNonNull(v, "password");
      return this;
    }

    public Builder caPem(String v) {
      caPem = Objects.requireNonNull(v, "caPem").trim();
      return this;
    }

    public Builder policySource(String v) {
      policySource = Objects.requireNonNull(v, "policySource");
      return this;
    }

    public Builder policyJson(String v) {
      policyJson = Objects.requireNonNull(v, "policyJson").trim();
      return this;
    }

    /** @throws IllegalStateException naming the setting that is wrong and what it must be */
    public SampleSettings build() {
      if (!brokerUri.isEmpty() && !brokerUri.startsWith("ssl://") && !brokerUri.startsWith("tcp://")) {
        throw new IllegalStateException("broker URI must start with ssl:// (or tcp:// for a local test broker), was '"
            + brokerUri + "'");
      }
      if (deviceId.isEmpty() || deviceId.contains("/") || deviceId.contains("+") || deviceId.contains("#")) {
        throw new IllegalStateException("device id must be non-empty, without '/', '+' or '#', was '" + deviceId + "'");
      }
      if (fleet.isEmpty() || fleet.contains("/") || fleet.contains("+") || fleet.contains("#")) {
        throw new IllegalStateException("fleet must be non-empty, without '/', '+' or '#', was '" + fleet + "'");
      }
      if (!POLICY_BUNDLED.equals(policySource) && !POLICY_INLINE.equals(policySource)
          && !POLICY_BROKER.equals(policySource)) {
        throw new IllegalStateException("policy source must be '" + POLICY_BUNDLED + "', '" + POLICY_INLINE
            + "' or '" + POLICY_BROKER + "', was '" + policySource + "'");
      }
      if (POLICY_BROKER.equals(policySource) && brokerUri.isEmpty()) {
        throw new IllegalStateException("policy source 'broker' needs the broker URI");
      }
      if (POLICY_INLINE.equals(policySource) && policyJson.isEmpty()) {
        throw new IllegalStateException("policy source 'inline' needs the policy JSON");
      }
      if (!username.isEmpty() && password.isEmpty()) {
        throw new IllegalStateException("a broker user name needs its password");
      }
      return new SampleSettings(this);
    }
  }
}
