package dev.tandem.runtime.internal.fleet;

import com.google.gson.JsonObject;
import dev.tandem.runtime.policy.InvalidPolicyException;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.record.PolicyEventRecord;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a policy that arrives (from the fleet's retained topic, or a file) replaces
 * the one in force. A policy is applied only if it validates, its version is newer than the
 * current one, it was made for this device's edge model (its {@code edge_model_hash} equals
 * the model's SHA-256, or names no model), and its canary includes this device: the runtime's
 * own {@code Policy.rejection}. Otherwise the last good policy stays, and the rejection is recorded:
 * logged, counted in {@code tandem_agent_policy_rejections_total{reason}}, written to the spool as
 * a {@code policy_event} record (applications too), and appended to {@code policy-events.jsonl} in the state directory, which also keeps the last good policy
 * ({@code policy.json}) so a restart without a broker starts from it.
 *
 * <p>The same version arriving again (a retained message redelivered on reconnect) is not a
 * rejection: it is ignored. Thread-safe.
 */
public final class PolicyGate {
  private static final Logger log = LoggerFactory.getLogger(PolicyGate.class);
  /** The file holding the last applied policy. */
  public static final String LAST_GOOD = "policy.json";
  /** The JSON-lines log of applied and rejected policies. */
  public static final String EVENTS = "policy-events.jsonl";
  /** The default size limit of a policy, in bytes (a policy is a few hundred). */
  public static final int DEFAULT_MAX_BYTES = 256 * 1024;

  /** What {@link #offer} did. */
  public enum Outcome {
    APPLIED("applied"),
    SAME_VERSION("same_version"),
    INVALID("invalid"),
    TOO_LARGE("too_large"),
    OLDER_VERSION("older_version"),
    OTHER_EDGE_MODEL("other_edge_model"),
    NOT_IN_CANARY("not_in_canary");

    private final String jsonName;

    Outcome(String jsonName) {
      this.jsonName = jsonName;
    }

    public String jsonName() {
      return jsonName;
    }
  }

  private final String deviceId;
  private final String edgeModelHash;
  private final Path stateDir;
  private final Function<Policy, Optional<String>> apply;
  private final Rejections rejections;
  private final FleetMetrics metrics;
  private final Clock clock;
  private final int maxBytes;
  private Policy current;

  /**
   * @param initial the policy in force at start (already applied by the caller)
   * @param apply applies a policy that passed the checks, under this gate's lock; returns the
   *     runtime's rejection (the runtime checks again), or empty when applied
   */
  public PolicyGate(String deviceId, String edgeModelHash, Policy initial, Path stateDir,
      Function<Policy, Optional<String>> apply, FleetMetrics metrics, Clock clock) {
    this(deviceId, edgeModelHash, initial, stateDir, apply, metrics, clock,
        DEFAULT_MAX_BYTES);
  }

  /** As above; a policy over {@code maxBytes} is rejected {@code too_large} before it is parsed. */
  public PolicyGate(String deviceId, String edgeModelHash, Policy initial, Path stateDir,
      Function<Policy, Optional<String>> apply, FleetMetrics metrics, Clock clock, int maxBytes) {
    this(deviceId, edgeModelHash, initial, stateDir, apply, Rejections.none(), metrics, clock, maxBytes);
  }

  /**
   * As above; {@code rejections} records what this gate rejects itself (before the runtime sees
   * it) as a {@code policy_event} record ({@code Tandem::recordPolicyRejected}). The runtime
   * records what it applies or rejects.
   */
  public PolicyGate(String deviceId, String edgeModelHash, Policy initial, Path stateDir,
      Function<Policy, Optional<String>> apply, Rejections rejections, FleetMetrics metrics, Clock clock,
      int maxBytes) {
    this.rejections = rejections;
    this.maxBytes = maxBytes;
    this.deviceId = deviceId;
    this.edgeModelHash = edgeModelHash;
    this.stateDir = stateDir;
    this.apply = apply;
    this.metrics = metrics;
    this.clock = clock;
    this.current = initial;
    metrics.describe("tandem_agent_policy_rejections_total", "Policies rejected, by reason");
    metrics.gauge("tandem_agent_policy_version", "Version of the policy in force", this::currentVersion);
  }

  /**
   * Reads the policy to start with: the last good one kept in {@code stateDir} if it is newer than
   * the configured file's, else the file's. Both must be for this edge model (or name none).
   *
   * @throws IllegalStateException when neither exists or the one chosen does not fit the model
   */
  public static Policy initial(Optional<Path> file, Path stateDir, String edgeModelHash) throws IOException {
    return initial(file, stateDir, edgeModelHash, DEFAULT_MAX_BYTES);
  }

  /** As above; a file over {@code maxBytes} is refused (the configured one) or ignored (the kept one). */
  public static Policy initial(Optional<Path> file, Path stateDir, String edgeModelHash, int maxBytes)
      throws IOException {
    Policy fromFile = null;
    if (file.isPresent()) {
      long size = Files.size(file.get());
      if (size > maxBytes) {
        throw new IllegalStateException("policy file " + file.get() + " is " + size + " bytes, over the limit of "
            + maxBytes + " (policy.max_bytes)");
      }
      try {
        fromFile = Policy.fromJson(new String(Files.readAllBytes(file.get()), StandardCharsets.UTF_8));
      } catch (InvalidPolicyException e) {
        throw new IllegalStateException("policy file " + file.get() + ": " + e.getMessage(), e);
      }
    }
    Policy kept = null;
    Path lastGood = stateDir.resolve(LAST_GOOD);
    if (Files.exists(lastGood) && Files.size(lastGood) > maxBytes) {
      log.warn("ignoring last good policy {}: {} bytes, over the limit of {}", lastGood, Files.size(lastGood), maxBytes);
    } else if (Files.exists(lastGood)) {
      try {
        kept = Policy.fromJson(new String(Files.readAllBytes(lastGood), StandardCharsets.UTF_8));
      } catch (InvalidPolicyException e) {
        log.warn("ignoring unreadable last good policy {}: {}", lastGood, e.getMessage());
      }
    }
    Policy chosen = kept != null && (fromFile == null || kept.version() > fromFile.version()) ? kept : fromFile;
    if (chosen == null) {
      throw new IllegalStateException("no policy to start with: configure policy.file (the fleet's"
          + " policy topic is only followed once running)");
    }
    if (!chosen.edgeModelHash().isEmpty() && !chosen.edgeModelHash().equals(edgeModelHash)) {
      throw new IllegalStateException("policy version " + chosen.version() + " was made for edge model "
          + chosen.edgeModelHash() + ", but the configured model is " + edgeModelHash);
    }
    return chosen;
  }

  public synchronized Policy current() {
    return current;
  }

  private synchronized long currentVersion() {
    return current.version();
  }

  /**
   * Considers one policy payload as it came off the wire: one over the size limit is rejected
   * {@code too_large} (counted, logged, recorded as an event) without being decoded.
   */
  public Outcome offer(byte[] payload, String source) {
    if (payload.length > maxBytes) {
      synchronized (this) {
        return rejectHere(Outcome.TOO_LARGE, -1, "", "too_large: policy of " + payload.length
            + " bytes, over the limit of " + maxBytes + " (policy.max_bytes)", source);
      }
    }
    return offer(new String(payload, StandardCharsets.UTF_8), source);
  }

  /** Considers one policy document; returns what was done with it. Never throws for bad input. */
  public synchronized Outcome offer(String json, String source) {
    if (json.length() > maxBytes) { // chars <= bytes: a cheap first check
      return rejectHere(Outcome.TOO_LARGE, -1, "", "too_large: policy of " + json.length()
          + " characters, over the limit of " + maxBytes + " bytes (policy.max_bytes)", source);
    }
    Policy p;
    try {
      p = Policy.fromJson(json);
    } catch (InvalidPolicyException e) {
      return rejectHere(Outcome.INVALID, -1, "", "invalid: " + e.getMessage(), source);
    } catch (RuntimeException e) {
      return rejectHere(Outcome.INVALID, -1, "", "invalid: " + e.getMessage(), source);
    }
    if (p.version() == current.version() && p.equals(current)) {
      return Outcome.SAME_VERSION;
    }
    // The runtime's own rule (newer, this edge model, inside the canary), so the gate and the
    // facade never disagree.
    Optional<String> why = current.rejection(p, deviceId, edgeModelHash);
    if (why.isPresent()) {
      return rejectHere(outcomeOf(why.get()), p.version(), PolicyEventRecord.contentHash(p), why.get(), source);
    }
    why = apply.apply(p); // the runtime records a policy_event either way
    if (why.isPresent()) {
      return reject(outcomeOf(why.get()), p.version(), why.get(), source);
    }
    Policy previous = current;
    current = p;
    event(Outcome.APPLIED, p.version(), "replaces version " + previous.version(), source);
    try {
      writeDurably(stateDir.resolve(LAST_GOOD), p.toJson());
    } catch (IOException e) {
      log.warn("policy {} applied but not saved as last good: {}", p.version(), e.toString());
    }
    log.info("applied policy version {} from {}", p.version(), source);
    return Outcome.APPLIED;
  }

  private Outcome rejectHere(Outcome outcome, long version, String policyHash, String why, String source) {
    try {
      rejections.record(version, policyHash, why);
    } catch (RuntimeException e) {
      log.warn("cannot record the rejected policy as a policy_event: {}", e.toString());
    }
    return reject(outcome, version, why, source);
  }

  /** Records a policy the gate rejected before offering it to the runtime. */
  @FunctionalInterface
  public interface Rejections {
    /**
     * @param version the policy's version, -1 when unreadable
     * @param policyHash its content hash, "" when it did not parse
     * @param why {@code reason: detail}
     */
    void record(long version, String policyHash, String why);

    /** Records nothing. */
    static Rejections none() {
      return (v, h, w) -> { };
    }
  }

  private static Outcome outcomeOf(String rejection) {
    for (Outcome o : Outcome.values()) {
      if (rejection.startsWith(o.jsonName() + ":")) {
        return o;
      }
    }
    return Outcome.INVALID;
  }

  private Outcome reject(Outcome why, long version, String message, String source) {
    metrics.inc("tandem_agent_policy_rejections_total", "reason", why.jsonName());
    log.warn("rejected policy{} from {}: {}; keeping version {}",
        version >= 0 ? " version " + version : "", source, message, current.version());
    event(why, version, message, source);
    return why;
  }

  private void event(Outcome outcome, long version, String message, String source) {
    JsonObject o = new JsonObject();
    o.addProperty("time_ms", clock.millis());
    o.addProperty("outcome", outcome.jsonName());
    o.addProperty("version", version);
    o.addProperty("in_force", current.version());
    o.addProperty("source", source);
    o.addProperty("message", message);
    try {
      Files.createDirectories(stateDir);
      Files.write(stateDir.resolve(EVENTS), (o + "\n").getBytes(StandardCharsets.UTF_8),
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // A full disk must not stop a policy from being applied or rejected: the log and the
      // metric still say what happened.
      log.warn("cannot append a policy event to {}: {}", stateDir.resolve(EVENTS), e.toString());
    }
  }

  static void writeDurably(Path target, String text) throws IOException {
    Files.createDirectories(target.getParent());
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
