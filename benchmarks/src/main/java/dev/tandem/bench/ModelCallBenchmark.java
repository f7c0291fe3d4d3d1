package dev.tandem.bench;

import ai.onnxruntime.OrtException;
import dev.tandem.runtime.model.Tensor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the runtime's model call adds to a bare ONNX Runtime call, on the same model and inputs
 * (see {@link ModelCallFixture}): {@code bare} is {@code OrtSession.run} on tensors made once,
 * {@code tandem} is {@code ModelSession.run} (validation, input copies, outputs copied out,
 * native objects closed). SampleTime mode gives the percentiles; the added time at a percentile
 * is {@code tandem - bare} there. JMH runs the two one after the other, so on a shared machine
 * load drift lands between them: {@link ModelCallOverhead} interleaves the calls instead. Run by
 * hand (docs/benchmarks.md), not in {@code verify}:
 *
 * <pre>
 * ./mvnw -B -q package -pl benchmarks -am -DskipTests
 * java -jar benchmarks/target/benchmarks.jar ModelCallBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class ModelCallBenchmark {
  @Param({"tiny", "minilm-int8"})
  public String model;

  private ModelCallFixture fixture;

  @Setup(Level.Trial)
  public void setUp() throws OrtException {
    fixture = new ModelCallFixture(model);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws OrtException {
    fixture.close();
  }

  @Benchmark
  public float[] bare() throws OrtException {
    return fixture.bare();
  }

  @Benchmark
  public List<Tensor> tandem() {
    return fixture.tandem();
  }
}
