package dev.tandem.agent.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.runtime.device.NetworkType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinkProxyTest {
  private ServerSocket echo;
  private Thread echoThread;
  private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);

  @BeforeEach
  void startEcho() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    echoThread = new Thread(() -> {
      while (!echo.isClosed()) {
        try {
          Socket s = echo.accept();
          Thread t = new Thread(() -> pump(s));
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return; // closed by the test
        }
      }
    });
    echoThread.setDaemon(true);
    echoThread.start();
  }

  private static void pump(Socket s) {
    try (Socket c = s) {
      InputStream in = c.getInputStream();
      OutputStream out = c.getOutputStream();
      byte[] buf = new byte[4096];
      int n;
      while ((n = in.read(buf)) >= 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the peer went away: the echo ends
    }
  }

  @AfterEach
  void stop() throws IOException {
    echo.close();
    scheduler.shutdownNow();
  }

  private InetSocketAddress target() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort());
  }

  /** Sends one byte through and returns the round trip in ms. */
  private static double roundTrip(Socket s) throws IOException {
    long t = System.nanoTime();
    s.getOutputStream().write(42);
    s.getOutputStream().flush();
    int b = s.getInputStream().read();
    assertThat(b).isEqualTo(42);
    return (System.nanoTime() - t) / 1e6;
  }

  @Test
  void roundTrip_throughProxy_includesProfileLatency() throws Exception {
    NetworkProfile slow = new NetworkProfile("slow", NetworkType.CELL_3G, true, 120, 0, 0, 0, 0, 0);
    try (LinkProxy proxy = new LinkProxy(target(), slow, 0, 1, scheduler);
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      s.setTcpNoDelay(true);
      s.setSoTimeout(5000);
      roundTrip(s); // warm-up: threads and classes
      double min = Double.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        min = Math.min(min, roundTrip(s));
      }
      // Half the 120 ms round trip on each direction: never less; the upper bound only catches a
      // delay applied twice (a loaded 2-core machine adds tens of ms, not 100).
      assertThat(min).isGreaterThanOrEqualTo(119.0).isLessThan(230.0);
      assertThat(proxy.bytesUp()).isEqualTo(6);
      assertThat(proxy.bytesDown()).isEqualTo(6);
    }
  }

  @Test
  void bandwidth_limitsThroughput() throws Exception {
    // 800 kbit/s up: 20 kB take 200 ms on the link before the echo can return them.
    NetworkProfile thin = new NetworkProfile("thin", NetworkType.CELL_3G, true, 0, 0, 0, 800, 0, 0);
    try (LinkProxy proxy = new LinkProxy(target(), thin, 0, 1, scheduler);
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
      s.setSoTimeout(5000);
      byte[] payload = new byte[20_000];
      long t = System.nanoTime();
      s.getOutputStream().write(payload);
      s.getOutputStream().flush();
      int got = 0;
      byte[] buf = new byte[8192];
      while (got < payload.length) {
        int n = s.getInputStream().read(buf);
        assertThat(n).isPositive();
        got += n;
      }
      double ms = (System.nanoTime() - t) / 1e6;
      assertThat(ms).isGreaterThanOrEqualTo(195.0);
    }
  }

  @Test
  void offlineWindow_refusesNewAndDropsOpenConnections() throws Exception {
    // Offline for the first second of every two (phase 0): [0, 1 s), [2 s, 3 s), ...
    NetworkProfile flaky = new NetworkProfile("flaky", NetworkType.CELL_4G, true, 0, 0, 0, 0, 2000, 1000);
    try (LinkProxy proxy = new LinkProxy(target(), flaky, 0, 1, scheduler)) {
      long start = System.nanoTime();
      assertThat(proxy.offline()).isTrue();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        s.setSoTimeout(2000);
        assertThat(readOrEnd(s)).isEqualTo(-1);
      }
      assertThat(proxy.refused()).isEqualTo(1);

      sleepUntil(start, 1200);
      assertThat(proxy.offline()).isFalse();
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
        s.setSoTimeout(3000);
        assertThat(roundTrip(s)).isLessThan(1000.0);
        sleepUntil(start, 2200); // the next window has begun
        assertThat(readOrEnd(s)).isEqualTo(-1);
      }
      assertThat(proxy.dropped()).isEqualTo(1);
      assertThat(proxy.accepted()).isEqualTo(1);
    }
  }

  /** Reads one byte; -1 when the proxy closed (or reset) the connection. */
  private static int readOrEnd(Socket s) throws IOException {
    try {
      s.getOutputStream().write(1);
      return s.getInputStream().read();
    } catch (java.net.SocketException e) {
      return -1; // reset: the proxy closed it
    }
  }

  private static void sleepUntil(long start, long ms) throws InterruptedException {
    long left = ms - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    if (left > 0) {
      Thread.sleep(left);
    }
  }
}
