package dev.tandem.sample;

import android.content.Context;
import dev.tandem.runtime.CloudConnection;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.ProviderAttempt;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.signal.ClassificationScorer;
import dev.tandem.runtime.spool.Spool;
import dev.tandem.runtime.text.TextInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The sample's use of the runtime: the edge model on the first execution provider that takes it
 * (QNN, XNNPACK, CPU), its WordPiece tokenizer (the runtime's text front end), the policy, the
 * relay connection over MQTT (which also uploads the spool and, when the settings say so, follows
 * the fleet's policy), and the spool in the app's files directory. One per process ({@link EngineHolder}).
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

  private SampleEngine(Tandem tandem, ModelSession session, Spool spool, SampleSettings settings) {
    this.tandem = tandem;
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
    try {
      boolean cloud = !settings.brokerUri().isEmpty();
      Policy policy = SampleSettings.POLICY_INLINE.equals(settings.policySource())
          ? Policy.fromJson(settings.policyJson())
          : Policy.fromJson(read(bundledPolicy)); // following the fleet: until its newer one (or the last kept) applies
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
      if (cloud) {
        // The relay's broker also takes the spool's records (acknowledged by the collector) and,
        // with the policy source "broker", carries the fleet's retained policy.
        b.cloud(cloud(context, settings))
            .uploadRecords(true)
            .followPolicy(SampleSettings.POLICY_BROKER.equals(settings.policySource()));
      }
      return new SampleEngine(b.build(), session, spool, settings);
    } catch (RuntimeException | IOException e) {
      if (spool != null) {
        spool.close();
      }
      session.close();
      throw e;
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

  /**
   * Stops the runtime: the upload and the policy subscription, then decisions in flight, the relay
   * connection, the spool and the model.
   */
  @Override
  public void close() {
    tandem.close();
  }
}
