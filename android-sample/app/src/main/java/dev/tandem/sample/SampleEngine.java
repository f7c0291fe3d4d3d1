package dev.tandem.sample;

import android.content.Context;
import dev.tandem.runtime.CloudConnection;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.internal.fleet.FleetMetrics;
import dev.tandem.runtime.internal.fleet.MqttLink;
import dev.tandem.runtime.internal.fleet.PolicyGate;
import dev.tandem.runtime.internal.fleet.PolicySubscriber;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.ProviderAttempt;
import dev.tandem.runtime.internal.mqtt.MqttSockets;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.signal.ClassificationScorer;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.text.TextInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * The sample's use of the runtime: the edge model on the first execution provider that takes it
 * (QNN, XNNPACK, CPU), its WordPiece tokenizer (the runtime's text front end), the policy, the
 * relay connection over MQTT, and the spool in the app's files directory. One per process ({@link EngineHolder}).
 *
 * <p>Thread-safe: {@link #classify} may be called from any thread but the main one (it runs the
 * model, and waits for the relay when the policy offloads).
 */
public final class SampleEngine implements AutoCloseable {
  /** The relay's name for the model (the reference workload's spam filter). */
  public static final String MODEL = "spam";
  /** The relay's and collector's topic prefix (docs/protocol.md). */
  public static final String TOPIC_PREFIX = "tandem/v1";
  /** Tokens per message on the device (WORKLOAD.md: a realistic on-device budget). */
  public static final int MAX_TOKENS = 128;
  /**
   * Execution providers in order of preference. QNN is in {@code onnxruntime-android-qnn} only
   * (Qualcomm NPUs); XNNPACK is in {@code onnxruntime-android}; the CPU always works. NNAPI is
   * deprecated from Android 15 and not asked for.
   */
  public static final List<ExecutionProvider> PROVIDERS = Collections.unmodifiableList(
      Arrays.asList(ExecutionProvider.QNN, ExecutionProvider.XNNPACK, ExecutionProvider.CPU));

  private final Tandem tandem;
  private final ExecutionProvider activeProvider;
  private final List<ProviderAttempt> providerAttempts;
  private final Spool spool;
  private final SampleSettings settings;
  private final MqttLink policyLink;
  private final PolicyGate policyGate;

  private SampleEngine(Tandem tandem, ModelSession session, Spool spool, SampleSettings settings,
      MqttLink policyLink, PolicyGate policyGate) {
    this.tandem = tandem;
    this.policyLink = policyLink;
    this.policyGate = policyGate;
    this.activeProvider = session.activeProvider();
    this.providerAttempts = session.providerAttempts();
    this.spool = spool;
    this.settings = settings;
  }

  /**
   * Loads the edge model and starts the runtime (connecting to the relay in the background).
   *
   * @throws IOException if an asset is missing or cannot be read
   * @throws dev.tandem.runtime.policy.InvalidPolicyException if the policy is not valid
   * @throws dev.tandem.runtime.model.ModelLoadException if no provider can load the model
   */
  public static SampleEngine open(Context context, SampleSettings settings, DeviceStateProvider deviceState)
      throws IOException {
    TextInput text = TextInput.fromFile(SampleFiles.file(context, SampleFiles.TOKENIZER), MAX_TOKENS);
    Path bundledPolicy = SampleFiles.file(context, SampleFiles.POLICY);
    Prices prices = Prices.fromJson(read(SampleFiles.file(context, SampleFiles.PRICES)));
    Path model = SampleFiles.file(context, SampleFiles.EDGE_MODEL);
    // Strict: a provider that cannot take the whole graph fails and the next is tried, so the
    // provider shown is the one that runs the model, not one that left most of it to the CPU.
    ModelSession session = ModelSession.builder().path(model).providers(PROVIDERS).strict(true).build();
    Spool spool = null;
    MqttLink link = null;
    try {
      boolean follow = SampleSettings.POLICY_BROKER.equals(settings.policySource());
      Path policyState = SampleFiles.root(context).resolve("policy");
      String hash = session.info().sha256();
      Policy policy;
      if (SampleSettings.POLICY_INLINE.equals(settings.policySource())) {
        policy = Policy.fromJson(settings.policyJson());
      } else if (follow) {
        policy = PolicyGate.initial(Optional.of(bundledPolicy), policyState, hash); // or the last good one
      } else {
        policy = Policy.fromJson(read(bundledPolicy));
      }
      spool = Spool.builder(SampleFiles.spoolDir(context)).build();
      Tandem.Builder b = Tandem.builder()
          .edgeSession(session)
          .textInput(text)
          .scorer(ClassificationScorer.firstOutput())
          .model(MODEL)
          .deviceId(settings.deviceId())
          .fleet(settings.fleet())
          .policy(policy)
          .prices(prices)
          .deviceState(deviceState)
          .spool(spool);
      if (!settings.brokerUri().isEmpty()) {
        b.cloud(cloud(context, settings));
      }
      Tandem tandem = b.build();
      PolicyGate gate = null;
      if (follow) {
        try {
          link = fleetLink(context, settings, "-policy");
          gate = new PolicyGate(settings.deviceId(), hash, policy, policyState, tandem::updatePolicy,
              FleetMetrics.none(), Clock.systemUTC());
          PolicySubscriber.follow(link, TOPIC_PREFIX + "/policy/" + settings.fleet() + "/" + MODEL, gate);
          link.start();
        } catch (RuntimeException | IOException e) {
          tandem.close(); // closes the spool and the model; closing them again below is harmless
          throw e;
        }
      }
      return new SampleEngine(tandem, session, spool, settings, link, gate);
    } catch (RuntimeException | IOException e) {
      if (link != null) {
        link.close();
      }
      if (spool != null) {
        spool.close();
      }
      session.close();
      throw e;
    }
  }

  /**
   * A background connection for fleet traffic (policy, log upload) to the settings' broker, with
   * its TLS and credentials, not yet started; client id {@code deviceId + suffix}.
   */
  static MqttLink fleetLink(Context context, SampleSettings s, String suffix) throws IOException {
    javax.net.SocketFactory sockets = s.brokerUri().startsWith("ssl://")
        ? MqttSockets.tls(caFile(context, s), null, null) : MqttSockets.noDelay();
    try {
      return new MqttLink(s.brokerUri(), s.deviceId() + suffix, s.username().isEmpty() ? null : s.username(),
          s.password().toCharArray(), sockets);
    } catch (MqttException e) {
      throw new IOException("broker URI '" + s.brokerUri() + "': " + e.getMessage(), e);
    }
  }

  /** The relay connection the settings describe (TLS for {@code ssl://}). */
  static CloudConnection cloud(Context context, SampleSettings s) throws IOException {
    CloudConnection.Builder c = CloudConnection.builder().serverUri(s.brokerUri());
    if (s.brokerUri().startsWith("ssl://")) {
      Path ca = caFile(context, s);
      if (ca != null) {
        c.tls(ca);
      } else {
        c.sslSocketFactory((javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault());
      }
    }
    if (!s.username().isEmpty()) {
      c.credentials(s.username(), s.password().toCharArray());
    }
    return c.build();
  }

  /** The CA PEM of the settings as a private file, or null for the platform's trust store. */
  static Path caFile(Context context, SampleSettings s) throws IOException {
    if (s.caPem().isEmpty()) {
      return null;
    }
    Path ca = SampleFiles.root(context).resolve("broker-ca.pem");
    Files.write(ca, s.caPem().getBytes(StandardCharsets.UTF_8));
    return ca;
  }

  private static String read(Path p) throws IOException {
    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
  }

  /** Classifies one message: tokenizes it, runs the edge model, and lets the policy route it. */
  public Decision classify(String text) {
    return tandem.infer(text);
  }

  /** The execution provider the edge model runs on (all of it: the session is strict). */
  public ExecutionProvider activeProvider() {
    return activeProvider;
  }

  /** Every provider tried, in order, with why each one before the active one failed. */
  public List<ProviderAttempt> providerAttempts() {
    return providerAttempts;
  }

  /** Whether the relay's broker is reachable now. */
  public boolean cloudAvailable() {
    return tandem.cloudAvailable();
  }

  /** The spool the decisions are written to (the upload job reads it). */
  public Spool spool() {
    return spool;
  }

  public SampleSettings settings() {
    return settings;
  }

  /** The runtime, for what the sample does not wrap. */
  public Tandem tandem() {
    return tandem;
  }

  /** The policy in force (the fleet's newest valid one when the source is the broker). */
  public Policy policy() {
    return tandem.policy();
  }

  /** The gate that checks the fleet's policies; empty unless the policy source is the broker. */
  public Optional<PolicyGate> policyGate() {
    return Optional.ofNullable(policyGate);
  }

  /**
   * Stops the runtime: the policy subscription, then decisions in flight, the relay connection,
   * the spool and the model.
   */
  @Override
  public void close() {
    if (policyLink != null) {
      policyLink.close();
    }
    tandem.close();
  }
}
