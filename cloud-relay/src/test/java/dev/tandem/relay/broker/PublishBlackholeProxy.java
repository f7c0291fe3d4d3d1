package dev.tandem.relay.broker;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy in front of a real broker that can make the broker look stalled: on
 * the connections open when {@link #blackholeOpenConnections()} is called, PUBLISH packets from
 * the broker to the client are dropped while everything else (CONNACK, SUBACK, PINGRESP, ...)
 * still flows, so the connection stays alive and the client's keep-alive never notices.
 * Connections made afterwards are forwarded untouched. {@link #holdPublishes(long)} instead
 * delays every PUBLISH from the broker (and whatever follows it on that connection), as a loaded
 * broker or network would. For tests.
 */
public final class PublishBlackholeProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String brokerHost;
  private final int brokerPort;
  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Thread acceptor;
  private volatile boolean open = true;
  private volatile long holdMs;

  private static final class Link {
    final Socket client;
    final Socket broker;
    volatile boolean blackhole;

    Link(Socket client, Socket broker) {
      this.client = client;
      this.broker = broker;
    }
  }

  public PublishBlackholeProxy(String brokerUrl) throws IOException {
    String hostPort = brokerUrl.substring(brokerUrl.indexOf("://") + 3);
    this.brokerHost = hostPort.substring(0, hostPort.lastIndexOf(':'));
    this.brokerPort = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.acceptor = new Thread(this::accept, "blackhole-proxy");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public String url() {
    return "tcp://127.0.0.1:" + server.getLocalPort();
  }

  /** Connections accepted so far. */
  public int accepted() {
    return accepted.get();
  }

  /** From now on, drop the broker's PUBLISH packets on every connection open now. */
  public void blackholeOpenConnections() {
    for (Link l : links) {
      l.blackhole = true;
    }
  }

  /** From now on, hold each PUBLISH from the broker this long before passing it on (0: off). */
  public void holdPublishes(long ms) {
    holdMs = ms;
  }

  private void accept() {
    while (open) {
      try {
        Socket c = server.accept();
        Socket b = new Socket(brokerHost, brokerPort);
        c.setTcpNoDelay(true);
        b.setTcpNoDelay(true);
        Link link = new Link(c, b);
        links.add(link);
        accepted.incrementAndGet();
        start(() -> pipe(c.getInputStream(), b.getOutputStream(), link), "proxy-up");
        start(() -> packets(b.getInputStream(), c.getOutputStream(), link), "proxy-down");
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private interface Io {
    void run() throws IOException;
  }

  private void start(Io body, String name) {
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (IOException e) {
        // a side closed: the link ends
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  private static void pipe(InputStream in, OutputStream out, Link link) throws IOException {
    byte[] buf = new byte[8192];
    int n;
    try {
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } finally {
      close(link);
    }
  }

  /** Broker to client, packet by packet: fixed header byte, remaining length, body. */
  private void packets(InputStream raw, OutputStream out, Link link) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    try {
      while (true) {
        int first = in.read();
        if (first < 0) {
          return;
        }
        int length = 0;
        int shift = 0;
        byte[] header = new byte[5];
        header[0] = (byte) first;
        int h = 1;
        int b;
        do {
          b = in.read();
          if (b < 0) {
            throw new EOFException();
          }
          header[h++] = (byte) b;
          length |= (b & 0x7f) << shift;
          shift += 7;
        } while ((b & 0x80) != 0);
        byte[] body = new byte[length];
        in.readFully(body);
        boolean publish = (first >> 4) == 3;
        if (publish && link.blackhole) {
          continue;
        }
        if (publish && holdMs > 0) {
          try {
            Thread.sleep(holdMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        out.write(header, 0, h);
        out.write(body);
        out.flush();
      }
    } finally {
      close(link);
    }
  }

  private static void close(Link link) {
    try {
      link.client.close();
    } catch (IOException e) {
      // closing anyway
    }
    try {
      link.broker.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    open = false;
    server.close();
    for (Link l : links) {
      close(l);
    }
  }
}
