package dev.tandem.agent.simulate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback TCP proxy in front of the broker for one simulated device: every connection the
 * device opens to {@link #port()} is relayed to the broker with its {@link NetworkProfile}
 * applied, so the MQTT client, its timeouts and its reconnects meet the delay for real.
 *
 * <p><b>How the delay is applied.</b> Each direction has a reader thread. A chunk read at time
 * {@code t} occupies the (simulated) link for {@code bytes x 8 / bandwidth} after the previous
 * chunk left it, then travels {@code rtt/2 + U(0, jitter)}; its release time is never earlier
 * than the previous chunk's, so jitter delays but never reorders a byte stream (TCP would not
 * either). Writes run on a shared scheduler at their release times, each writing the head of
 * its direction's queue. A reader more than a second ahead of its link pauses, which gives the
 * sender TCP-like back-pressure instead of an unbounded queue.
 *
 * <p><b>Offline windows.</b> While the profile says offline, a new connection is accepted and
 * closed at once (the client sees a refused connect) and open ones are dropped (checked every
 * 50 ms).
 *
 * <p>Threads: one acceptor, two readers per open connection; the scheduler is the caller's.
 * {@link #close()} is idempotent and drops every connection.
 */
public final class LinkProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LinkProxy.class);
  private static final long AHEAD_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final InetSocketAddress target;
  private final NetworkProfile profile;
  private final long phaseMs;
  private final long seed;
  private final ScheduledExecutorService scheduler;
  private final ServerSocket server;
  private final long startNanos = System.nanoTime();
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong bytesUp = new AtomicLong();
  private final AtomicLong bytesDown = new AtomicLong();
  private final Thread acceptor;
  private final ScheduledFuture<?> outageWatch;
  private volatile boolean closed;

  /**
   * Starts listening on a free loopback port.
   *
   * @param target the broker's address
   * @param phaseMs shift of this device's outage cycle (so a fleet's outages do not coincide)
   * @param seed seed of the jitter
   * @param scheduler runs the delayed writes; shared by a fleet's proxies, not closed here
   * @throws IOException when no port can be opened
   */
  public LinkProxy(InetSocketAddress target, NetworkProfile profile, long phaseMs, long seed,
      ScheduledExecutorService scheduler) throws IOException {
    this.target = target;
    this.profile = profile;
    this.phaseMs = phaseMs;
    this.seed = seed;
    this.scheduler = scheduler;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::acceptLoop, "link-proxy-" + server.getLocalPort());
    acceptor.setDaemon(true);
    acceptor.start();
    this.outageWatch = profile.offlineEveryMs() > 0
        ? scheduler.scheduleAtFixedRate(this::enforceOutage, 50, 50, TimeUnit.MILLISECONDS) : null;
  }

  /** The loopback port the device connects to. */
  public int port() {
    return server.getLocalPort();
  }

  /** {@code tcp://127.0.0.1:<port>}: the broker URL the device uses. */
  public String url() {
    return "tcp://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port();
  }

  public NetworkProfile profile() {
    return profile;
  }

  /** Whether this device is in an offline window now. */
  public boolean offline() {
    return profile.offlineAt(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), phaseMs);
  }

  /** Connections relayed so far. */
  public long accepted() {
    return accepted.get();
  }

  /** Connections refused during offline windows. */
  public long refused() {
    return refused.get();
  }

  /** Open connections dropped when an offline window began. */
  public long dropped() {
    return dropped.get();
  }

  /** Bytes relayed from the device to the broker. */
  public long bytesUp() {
    return bytesUp.get();
  }

  /** Bytes relayed from the broker to the device. */
  public long bytesDown() {
    return bytesDown.get();
  }

  private void acceptLoop() {
    int n = 0;
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("proxy {} stopped accepting: {}", port(), e.toString());
        }
        return;
      }
      if (offline()) {
        refused.incrementAndGet();
        closeQuietly(client);
        continue;
      }
      Socket upstream = new Socket();
      try {
        client.setTcpNoDelay(true);
        upstream.setTcpNoDelay(true);
        upstream.connect(target, 5000);
      } catch (IOException e) {
        log.debug("proxy {}: broker {} not reachable: {}", port(), target, e.toString());
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      accepted.incrementAndGet();
      Connection c = new Connection(client, upstream, seed * 31 + n++);
      connections.add(c);
      if (closed) {
        c.close();
        return;
      }
      c.start();
    }
  }

  private void enforceOutage() {
    if (!connections.isEmpty() && offline()) {
      for (Connection c : new ArrayList<>(connections)) {
        if (c.close()) {
          dropped.incrementAndGet();
        }
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (outageWatch != null) {
      outageWatch.cancel(false);
    }
    closeQuietly(server);
    for (Connection c : new ArrayList<>(connections)) {
      c.close();
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // closing a socket that is already broken: nothing left to release
    }
  }

  /** One relayed TCP connection: two pipes. */
  private final class Connection {
    private final Socket client;
    private final Socket upstream;
    private final Pipe up;
    private final Pipe down;
    private final AtomicLong closedFlag = new AtomicLong();

    Connection(Socket client, Socket upstream, long seed) {
      this.client = client;
      this.upstream = upstream;
      this.up = new Pipe(this, client, upstream, profile.upKbps(), bytesUp, new Random(seed), "up");
      this.down = new Pipe(this, upstream, client, profile.downKbps(), bytesDown, new Random(~seed), "down");
    }

    void start() {
      up.start();
      down.start();
    }

    /** Closes both sockets; true the first time. */
    boolean close() {
      if (!closedFlag.compareAndSet(0, 1)) {
        return false;
      }
      connections.remove(this);
      closeQuietly(client);
      closeQuietly(upstream);
      return true;
    }
  }

  /** One direction of a connection. */
  private final class Pipe {
    private final Connection connection;
    private final InputStream in;
    private final OutputStream out;
    private final long kbps;
    private final AtomicLong counter;
    private final Random jitter;
    private final Thread reader;
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private long linkFreeNanos;
    private long lastReleaseNanos;

    Pipe(Connection connection, Socket from, Socket to, long kbps, AtomicLong counter, Random jitter, String dir) {
      this.connection = connection;
      try {
        this.in = from.getInputStream();
        this.out = to.getOutputStream();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      this.kbps = kbps;
      this.counter = counter;
      this.jitter = jitter;
      this.reader = new Thread(this::readLoop, "link-proxy-" + port() + "-" + dir);
      reader.setDaemon(true);
    }

    void start() {
      reader.start();
    }

    private void readLoop() {
      byte[] buf = new byte[16 * 1024];
      long oneWayNanos = TimeUnit.MILLISECONDS.toNanos(profile.rttMs()) / 2;
      long jitterNanos = TimeUnit.MILLISECONDS.toNanos(profile.jitterMs());
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          if (n == 0) {
            continue;
          }
          counter.addAndGet(n);
          long now = System.nanoTime();
          // bits / (kbit/s) = ms; in ns: bits * 1e6 / kbps
          long txNanos = kbps == 0 ? 0 : n * 8L * 1_000_000L / kbps;
          linkFreeNanos = Math.max(now, linkFreeNanos) + txNanos;
          long delay = oneWayNanos + (jitterNanos == 0 ? 0 : (long) (jitter.nextDouble() * jitterNanos));
          long release = Math.max(linkFreeNanos + delay, lastReleaseNanos);
          lastReleaseNanos = release;
          queue.add(Arrays.copyOf(buf, n));
          scheduler.schedule(this::writeHead, release - now, TimeUnit.NANOSECONDS);
          long ahead = linkFreeNanos - System.nanoTime();
          if (ahead > AHEAD_LIMIT_NANOS) {
            TimeUnit.NANOSECONDS.sleep(ahead - AHEAD_LIMIT_NANOS);
          }
        }
      } catch (IOException e) {
        // the socket was closed (by the peer, an outage or close()): the connection ends
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      // End of stream: close once what was read has been delivered.
      long wait = Math.max(0, lastReleaseNanos - System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(1);
      try {
        scheduler.schedule(connection::close, wait, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        connection.close(); // the fleet is shutting down
      }
    }

    /** Writes the oldest queued chunk: tasks may run in any order, the bytes leave in order. */
    private void writeHead() {
      synchronized (this) {
        byte[] b = queue.poll();
        if (b == null) {
          return;
        }
        try {
          out.write(b);
          out.flush();
        } catch (IOException e) {
          connection.close();
        }
      }
    }
  }
}
