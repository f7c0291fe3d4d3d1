package dev.tandem.agent.simulate;

import dev.tandem.runtime.cost.Prices;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.policy.Policy;
import dev.tandem.runtime.policy.Route;
import dev.tandem.runtime.internal.protocol.Topics;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fleet of virtual devices in one process, replaying a data set against a real broker, relay
 * and collector. Every device has its own {@link SimulatedDevice} (policy state, spool,
 * sequence, MQTT connections through its own {@link LinkProxy}); all share one edge
 * {@link ModelSession}, since ONNX Runtime's {@code run} is thread-safe and N runtimes on a few
 * cores would measure contention rather than devices. A device's compute speed is modelled by
 * stretching each run (see {@link DeviceProfile}).
 *
 * <p>Each device runs on its own thread and draws its inputs at random from the data set, with
 * exponential gaps between them (a Poisson process at {@code ratePerDevice}); a device that
 * falls behind (a slow edge, a long offload) skips ahead instead of bursting. When the
 * duration is over, the fleet waits for decisions in flight, then for every spool to be
 * acknowledged by the collector (up to {@code drainTimeoutMs}), then closes the devices.
 *
 * <p>{@link #run()} blocks for the duration; seeded runs assign the same profiles and draw the
 * same inputs (timing, and so routes, still depend on the machine).
 */
public final class FleetSimulation {
  private static final Logger log = LoggerFactory.getLogger(FleetSimulation.class);

  private final Options o;
  private final FleetStats stats = new FleetStats();
  private volatile boolean stopRequested;

  /** What a run did. */
  public static final class Result {
    private final FleetStats stats;
    private final double seconds;
    private final int devices;
    private final int notDrained;
    private final long connectionsRefused;
    private final long connectionsDropped;

    Result(FleetStats stats, double seconds, int devices, int notDrained, long refused, long dropped) {
      this.stats = stats;
      this.seconds = seconds;
      this.devices = devices;
      this.notDrained = notDrained;
      this.connectionsRefused = refused;
      this.connectionsDropped = dropped;
    }

    public FleetStats stats() {
      return stats;
    }

    /** Seconds the devices were deciding. */
    public double seconds() {
      return seconds;
    }

    public int devices() {
      return devices;
    }

    /** Devices whose spool was not fully acknowledged by the end of the drain. */
    public int notDrained() {
      return notDrained;
    }

    /** Connections the proxies refused, and open ones they dropped, in offline windows. */
    public long connectionsRefused() {
      return connectionsRefused;
    }

    public long connectionsDropped() {
      return connectionsDropped;
    }

    /** The summary table. */
    public String summary() {
      return String.format(Locale.ROOT, "%d devices; spools not drained: %d; offline windows refused %d and"
          + " dropped %d connections%n", devices, notDrained, connectionsRefused, connectionsDropped)
          + stats.summary(seconds);
    }
  }

  /** Settings of a run; {@code edgeModel}, {@code brokerUrl}, {@code dataSet}, {@code policy} and {@code workDir} are required. */
  public static final class Options {
    Path edgeModel;
    String modelName = "tiny";
    String brokerUrl;
    DataSet dataSet;
    Policy policy;
    Prices prices = Prices.none();
    Path workDir;
    int devices = 10;
    long durationMs = 10_000;
    double ratePerDevice = 1.0;
    Mix networkMix = Mix.parse("--network-mix", "wifi=0.5,4g=0.3,3g=0.1,4g-flaky=0.1");
    Mix deviceMix = Mix.parse("--device-mix", "flagship=0.3,midrange=0.5,lowend=0.2");
    java.util.Map<String, NetworkProfile> networkProfiles = new java.util.HashMap<>();
    long seed = 1;
    String fleet = "sim";
    String devicePrefix = "sim-";
    Topics topics = Topics.defaults();
    boolean upload = true;
    boolean feedback = true;
    double feedbackShare = 1.0;
    int replayMessages;
    boolean followPolicy;
    long awaitPolicyVersion;
    int intraOpThreads = 1;
    long drainTimeoutMs = 60_000;
    PrintStream progress;

    public Options edgeModel(Path v) {
      edgeModel = v;
      return this;
    }

    /** The model's name at the relay (default {@code tiny}). */
    public Options modelName(String v) {
      modelName = v;
      return this;
    }

    /** The broker, {@code tcp://host:port}. */
    public Options brokerUrl(String v) {
      brokerUrl = v;
      return this;
    }

    public Options dataSet(DataSet v) {
      dataSet = v;
      return this;
    }

    public Options policy(Policy v) {
      policy = v;
      return this;
    }

    /** Base prices; each device's power draw comes from its profile. */
    public Options prices(Prices v) {
      prices = Objects.requireNonNull(v, "prices");
      return this;
    }

    /** Where the devices' spools go, one folder per device. */
    public Options workDir(Path v) {
      workDir = v;
      return this;
    }

    public Options devices(int v) {
      devices = v;
      return this;
    }

    public Options durationMs(long v) {
      durationMs = v;
      return this;
    }

    /** Inputs per second per device (mean of a Poisson process). */
    public Options ratePerDevice(double v) {
      ratePerDevice = v;
      return this;
    }

    public Options networkMix(Mix v) {
      networkMix = Objects.requireNonNull(v, "networkMix");
      return this;
    }

    public Options deviceMix(Mix v) {
      deviceMix = Objects.requireNonNull(v, "deviceMix");
      return this;
    }

    /** A network profile usable in the mix besides the built-in ones (tests, custom links). */
    public Options networkProfile(NetworkProfile p) {
      networkProfiles.put(p.name(), p);
      return this;
    }

    public Options seed(long v) {
      seed = v;
      return this;
    }

    public Options fleet(String v) {
      fleet = v;
      return this;
    }

    /** Device ids are this prefix and a four-digit number; make it unique per run so the store keeps every run. */
    public Options devicePrefix(String v) {
      devicePrefix = v;
      return this;
    }

    public Options topics(Topics v) {
      topics = Objects.requireNonNull(v, "topics");
      return this;
    }

    /** Whether devices upload their spools to the collector (default on). */
    public Options upload(boolean v) {
      upload = v;
      return this;
    }

    /** Whether devices report the data set's labels as feedback (default on). */
    public Options feedback(boolean v) {
      feedback = v;
      return this;
    }

    /** The share of labelled decisions whose label a device reports (default 1: all). */
    public Options feedbackShare(double v) {
      feedbackShare = v;
      return this;
    }

    /**
     * Replays the data set's first {@code messages} items in order (again from the start when
     * it has fewer), each decided once by whichever device is free next, instead of drawing at
     * random for the duration; the run ends when all are decided, or at the duration at the
     * latest. 0 (the default) draws at random.
     */
    public Options replay(int messages) {
      replayMessages = messages;
      return this;
    }

    /**
     * Whether each device follows the fleet's retained policy topic, as an agent does, and
     * applies a newer policy made for its edge model (default off).
     */
    public Options followPolicy(boolean v) {
      followPolicy = v;
      return this;
    }

    /**
     * With {@link #followPolicy}: before deciding, wait (up to 30 s) until every device applied a
     * policy of at least this version from the fleet's topic (default 0: no wait).
     */
    public Options awaitPolicyVersion(long v) {
      awaitPolicyVersion = v;
      return this;
    }

    /** ONNX Runtime intra-op threads of the shared session (default 1). */
    public Options intraOpThreads(int v) {
      intraOpThreads = v;
      return this;
    }

    public Options drainTimeoutMs(long v) {
      drainTimeoutMs = v;
      return this;
    }

    /** Where the progress bar goes; none by default. */
    public Options progress(PrintStream v) {
      progress = v;
      return this;
    }

    void check() {
      require(edgeModel != null, "edgeModel (--model) is required");
      require(brokerUrl != null, "brokerUrl (--broker) is required");
      require(dataSet != null, "dataSet (--data) is required");
      require(policy != null, "policy (--policy) is required");
      require(workDir != null, "workDir (--work-dir) is required");
      require(devices >= 1, "devices must be >= 1, was " + devices);
      require(durationMs >= 1, "duration must be positive, was " + durationMs + " ms");
      require(ratePerDevice > 0 && !Double.isInfinite(ratePerDevice), "rate must be > 0, was " + ratePerDevice);
      require(intraOpThreads >= 0, "intraOpThreads must be >= 0, was " + intraOpThreads);
      require(feedbackShare >= 0 && feedbackShare <= 1, "feedback share must be in [0, 1], was " + feedbackShare);
      require(replayMessages >= 0, "messages to replay must be >= 0, was " + replayMessages);
      require(!followPolicy || upload, "following the policy topic needs the log connection (upload on)");
      for (String n : networkMix.names()) {
        networkProfile(n);
      }
      for (String n : deviceMix.names()) {
        DeviceProfile.builtIn(n);
      }
    }

    NetworkProfile networkProfileNamed(String name) {
      NetworkProfile p = networkProfiles.get(name);
      return p != null ? p : NetworkProfile.builtIn(name);
    }

    private void networkProfile(String name) {
      networkProfileNamed(name);
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  public FleetSimulation(Options options) {
    options.check();
    this.o = options;
  }

  /**
   * Runs the fleet for the duration, drains the spools, closes everything.
   *
   * @throws Exception when the model cannot be loaded or a device cannot be set up
   */
  public Result run() throws Exception {
    stopRequested = false;
    URI broker = URI.create(o.brokerUrl);
    if (!"tcp".equals(broker.getScheme()) || broker.getPort() < 0) {
      throw new IllegalArgumentException("--broker must be tcp://host:port (the proxies speak plain TCP), was "
          + o.brokerUrl);
    }
    ScheduledThreadPoolExecutor proxyScheduler = new ScheduledThreadPoolExecutor(4, daemon("link-proxy-writer"));
    proxyScheduler.setRemoveOnCancelPolicy(true);
    ExecutorService shared = Executors.newFixedThreadPool(4, daemon("fleet-records"));
    ModelSession session = ModelSession.builder().path(o.edgeModel).intraOpThreads(o.intraOpThreads).build();
    String edgeHash = session.info().sha256();
    List<SimulatedDevice> devices = new ArrayList<>();
    try {
      SimulatedDevice.Setup setup = new SimulatedDevice.Setup();
      setup.model = o.modelName;
      setup.fleet = o.fleet;
      setup.policy = o.policy;
      setup.prices = o.prices;
      setup.session = session;
      setup.broker = new InetSocketAddress(broker.getHost(), broker.getPort());
      setup.topics = o.topics;
      setup.upload = o.upload;
      setup.executor = shared;
      setup.proxyScheduler = proxyScheduler;
      setup.stats = stats;
      setup.followPolicy = o.followPolicy;
      setup.textInputs = o.dataSet.textInputs().orElse(null);
      setup.edgeModelHash = edgeHash;
      Random assign = new Random(o.seed);
      List<String> nets = o.networkMix.assign(o.devices, assign);
      List<String> kinds = o.deviceMix.assign(o.devices, assign);
      for (int i = 0; i < o.devices; i++) {
        String id = String.format(Locale.ROOT, "%s%04d", o.devicePrefix, i);
        NetworkProfile np = o.networkProfileNamed(nets.get(i));
        long phase = np.offlineEveryMs() == 0 ? 0 : (long) (assign.nextDouble() * np.offlineEveryMs());
        devices.add(new SimulatedDevice(id, DeviceProfile.builtIn(kinds.get(i)), np, o.seed * 100_003L + i, phase,
            o.workDir.resolve(id), setup));
      }
      long connectEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      int unconnected = 0;
      for (SimulatedDevice d : devices) {
        long left = TimeUnit.NANOSECONDS.toMillis(connectEnd - System.nanoTime());
        if (!d.awaitConnected(Math.max(1, left)) && !d.proxy().offline()) {
          unconnected++;
        }
      }
      if (unconnected > 0) {
        log.warn("{} devices not connected to {} after 15 s; starting anyway", unconnected, o.brokerUrl);
      }
      awaitPolicy(devices);
      double seconds = drive(devices, stats);
      // Shadow replies and records of decisions still answering land within the deadline.
      Thread.sleep(o.policy.deadlineMs() + 500);
      int notDrained = o.upload ? drain(devices) : 0;
      long refused = 0;
      long dropped = 0;
      for (SimulatedDevice d : devices) {
        refused += d.proxy().refused();
        dropped += d.proxy().dropped();
      }
      return new Result(stats, seconds, devices.size(), notDrained, refused, dropped);
    } finally {
      closeAll(devices);
      session.close();
      shared.shutdown();
      proxyScheduler.shutdownNow();
    }
  }

  /** Waits until every device has applied the policy version the options ask for (30 s at most). */
  private void awaitPolicy(List<SimulatedDevice> devices) throws InterruptedException {
    if (!o.followPolicy || o.awaitPolicyVersion <= 0) {
      return;
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!stopRequested) {
      int behind = 0;
      for (SimulatedDevice d : devices) {
        if (d.policyVersion() < o.awaitPolicyVersion) {
          behind++;
        }
      }
      if (behind == 0) {
        return;
      }
      if (System.nanoTime() > end) {
        log.warn("{} devices have not applied policy version {} after 30 s; starting anyway", behind,
            o.awaitPolicyVersion);
        return;
      }
      Thread.sleep(100);
    }
  }

  /** What the fleet has done so far; safe to read while it runs. */
  public FleetStats stats() {
    return stats;
  }

  /**
   * Ends the run early: devices stop deciding new inputs, and {@link #run()} goes on to its
   * drain and close as at the end of the duration. Callable from any thread (a shutdown hook).
   */
  public void stop() {
    stopRequested = true;
  }

  /** Runs every device's loop for the duration; returns the seconds it took. */
  private double drive(List<SimulatedDevice> devices, FleetStats stats) throws InterruptedException {
    long start = System.nanoTime();
    long end = start + TimeUnit.MILLISECONDS.toNanos(o.durationMs);
    AtomicLong inputs = new AtomicLong();
    AtomicInteger nextItem = new AtomicInteger();
    AtomicInteger replayed = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      SimulatedDevice d = devices.get(i);
      Random r = new Random(o.seed * 7_919L + i);
      Thread t = new Thread(() -> loop(d, r, start, end, inputs, nextItem, replayed), "device-" + d.id());
      t.setDaemon(true);
      threads.add(t);
    }
    threads.forEach(Thread::start);
    try {
      while (System.nanoTime() < end && !stopRequested && !replayDone(replayed)) {
        long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        Thread.sleep(Math.max(1, Math.min(500, left)));
        if (o.progress != null) {
          progress(o.progress, System.nanoTime() - start, end - start, stats, replayed.get(), o.replayMessages);
        }
      }
    } finally {
      stopRequested = true;
      if (o.progress != null) {
        progress(o.progress, System.nanoTime() - start, end - start, stats, replayed.get(), o.replayMessages);
        o.progress.println();
        o.progress.flush();
      }
    }
    for (Thread t : threads) {
      t.join();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  private boolean replayDone(AtomicInteger replayed) {
    return o.replayMessages > 0 && replayed.get() >= o.replayMessages;
  }

  private void loop(SimulatedDevice d, Random r, long start, long end, AtomicLong inputs, AtomicInteger nextItem,
      AtomicInteger replayed) {
    List<DataSet.Item> items = o.dataSet.items();
    long meanGapNanos = (long) (1e9 / o.ratePerDevice);
    long next = start + gap(r, meanGapNanos);
    while (true) {
      long now = System.nanoTime();
      if (next >= end || stopRequested) {
        return;
      }
      if (next > now) {
        try {
          TimeUnit.NANOSECONDS.sleep(next - now);
        } catch (InterruptedException e) {
          return;
        }
      } else if (now - next > TimeUnit.SECONDS.toNanos(1)) {
        next = now; // fell behind: skip ahead rather than burst
      }
      DataSet.Item item;
      if (o.replayMessages > 0) {
        int k = nextItem.getAndIncrement();
        if (k >= o.replayMessages) {
          return;
        }
        item = items.get(k % items.size());
      } else {
        item = items.get(r.nextInt(items.size()));
      }
      boolean report = o.feedback && (o.feedbackShare >= 1 || r.nextDouble() < o.feedbackShare);
      d.decide(item, report);
      if (o.replayMessages > 0) {
        replayed.incrementAndGet();
      }
      inputs.incrementAndGet();
      next += gap(r, meanGapNanos);
    }
  }

  /**
   * One carriage-return progress line: elapsed of total seconds as a bar, and the fleet's
   * counts so far; needs no terminal library.
   */
  private static void progress(PrintStream out, long elapsedNanos, long totalNanos, FleetStats stats, int replayed,
      int toReplay) {
    int width = 40;
    double f = toReplay > 0 ? Math.min(1.0, replayed / (double) toReplay)
        : Math.min(1.0, elapsedNanos / (double) totalNanos);
    int filled = (int) Math.round(f * width);
    StringBuilder bar = new StringBuilder(width);
    for (int i = 0; i < width; i++) {
      bar.append(i < filled ? '=' : ' ');
    }
    String done = toReplay > 0 ? String.format(Locale.ROOT, "%d/%d messages, %d s", replayed, toReplay,
        TimeUnit.NANOSECONDS.toSeconds(elapsedNanos))
        : String.format(Locale.ROOT, "%d/%d s", TimeUnit.NANOSECONDS.toSeconds(elapsedNanos),
            TimeUnit.NANOSECONDS.toSeconds(totalNanos));
    out.print(String.format(Locale.ROOT, "\rsimulate %3d%% [%s] %s  decisions %d, cloud %d, fallbacks %d,"
        + " errors %d ", Math.round(f * 100), bar, done, stats.decisions(), stats.route(Route.CLOUD),
        stats.route(Route.EDGE_FALLBACK), stats.errors()));
    out.flush();
  }

  private static long gap(Random r, long meanNanos) {
    return (long) (-Math.log(1 - r.nextDouble()) * meanNanos);
  }

  /** Waits until every spool is acknowledged; returns how many are not. */
  private int drain(List<SimulatedDevice> devices) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(o.drainTimeoutMs);
    while (true) {
      int left = 0;
      for (SimulatedDevice d : devices) {
        if (!d.uploaded()) {
          left++;
        }
      }
      if (left == 0 || System.nanoTime() > end) {
        if (left > 0) {
          log.warn("{} devices still have records to upload after {} ms", left, o.drainTimeoutMs);
        }
        return left;
      }
      Thread.sleep(200);
    }
  }

  private static void closeAll(List<SimulatedDevice> devices) throws InterruptedException {
    ExecutorService closer = Executors.newFixedThreadPool(32, daemon("fleet-close"));
    for (SimulatedDevice d : devices) {
      closer.execute(d::close);
    }
    closer.shutdown();
    if (!closer.awaitTermination(2, TimeUnit.MINUTES)) {
      log.warn("devices still closing after 2 minutes");
    }
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
