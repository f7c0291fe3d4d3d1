package dev.tandem.runtime.internal.fleet;

import dev.tandem.runtime.internal.capture.CaptureStore;
import dev.tandem.runtime.internal.capture.CaptureUploader;
import dev.tandem.runtime.internal.mqtt.MqttSession;
import dev.tandem.runtime.internal.protocol.Topics;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.spool.Spool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a {@code Tandem} built with {@code uploadRecords} or {@code followPolicy} runs beside its
 * offloader: one background MQTT connection (client id {@code {deviceId}-logs}, as the agent's)
 * carrying the spool's upload with the collector's ack protocol (and the captured inputs, when
 * capture is on), and the fleet's retained policy through a {@link PolicyGate} whose state (the
 * last good policy, the events log) lives in the spool's directory.
 */
public final class FleetConnection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetConnection.class);
  /** The note of the highest acknowledged sequence number, in the spool's directory (the agent's too). */
  public static final String UPLOADED = "uploaded.json";
  /** How often the upload looks for records, and rotates the spool's segment at most. */
  static final long UPLOAD_INTERVAL_MS = 5_000;

  private final MqttLink link;
  private final Spool spool;
  private final LogUploader uploader;
  private final CaptureUploader captureUploader;
  private final PolicyGate gate;

  private FleetConnection(MqttLink link, Spool spool, LogUploader uploader, CaptureUploader captureUploader,
      PolicyGate gate) {
    this.link = link;
    this.spool = spool;
    this.uploader = uploader;
    this.captureUploader = captureUploader;
    this.gate = gate;
  }

  /** What the connection is to carry, and for whom. */
  public static final class Plan {
    public MqttSession.Builder session;
    public Topics topics;
    public String deviceId;
    public String fleet;
    public String model;
    public Spool spool;
    /** The first sequence number this run hands out. */
    public long nextSeq;
    /** The highest sequence number known to be spooled or uploaded before this run, read before the run's first record. */
    public long maxKnownSeq;
    public boolean upload;
    /** Captured inputs to upload with the records, or null. */
    public CaptureStore captures;
    /** Non-null to follow the fleet's policy: the policy in force at start. */
    public Policy initialPolicy;
    public String edgeModelHash;
    public Function<Policy, Optional<String>> apply;
    public PolicyGate.Rejections rejections;
    public Clock clock;
  }

  /** Opens and starts the connection (it connects in the background). */
  public static FleetConnection open(Plan p) {
    MqttLink link = new MqttLink(p.session.name("fleet link " + p.deviceId));
    LogUploader uploader = null;
    CaptureUploader captureUploader = null;
    PolicyGate gate = null;
    try {
      if (p.initialPolicy != null) {
        gate = new PolicyGate(p.deviceId, p.edgeModelHash, p.initialPolicy, p.spool.directory(), p.apply,
            p.rejections, FleetMetrics.none(), p.clock, PolicyGate.DEFAULT_MAX_BYTES);
        PolicySubscriber.follow(link, p.topics.policy(p.fleet, p.model), gate, e -> log.error("policy subscription", e));
      }
      if (p.upload) {
        Path dir = p.spool.directory();
        uploader = new LogUploader(link, new SpoolUploadQueue(p.spool, UPLOAD_INTERVAL_MS), p.deviceId,
            p.topics.logs(p.deviceId), p.topics.logsAck(p.deviceId),
            new LogUploader.Settings().intervalMs(UPLOAD_INTERVAL_MS).onAck(seq -> noteUploaded(dir, seq)),
            FleetMetrics.none());
        if (p.nextSeq > p.maxKnownSeq + 1) {
          uploader.declareUnused(p.maxKnownSeq + 1, p.nextSeq - 1);
        }
        if (p.captures != null) {
          captureUploader = new CaptureUploader(link, p.captures, p.topics.prefix() + "/captures/" + p.deviceId,
              UPLOAD_INTERVAL_MS);
        }
      }
      link.start();
      return new FleetConnection(link, p.spool, uploader, captureUploader, gate);
    } catch (RuntimeException | Error e) {
      if (captureUploader != null) {
        captureUploader.close();
      }
      if (uploader != null) {
        uploader.close();
      }
      link.close();
      throw e;
    }
  }

  /**
   * The policy to start with when following the fleet's: the last good one kept in {@code dir}
   * if it is newer than {@code configured} and made for this edge model (or names none), else
   * {@code configured}.
   */
  public static Policy initialPolicy(Policy configured, Path dir, String edgeModelHash) {
    Path kept = dir.resolve(PolicyGate.LAST_GOOD);
    if (!Files.exists(kept)) {
      return configured;
    }
    try {
      if (Files.size(kept) > PolicyGate.DEFAULT_MAX_BYTES) {
        log.warn("ignoring last good policy {}: over the limit of {} bytes", kept, PolicyGate.DEFAULT_MAX_BYTES);
        return configured;
      }
      Policy p = Policy.fromJson(new String(Files.readAllBytes(kept), StandardCharsets.UTF_8));
      boolean fits = p.edgeModelHash().isEmpty() || p.edgeModelHash().equalsIgnoreCase(edgeModelHash);
      return fits && p.version() > configured.version() ? p : configured;
    } catch (IOException | RuntimeException e) {
      log.warn("ignoring unreadable last good policy {}: {}", kept, e.toString());
      return configured;
    }
  }

  /** The highest sequence number known from the note of acknowledged uploads in {@code dir}, or 0. */
  public static long uploadedSeq(Path dir) {
    Path f = dir.resolve(UPLOADED);
    try {
      if (!Files.exists(f)) {
        return 0;
      }
      String s = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
      return com.google.gson.JsonParser.parseString(s).getAsJsonObject().get("max_acked_seq").getAsLong();
    } catch (IOException | RuntimeException e) {
      return 0; // a stale or unreadable note only widens the declared range; see docs/log-store.md
    }
  }

  /** Notes in {@code dir} that records up to {@code seq} were acknowledged; a lower number than the one noted is ignored. */
  public static void noteUploaded(Path dir, long seq) {
    if (seq <= uploadedSeq(dir)) {
      return;
    }
    Path tmp = dir.resolve(UPLOADED + ".tmp");
    try {
      Files.write(tmp, ("{\"max_acked_seq\":" + seq + "}\n").getBytes(StandardCharsets.UTF_8));
      Files.move(tmp, dir.resolve(UPLOADED), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.debug("cannot note the uploaded sequence: {}", e.toString()); // only a hint, see above
    }
  }

  /** Wakes the upload (a record was spooled). Cheap. */
  public void nudge() {
    if (uploader != null) {
      uploader.nudge();
    }
  }

  /** Whether the connection is up and subscribed. */
  public boolean ready() {
    return link.ready();
  }

  /**
   * Waits until the collector has acknowledged every record spooled before the call, or the
   * time is up; false at once when uploads are off.
   */
  public boolean awaitUploaded(long timeout, TimeUnit unit) throws InterruptedException {
    if (uploader == null) {
      return false;
    }
    spool.flush();
    spool.rotate();
    Set<Path> pending = new HashSet<>(spool.closedSegments());
    long until = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      pending.retainAll(new HashSet<>(spool.closedSegments()));
      if (pending.isEmpty()) {
        return true;
      }
      if (System.nanoTime() >= until) {
        return false;
      }
      uploader.nudge();
      Thread.sleep(50);
    }
  }

  /** Stops the policy subscription and the upload (what is not acknowledged stays in the spool), then the connection. */
  @Override
  public void close() {
    if (captureUploader != null) {
      captureUploader.close();
    }
    if (uploader != null) {
      uploader.close();
    }
    link.close();
  }
}
