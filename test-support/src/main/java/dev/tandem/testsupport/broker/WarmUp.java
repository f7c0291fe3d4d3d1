package dev.tandem.testsupport.broker;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends a few thousand messages through a freshly started broker over its TCP listener, so that a
 * JVM broker serves the test with its code compiled, as a long-running broker would, instead of
 * charging its JIT warm-up to the first test's deadlines. A minimal MQTT 5 client: CONNECT,
 * SUBSCRIBE, PUBLISH at QoS 0 and 1, PUBACK.
 */
final class WarmUp {
  private static final String TOPIC = "tandem-test-broker/warm-up";
  private static final int QOS0 = 3000;
  private static final int QOS1 = 500;

  private WarmUp() {}

  /** Runs the warm-up against {@code 127.0.0.1:port}; returns how many messages came back. */
  static int run(int port) throws IOException, InterruptedException {
    try (Socket sub = connect(port, "warm-up-sub"); Socket pub = connect(port, "warm-up-pub")) {
      OutputStream subOut = new BufferedOutputStream(sub.getOutputStream());
      DataInputStream subIn = new DataInputStream(sub.getInputStream());
      ByteArrayOutputStream s = new ByteArrayOutputStream();
      s.write(0);
      s.write(1); // packet id 1
      s.write(0); // no properties
      string(s, TOPIC);
      s.write(1); // QoS 1
      packet(subOut, 0x82, s.toByteArray());
      subOut.flush();
      expect(subIn, 9); // SUBACK

      int[] received = {0};
      Thread reader = new Thread(() -> {
        try {
          while (received[0] < QOS0 + QOS1) {
            int type = subIn.readUnsignedByte();
            byte[] body = new byte[remainingLength(subIn)];
            subIn.readFully(body);
            if ((type >> 4) == 3) {
              received[0]++;
              if (((type >> 1) & 3) == 1) {
                int topicLength = ((body[0] & 0xff) << 8) | (body[1] & 0xff);
                synchronized (subOut) {
                  packet(subOut, 0x40, new byte[] {body[2 + topicLength], body[3 + topicLength]});
                  subOut.flush();
                }
              }
            }
          }
        } catch (IOException e) {
          // the warm-up is over or the broker went away; the count says how far it got
        }
      }, "broker-warm-up");
      reader.setDaemon(true);
      reader.start();

      OutputStream pubOut = new BufferedOutputStream(pub.getOutputStream());
      DataInputStream pubIn = new DataInputStream(pub.getInputStream());
      byte[] payload = new byte[512];
      for (int i = 0; i < QOS0; i++) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        string(p, TOPIC);
        p.write(0); // no properties
        p.write(payload);
        packet(pubOut, 0x30, p.toByteArray());
      }
      pubOut.flush();
      for (int i = 0; i < QOS1; i++) {
        int id = 2 + i;
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        string(p, TOPIC);
        p.write(id >> 8);
        p.write(id & 0xff);
        p.write(0);
        p.write(payload);
        packet(pubOut, 0x32, p.toByteArray());
        pubOut.flush();
        expect(pubIn, 4); // PUBACK
      }
      reader.join(30_000);
      return received[0];
    }
  }

  private static Socket connect(int port, String clientId) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(30_000);
    ByteArrayOutputStream c = new ByteArrayOutputStream();
    string(c, "MQTT");
    c.write(5); // MQTT 5
    c.write(0x02); // clean start
    c.write(0);
    c.write(60); // keep alive
    c.write(0); // no properties
    string(c, clientId);
    OutputStream out = socket.getOutputStream();
    packet(out, 0x10, c.toByteArray());
    out.flush();
    expect(new DataInputStream(socket.getInputStream()), 2); // CONNACK
    return socket;
  }

  /** Reads one packet and checks its type. */
  private static void expect(DataInputStream in, int type) throws IOException {
    int first = in.readUnsignedByte();
    byte[] body = new byte[remainingLength(in)];
    in.readFully(body);
    if ((first >> 4) != type) {
      throw new IOException("expected MQTT packet type " + type + ", got " + (first >> 4));
    }
    if (type == 2 && body.length > 1 && (body[1] & 0xff) >= 0x80) {
      throw new IOException("CONNACK refused, reason code " + (body[1] & 0xff));
    }
  }

  private static void packet(OutputStream out, int header, byte[] body) throws IOException {
    out.write(header);
    int n = body.length;
    do {
      int b = n % 128;
      n /= 128;
      out.write(n > 0 ? b | 0x80 : b);
    } while (n > 0);
    out.write(body);
  }

  private static int remainingLength(DataInputStream in) throws IOException {
    int value = 0;
    for (int shift = 0; shift < 28; shift += 7) {
      int b = in.readUnsignedByte();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("malformed MQTT remaining length");
  }

  private static void string(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.write(b.length >> 8);
    out.write(b.length & 0xff);
    out.write(b, 0, b.length);
  }
}
