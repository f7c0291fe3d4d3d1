package dev.tandem.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tandem.runtime.testing.TinyModels;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSessionTest {

  static ModelSession.Builder tiny(byte[] model) {
    return ModelSession.builder().bytes(model).intraOpThreads(1);
  }

  static String sha256Hex(byte[] bytes) throws Exception {
    StringBuilder b = new StringBuilder();
    for (byte x : MessageDigest.getInstance("SHA-256").digest(bytes)) {
      b.append(String.format("%02x", x));
    }
    return b.toString();
  }

  @Test
  void info_classifier_listsInputsOutputsAndHash() throws Exception {
    byte[] model = TinyModels.classifier();
    try (ModelSession session = tiny(model).build()) {
      ModelInfo info = session.info();
      assertThat(info.inputs()).containsExactly(TensorSpec.of("features", ElementType.FLOAT32, -1, 4));
      assertThat(info.outputs()).containsExactly(
          TensorSpec.of("probabilities", ElementType.FLOAT32, -1, 3),
          TensorSpec.of("logits", ElementType.FLOAT32, -1, 3));
      assertThat(info.sha256()).isEqualTo(sha256Hex(model));
    }
  }

  @Test
  void build_fromPathBytesAndStream_givesSameInfoAndOutputs(@TempDir Path dir) throws Exception {
    byte[] model = TinyModels.classifier();
    Path file = dir.resolve("tiny.onnx");
    Files.write(file, model);
    List<Tensor> in = Inputs.builder().addFloat32("features", new float[] {1, 2, 3, 4}, 1, 4).build();
    try (ModelSession fromPath = ModelSession.builder().path(file).intraOpThreads(1).build();
        ModelSession fromBytes = tiny(model).build();
        ModelSession fromStream = ModelSession.builder().stream(new ByteArrayInputStream(model)).intraOpThreads(1).build()) {
      assertThat(fromPath.info()).isEqualTo(fromBytes.info()).isEqualTo(fromStream.info());
      assertThat(fromPath.run(in)).isEqualTo(fromBytes.run(in)).isEqualTo(fromStream.run(in));
    }
  }

  @Test
  void run_classifier_givesExactLogitsAndTheirSoftmax() {
    try (ModelSession session = tiny(TinyModels.classifier()).build()) {
      List<Tensor> out = session.run(Inputs.builder()
          .addFloat32("features", new float[] {1, 2, 3, 4, 0, 0, 0, 0}, 2, 4).build());
      assertThat(out).extracting(Tensor::name).containsExactly("probabilities", "logits");
      Tensor logits = out.get(1);
      assertThat(logits.shape()).containsExactly(2, 3);
      // (a + d, b + d + 0.5, c + d - 1): exact in float32.
      assertThat(logits.toFloatArray()).containsExactly(5f, 6.5f, 6f, 0f, 0.5f, -1f);
      float[] p = out.get(0).toFloatArray();
      double z = Math.exp(5) + Math.exp(6.5) + Math.exp(6);
      assertThat(p[0]).isCloseTo((float) (Math.exp(5) / z), within(1e-6f));
      assertThat(p[1]).isCloseTo((float) (Math.exp(6.5) / z), within(1e-6f));
      assertThat(p[2]).isCloseTo((float) (Math.exp(6) / z), within(1e-6f));
    }
  }

  @Test
  void run_int64Model_givesExactIntegers() {
    try (ModelSession session = tiny(TinyModels.int64Doubler()).build()) {
      List<Tensor> out = session.run(Inputs.builder().addInt64("ids", new long[] {1, 2, 3, 4_000_000_000L}, 1, 4).build());
      assertThat(out.get(0).name()).isEqualTo("doubled");
      assertThat(out.get(0).toLongArray()).containsExactly(2, 4, 6, 8_000_000_000L);
      assertThat(out.get(1).shape()).containsExactly(1, 1);
      assertThat(out.get(1).toLongArray()).containsExactly(4_000_000_006L);
    }
  }

  @Test
  void run_everyElementType_roundTripsThroughIdentity() {
    ByteBuffer direct = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    direct.asFloatBuffer().put(new float[] {1.5f, -2.25f});
    List<List<Tensor>> cases = Arrays.asList(
        Inputs.builder().addFloat32("x", new float[] {1.5f, -2.25f}, 1, 2).build(),
        Inputs.builder().addInt64("x", new long[] {Long.MIN_VALUE, Long.MAX_VALUE}, 1, 2).build(),
        Inputs.builder().addInt32("x", new int[] {Integer.MIN_VALUE, 7}, 1, 2).build(),
        Inputs.builder().addUint8("x", new byte[] {(byte) 255, 0}, 1, 2).build(),
        Inputs.builder().addInt8("x", new byte[] {-128, 127}, 1, 2).build(),
        Inputs.builder().addDirect("x", ElementType.FLOAT32, direct, 1, 2).build());
    for (List<Tensor> in : cases) {
      Tensor x = in.get(0);
      try (ModelSession session = tiny(TinyModels.identity(x.type(), -1, 2)).build()) {
        Tensor y = session.run(in).get(0);
        assertThat(y.type()).isEqualTo(x.type());
        assertThat(y.shape()).containsExactly(1, 2);
        assertThat(y.toByteArray()).as("%s", x.type()).containsExactly(x.toByteArray());
      }
    }
  }

  @Test
  void run_afterClose_throwsSessionClosed() {
    ModelSession session = tiny(TinyModels.classifier()).build();
    session.close();
    session.close(); // idempotent
    assertThatThrownBy(() -> session.run(Inputs.builder().addFloat32("features", new float[4], 1, 4).build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("session closed");
  }

  @Test
  void close_whileRunsInFlight_waitsForThemAndLaterRunsFail() throws Exception {
    ModelSession session = tiny(TinyModels.classifier()).build();
    List<Tensor> in = Inputs.builder().addFloat32("features", new float[] {1, 2, 3, 4}, 1, 4).build();
    float[] expected = session.run(in).get(1).toFloatArray();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch running = new CountDownLatch(4);
    java.util.concurrent.atomic.AtomicInteger completed = new java.util.concurrent.atomic.AtomicInteger();
    try {
      List<Future<Integer>> workers = new ArrayList<>();
      for (int w = 0; w < 4; w++) {
        workers.add(pool.submit(() -> {
          int ok = 0;
          running.countDown();
          while (!stop.get()) {
            try {
              assertThat(session.run(in).get(1).toFloatArray()).containsExactly(expected);
              ok++;
              completed.incrementAndGet();
            } catch (IllegalStateException closed) {
              assertThat(closed).hasMessage("session closed");
              return ok;
            }
          }
          return ok;
        }));
      }
      assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
      // Close only once runs are under way (a count, not a sleep: the machine may be loaded).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (completed.get() < 100 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      session.close(); // closing under a run would crash the JVM
      stop.set(true);
      int total = 0;
      for (Future<Integer> f : workers) {
        total += f.get(10, TimeUnit.SECONDS);
      }
      assertThat(total).isPositive();
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
  }

  @Test
  void build_withWarmUp_runsAndStaysUsable() {
    try (ModelSession session = tiny(TinyModels.int64Doubler()).warmUp(true).build()) {
      assertThat(session.run(Inputs.builder().addInt64("ids", new long[] {1, 1, 1, 1}, 1, 4).build()).get(1).toLongArray())
          .containsExactly(4);
    }
  }

  @Test
  void build_unsupportedElementType_failsNamingTheTensor() {
    assertThatThrownBy(() -> tiny(TinyModels.float64Identity()).build())
        .isInstanceOf(ModelLoadException.class)
        .hasMessage("model input 'x' has element type double: Tandem tensors carry float32, int64, int32, uint8 or int8");
  }

  @Test
  void build_malformedBytes_failsWithLoadExceptionAndCpuAttempt() {
    ModelLoadException e = org.junit.jupiter.api.Assertions.assertThrows(ModelLoadException.class,
        () -> tiny(new byte[] {1, 2, 3}).build());
    assertThat(e.getMessage()).startsWith("model 3 bytes: no execution provider of [CPU] accepted it");
    assertThat(e.attempts()).hasSize(1);
    assertThat(e.attempts().get(0).active()).isFalse();
    assertThat(e.attempts().get(0).reason()).startsWith("could not load the model: ");
  }

  @Test
  void builder_misuse_failsNamingTheOption() {
    assertThatThrownBy(() -> ModelSession.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("give exactly one of path, bytes or stream; got none");
    assertThatThrownBy(() -> ModelSession.builder().bytes(new byte[1]).stream(new ByteArrayInputStream(new byte[1])).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("give exactly one of path, bytes or stream; got bytes and stream");
    assertThatThrownBy(() -> ModelSession.builder().intraOpThreads(-1))
        .hasMessage("intraOpThreads must be >= 0 (0 = ONNX Runtime's default), got -1");
    assertThatThrownBy(() -> ModelSession.builder().providers(Collections.<ExecutionProvider>emptyList()))
        .hasMessage("providers must not be empty: give at least one, e.g. [cpu]");
    assertThatThrownBy(() -> ModelSession.builder().providers(ExecutionProvider.CPU, ExecutionProvider.CPU))
        .hasMessage("providers: cpu is listed twice in [CPU, CPU]");
  }
}
