package dev.tandem.agent.simulate;

import dev.tandem.agent.http.AgentMetrics;
import dev.tandem.runtime.internal.fleet.PolicyGate;
import dev.tandem.runtime.internal.fleet.PolicySubscriber;
import dev.tandem.runtime.internal.fleet.LogUploader;
import dev.tandem.runtime.internal.fleet.MqttLink;
import dev.tandem.runtime.internal.fleet.SpoolUploadQueue;
import dev.tandem.runtime.CloudConnection;
import dev.tandem.runtime.Decision;
import dev.tandem.runtime.Tandem;
import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.device.DeviceState;
import dev.tandem.runtime.device.DeviceStateProvider;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.spool.FsyncPolicy;
import dev.tandem.runtime.spool.Spool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Random;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * One virtual device: its own policy state, spool, sequence numbers, MQTT offload connection
 * and log-upload connection (both through its own {@link LinkProxy}), on the fleet's shared
 * edge session. It is wired like a real agent: the runtime's {@link Tandem} facade and
 * {@link CloudConnection}, and the agent's {@link LogUploader} over a {@link SpoolUploadQueue}.
 * {@link #decide} is called from the device's own thread; {@link #close()} is idempotent.
 */
final class SimulatedDevice implements AutoCloseable {
  private final String id;
  private final DeviceProfile deviceProfile;
  private final LinkProxy proxy;
  private final Spool spool;
  private final MqttLink link;
  private final LogUploader uploader;
  private final Tandem tandem;
  private final FleetStats stats;
  private boolean closed;

  /** Settings shared by a fleet's devices. */
  static final class Setup {
    String model;
    String fleet;
    Policy policy;
    Prices prices;
    ModelSession session;
    InetSocketAddress broker;
    Topics topics = Topics.defaults();
    boolean upload = true;
    long uploadIntervalMs = 1000;
    int maxConcurrentOffloads = 8;
    /** Follow the fleet's retained policy topic (on the log connection) and apply what passes the checks. */
    boolean followPolicy;
    /** How devices take text; null for a data set of tensors. */
    TextInputs textInputs;
    String edgeModelHash = "";
    Executor executor;
    ScheduledExecutorService proxyScheduler;
    FleetStats stats;
  }

  SimulatedDevice(String id, DeviceProfile dp, NetworkProfile np, long seed, long phaseMs, Path dir, Setup s)
      throws IOException, MqttException {
    this.id = id;
    this.deviceProfile = dp;
    this.stats = s.stats;
    Files.createDirectories(dir);
    LinkProxy p = null;
    Spool sp = null;
    MqttLink l = null;
    LogUploader u = null;
    try {
      p = new LinkProxy(s.broker, np, phaseMs, seed, s.proxyScheduler);
      // fsync once a second: 200 devices syncing every record would measure the disk, not the fleet
      sp = Spool.builder(dir).maxSegmentBytes(256 * 1024).fsync(FsyncPolicy.interval(1000)).build();
      if (s.upload) {
        l = new MqttLink(p.url(), id + "-logs", null, null, null);
        u = new LogUploader(l, new SpoolUploadQueue(sp, s.uploadIntervalMs), id, s.topics.logs(id),
            s.topics.logsAck(id), new LogUploader.Settings().intervalMs(s.uploadIntervalMs).ackTimeoutMs(5000)
                .backoff(200, 2000), new AgentMetrics());
      }
      CloudConnection cloud = CloudConnection.builder().serverUri(p.url()).topicPrefix(s.topics.prefix())
          .maxConcurrentOffloads(s.maxConcurrentOffloads).reconnectDelayMs(100, 2000).operationTimeoutMs(5000)
          .build();
      Prices prices = withPower(s.prices, dp.powerWatts());
      DeviceState state = DeviceState.builder().networkType(np.type()).metered(np.metered())
          .deviceClass(dp.deviceClass()).build();
      String netName = np.name();
      String devName = dp.name();
      LogUploader up = u;
      FleetStats st = s.stats;
      Tandem.Builder tb = EdgeTimeScale.apply(Tandem.builder(), dp.timeScale());
      if (s.textInputs != null) {
        s.textInputs.applyTo(tb);
      }
      this.tandem = tb.edgeSession(s.session).model(s.model)
          .deviceId(id).fleet(s.fleet).policy(s.policy).cloud(cloud).spool(sp).prices(prices)
          .deviceState(DeviceStateProvider.fixed(state)).random(new Random(seed)).executor(s.executor)
          .recordListener(r -> {
            st.record(r, netName, devName);
            if (up != null) {
              up.nudge();
            }
          })
          .build();
      if (l != null) {
        if (s.followPolicy) {
          Tandem t = this.tandem;
          PolicyGate gate = new PolicyGate(id, s.edgeModelHash, s.policy, dir, t::updatePolicy,
              t::recordPolicyRejected, new AgentMetrics(), Clock.systemUTC(),
              dev.tandem.agent.config.AgentConfig.PolicySource.DEFAULT_MAX_POLICY_BYTES);
          PolicySubscriber.follow(l, s.topics.policy(s.fleet, s.model), gate);
        }
        l.start();
      }
    } catch (IOException | MqttException | RuntimeException e) {
      if (u != null) {
        u.close();
      }
      if (l != null) {
        l.close();
      }
      if (sp != null) {
        sp.close();
      }
      if (p != null) {
        p.close();
      }
      throw e;
    }
    this.proxy = p;
    this.spool = sp;
    this.link = l;
    this.uploader = u;
    s.stats.device(np.name(), dp.name());
  }

  /** The same prices with this device's power draw. */
  private static Prices withPower(Prices base, double watts) {
    com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(base.toJson()).getAsJsonObject();
    o.addProperty("device_power_watts", watts);
    return Prices.fromJson(o.toString());
  }

  String id() {
    return id;
  }

  DeviceProfile deviceProfile() {
    return deviceProfile;
  }

  LinkProxy proxy() {
    return proxy;
  }

  /** The version of the policy in force on this device. */
  long policyVersion() {
    return tandem.policy().version();
  }

  /** Waits until the offload connection is up; false on timeout. */
  boolean awaitConnected(long timeoutMs) throws InterruptedException {
    return tandem.awaitCloud(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Decides one input (a text through the runtime's text front end, which gives the cloud its own
   * input when it has one) and, when it has a label and {@code feedback} is on, reports it.
   */
  void decide(DataSet.Item item, boolean feedback) {
    Decision d;
    try {
      d = item.text().isPresent() ? tandem.infer(item.text().get()) : tandem.infer(item.tensors());
    } catch (RuntimeException e) {
      stats.error(e);
      return;
    }
    stats.truth(d.id(), item.label());
    if (feedback && item.label() >= 0) {
      tandem.feedback(d.id(), item.label());
      stats.feedbackSent();
    }
  }

  /** Whether every record has been acknowledged by the collector (or uploads are off). */
  boolean uploaded() {
    if (uploader == null) {
      return true;
    }
    spool.flush();
    return spool.closedSegments().isEmpty() && spool.sizeBytes() == 0;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // The uploader first (what is not acked stays in the spool), then the runtime, which closes
    // the spool; the fleet closes the shared session's last user after every device.
    if (uploader != null) {
      uploader.close();
    }
    if (link != null) {
      link.close();
    }
    tandem.close();
    proxy.close();
  }
}
