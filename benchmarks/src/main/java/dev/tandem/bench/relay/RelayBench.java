package dev.tandem.bench.relay;

import dev.tandem.relay.serve.ModelConfig;
import dev.tandem.relay.serve.Relay;
import dev.tandem.relay.serve.RelayConfig;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.FrameCodec;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.RequestFrame;
import dev.tandem.runtime.internal.protocol.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Relay benchmarks, run by hand; results go to docs/benchmarks.md ("Relay").
 *
 * <p><b>overhead</b>: a device's round trip through the relay minus the relay's reported
 * inference time, against a raw Paho request/response ping-pong (an echo client) on the same
 * broker, with the same payload size (about 6 KB each way) and QoS 0. One request at a time.
 * The relay runs an Identity model over float32 {@code [1, 1536]} (6,144 bytes), so what is
 * measured is the relay's own cost: decode, validate, queue, encode, publish.
 *
 * <p><b>throughput</b>: bge-small-en-v1.5 (the cloud model's encoder, fp32) at a fixed sequence
 * length; 1, 8 and 32 closed-loop devices (each sends its next request when the previous is
 * answered), batching on and off, against bare ONNX Runtime running the same model at batch 1
 * in a loop on the same cores.
 *
 * <p>Everything (broker when embedded, relay, devices) runs on one machine; Mosquitto runs as a
 * separate process on loopback.
 *
 * <pre>
 * ./mvnw -q -o -pl benchmarks -am package -DskipTests dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory=target/lib
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" dev.tandem.bench.relay.RelayBench overhead --broker mosquitto
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" dev.tandem.bench.relay.RelayBench throughput --broker mosquitto
 * # GPU: add -Pgpu to the build, and --providers cuda,cpu to throughput
 * </pre>
 *
 * Options: {@code overhead [--broker embedded|mosquitto] [--n 3000]};
 * {@code throughput [--broker ...] [--seconds 10] [--seq 64] [--devices 1,8,32]
 * [--providers cpu|cuda,cpu] [--max-batch 16] [--delay-us 2000] [--threads 0]}.
 */
public final class RelayBench {
  private static final Topics TOPICS = Topics.defaults();

  private RelayBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println("usage: RelayBench overhead|throughput|batching [--broker embedded|mosquitto] ...");
      System.exit(2);
    }
    String mode = args[0];
    String broker = opt(args, "--broker", "embedded");
    Path dir = Files.createTempDirectory("tandem-relay-bench");
    System.out.printf("machine: %d cores, %s, Java %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.arch"), System.getProperty("java.version"));
    if (mode.equals("overhead")) {
      overhead(broker, dir, Integer.parseInt(opt(args, "--n", "3000")));
    } else if (mode.equals("throughput")) {
      List<Integer> devices = new ArrayList<>();
      for (String d : opt(args, "--devices", "1,8,32").split(",")) {
        devices.add(Integer.parseInt(d.trim()));
      }
      List<ExecutionProvider> providers = new ArrayList<>();
      for (String p : opt(args, "--providers", "cpu").split(",")) {
        providers.add(ExecutionProvider.fromJsonName(p.trim()));
      }
      throughput(broker, dir, Integer.parseInt(opt(args, "--seconds", "10")), Integer.parseInt(opt(args, "--seq", "64")),
          devices, providers, Integer.parseInt(opt(args, "--max-batch", "16")), Long.parseLong(opt(args, "--delay-us", "2000")),
          Integer.parseInt(opt(args, "--threads", "0")));
    } else if (mode.equals("batching")) {
      List<Integer> sizes = new ArrayList<>();
      for (String b : opt(args, "--batches", "8,16").split(",")) {
        sizes.add(Integer.parseInt(b.trim()));
      }
      batching(dir, Integer.parseInt(opt(args, "--rounds", "5")), Integer.parseInt(opt(args, "--seconds", "4")),
          Integer.parseInt(opt(args, "--seq", "64")), sizes, Integer.parseInt(opt(args, "--threads", "0")));
    } else {
      throw new IllegalArgumentException("unknown mode " + mode);
    }
    System.exit(0);
  }

  private static String opt(String[] args, String name, String def) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return def;
  }

  // --- overhead ---

  static void overhead(String brokerKind, Path dir, int n) throws Exception {
    int width = 1536;
    Path model = dir.resolve("identity.onnx");
    Files.write(model, BenchSupport.identity(width));
    float[] x = new float[width];
    Random r = new Random(1);
    for (int i = 0; i < width; i++) {
      x[i] = r.nextFloat();
    }
    FrameCodec codec = new FrameCodec();
    byte[] frame = codec.encodeRequest(RequestFrame.of("echo", 10_000, 1,
        java.util.Collections.singletonList(Tensor.ofFloats("x", x, 1, width))));
    try (BenchSupport.Broker broker = BenchSupport.broker(brokerKind, dir)) {
      System.out.printf("broker: %s; request frame %d bytes; %d requests after %d warm-up, one at a time, QoS 0%n",
          broker.name(), frame.length, n, n / 3);
      // Raw baseline: the same bytes out and back through the broker.
      double[] raw;
      try (BenchClient server = new BenchClient(broker.url(), "echo-server", null);
          BenchClient client = new BenchClient(broker.url(), "echo-client", "bench/pong")) {
        server.echo("bench/ping");
        Thread.sleep(200);
        raw = pingPong(n, () -> client.request("bench/ping", frame).get(5, TimeUnit.SECONDS), null);
      }
      row("raw Paho ping-pong", raw);
      RelayConfig cfg = RelayConfig.builder().relayId("bench").brokerUrl(broker.url()).metrics("127.0.0.1", -1)
          .addModel(ModelConfig.builder().name("echo").file(model).version("1")
              .providers(java.util.Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1).build())
          .build();
      double[] relayRtt;
      double[] relayMinusInference = new double[n];
      double[] inference = new double[n];
      try (Relay relay = new Relay(cfg).start();
          BenchClient device = new BenchClient(broker.url(), "device-1", TOPICS.result("device-1"))) {
        String topic = TOPICS.infer("echo", "device-1");
        relayRtt = pingPong(n, () -> device.request(topic, frame).get(5, TimeUnit.SECONDS), (i, reply) -> {
          ReplyFrame f = codec.decodeReply(reply);
          if (f.status() != ReplyStatus.OK) {
            throw new IllegalStateException("relay answered " + f.status() + ": " + f.message());
          }
          inference[i] = f.inferenceMs() * 1000;
        });
      }
      for (int i = 0; i < n; i++) {
        relayMinusInference[i] = relayRtt[i] - inference[i];
      }
      row("relay round trip", relayRtt);
      row("relay inference (reported)", inference);
      row("relay round trip - inference", relayMinusInference);
      double p50 = BenchSupport.quantile(relayMinusInference, 0.5);
      double p99 = BenchSupport.quantile(relayMinusInference, 0.99);
      double r50 = BenchSupport.quantile(raw, 0.5);
      double r99 = BenchSupport.quantile(raw, 0.99);
      System.out.printf(Locale.ROOT, "RESULT overhead broker=%s added_p50_us=%.0f added_p99_us=%.0f ratio_p50=%.2f ratio_p99=%.2f%n",
          brokerKind, p50 - r50, p99 - r99, p50 / r50, p99 / r99);
    }
  }

  interface Call {
    byte[] call() throws Exception;
  }

  interface Check {
    void check(int i, byte[] reply);
  }

  private static double[] pingPong(int n, Call call, Check check) throws Exception {
    for (int i = 0; i < n / 3; i++) {
      call.call();
    }
    double[] micros = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      byte[] reply = call.call();
      micros[i] = (System.nanoTime() - t0) / 1e3;
      if (check != null) {
        check.check(i, reply);
      }
    }
    return micros;
  }

  private static void row(String name, double[] micros) {
    System.out.printf(Locale.ROOT, "  %-30s p50 %8.0f us   p99 %8.0f us%n", name,
        BenchSupport.quantile(micros, 0.5), BenchSupport.quantile(micros, 0.99));
  }

  // --- throughput ---

  static void throughput(String brokerKind, Path dir, int seconds, int seq, List<Integer> deviceCounts,
      List<ExecutionProvider> providers, int maxBatch, long delayUs, int threads) throws Exception {
    Path model = BenchSupport.bgeSmall(dir);
    List<Tensor> input = bertInput(seq);
    System.out.printf("model: bge-small-en-v1.5 fp32, seq %d, providers %s, intra-op threads %s%n", seq, providers,
        threads == 0 ? "all cores" : threads);
    byte[] frame = new FrameCodec().encodeRequest(RequestFrame.of("bge", 60_000, 1, input));
    // Bare ONNX Runtime is measured again next to every relay row: on a shared machine the load
    // changes from minute to minute, and only adjacent numbers compare.
    try (ModelSession s = ModelSession.builder().path(model).providers(providers).intraOpThreads(threads).warmUp(true).build();
        BenchSupport.Broker broker = BenchSupport.broker(brokerKind, dir)) {
      System.out.println("active provider: " + s.activeProvider() + "; broker: " + broker.name());
      List<Tensor> batched = bertInputBatch(seq, maxBatch);
      System.out.printf(Locale.ROOT, "RESULT bare batch=1 req_per_s=%.1f%n", loop(s, input, seconds));
      System.out.printf(Locale.ROOT, "RESULT bare batch=%d req_per_s=%.1f%n", maxBatch, loop(s, batched, seconds) * maxBatch);
      for (boolean batching : new boolean[] {false, true}) {
        RelayConfig cfg = RelayConfig.builder().relayId("bench").brokerUrl(broker.url()).metrics("127.0.0.1", -1)
            .addModel(ModelConfig.builder().name("bge").file(model).version("1").providers(providers)
                .intraOpThreads(threads).batchable(batching).maxBatch(maxBatch).maxDelayMicros(delayUs)
                .queueCapacity(1024).maxDynamicDim(512).build())
            .build();
        try (Relay relay = new Relay(cfg).start()) {
          for (int devices : deviceCounts) {
            double bare = loop(s, input, seconds);
            double rps = closedLoop(broker.url(), devices, frame, seconds);
            System.out.printf(Locale.ROOT, "RESULT relay batching=%s devices=%d req_per_s=%.1f bare_req_per_s=%.1f vs_bare=%.2f%n",
                batching ? "on" : "off", devices, rps, bare, rps / bare);
          }
        }
      }
    }
  }

  /**
   * Bare ONNX Runtime at batch 1 against batch N, interleaved round by round (the machine's
   * speed drifts between minutes, so only a ratio taken within a round means anything); prints
   * each round's requests per second and the median ratio per batch size.
   */
  static void batching(Path dir, int rounds, int seconds, int seq, List<Integer> sizes, int threads) throws Exception {
    Path model = BenchSupport.bgeSmall(dir);
    System.out.printf("model: bge-small-en-v1.5 fp32, seq %d (equal lengths, no padding), intra-op threads %s;"
        + " %d rounds of %d s per configuration%n", seq, threads == 0 ? "all cores" : threads, rounds, seconds);
    try (ModelSession s = ModelSession.builder().path(model).intraOpThreads(threads).warmUp(true).build()) {
      List<Tensor> one = bertInput(seq);
      double[][] ratios = new double[sizes.size()][rounds];
      for (int r = 0; r < rounds; r++) {
        double base = loop(s, one, seconds);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "round %d: batch 1 %.1f req/s", r + 1, base));
        for (int i = 0; i < sizes.size(); i++) {
          int b = sizes.get(i);
          double rps = loop(s, bertInputBatch(seq, b), seconds) * b;
          ratios[i][r] = rps / base;
          line.append(String.format(Locale.ROOT, ", batch %d %.1f req/s (%.2fx)", b, rps, rps / base));
        }
        System.out.println(line);
      }
      for (int i = 0; i < sizes.size(); i++) {
        System.out.printf(Locale.ROOT, "RESULT bare batching batch=%d median_ratio=%.2f min=%.2f max=%.2f%n", sizes.get(i),
            BenchSupport.quantile(ratios[i], 0.5), BenchSupport.quantile(ratios[i], 0.0), BenchSupport.quantile(ratios[i], 1.0));
      }
    }
  }

  private static double loop(ModelSession s, List<Tensor> in, int seconds) {
    for (int i = 0; i < 3; i++) {
      s.run(in);
    }
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long t0 = System.nanoTime();
    int runs = 0;
    while (System.nanoTime() < end) {
      s.run(in);
      runs++;
    }
    return runs / ((System.nanoTime() - t0) / 1e9);
  }

  private static double closedLoop(String url, int devices, byte[] frame, int seconds) throws Exception {
    List<BenchClient> clients = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      clients.add(new BenchClient(url, "dev-" + d + "-" + System.nanoTime(), TOPICS.result("dev-" + d)));
    }
    AtomicBoolean measuring = new AtomicBoolean();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int d = 0; d < devices; d++) {
      BenchClient c = clients.get(d);
      String topic = TOPICS.infer("bge", "dev-" + d);
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          try {
            c.request(topic, frame).get(60, TimeUnit.SECONDS);
            if (measuring.get()) {
              done.incrementAndGet();
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
      });
      t.start();
      threads.add(t);
    }
    Thread.sleep(2_000); // warm-up
    measuring.set(true);
    long t0 = System.nanoTime();
    Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
    long n = done.get();
    double rps = n / ((System.nanoTime() - t0) / 1e9);
    stop.set(true);
    for (Thread t : threads) {
      t.join(60_000);
    }
    clients.forEach(BenchClient::close);
    return rps;
  }

  private static List<Tensor> bertInput(int seq) {
    return bertInputBatch(seq, 1);
  }

  private static List<Tensor> bertInputBatch(int seq, int batch) {
    long[] ids = new long[seq * batch];
    long[] mask = new long[seq * batch];
    long[] types = new long[seq * batch];
    Random r = new Random(3);
    for (int b = 0; b < batch; b++) {
      for (int i = 0; i < seq; i++) {
        ids[b * seq + i] = i == 0 ? 101 : i == seq - 1 ? 102 : 1000 + r.nextInt(20000);
        mask[b * seq + i] = 1;
      }
    }
    return Arrays.asList(Tensor.ofLongs("input_ids", ids, batch, seq), Tensor.ofLongs("attention_mask", mask, batch, seq),
        Tensor.ofLongs("token_type_ids", types, batch, seq));
  }
}
