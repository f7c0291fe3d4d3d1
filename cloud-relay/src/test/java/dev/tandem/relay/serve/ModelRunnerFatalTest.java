package dev.tandem.relay.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.relay.metrics.RelayMetrics;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.model.ExecutionProvider;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.testing.TinyModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An {@link Error} on a model's worker thread fails the relay instead of leaving a dead worker behind. */
class ModelRunnerFatalTest {
  @TempDir Path dir;

  @Test
  void errorInTheWorker_answersTheBatchInternalError_reportsFatal_andTheWorkerEnds() throws Exception {
    Files.write(dir.resolve("tiny.onnx"), TinyModels.classifier());
    ModelConfig cfg = ModelConfig.builder().name("tiny").file(dir.resolve("tiny.onnx")).version("1")
        .providers(Collections.singletonList(ExecutionProvider.CPU)).intraOpThreads(1).build();
    BlockingQueue<ReplyFrame> replies = new LinkedBlockingQueue<>();
    AtomicBoolean first = new AtomicBoolean(true);
    // The reply edge throws an OutOfMemoryError once, as an allocation in the worker would.
    ReplySink sink = (p, model, reply) -> {
      if (first.getAndSet(false)) {
        throw new OutOfMemoryError("injected");
      }
      replies.add(reply);
    };
    BlockingQueue<String> fatal = new LinkedBlockingQueue<>();
    ModelRunner runner = new ModelRunner(ModelRegistry.load(cfg), new RelayMetrics(), sink, "relay-f",
        (component, e) -> fatal.add(component + ": " + e.getMessage()));
    try {
      List<Tensor> x = Collections.singletonList(Tensor.ofFloats("features", new float[] {1, 2, 3, 4}, 1, 4));
      long now = System.nanoTime();
      assertThat(runner.offer(new Pending("dev", "r", new byte[0], 2, x, now, now + TimeUnit.SECONDS.toNanos(30))))
          .isTrue();
      assertThat(fatal.poll(20, TimeUnit.SECONDS)).isEqualTo("relay model worker tiny: injected");
      ReplyFrame r = replies.poll(5, TimeUnit.SECONDS);
      assertThat(r).isNotNull();
      assertThat(r.status()).isEqualTo(ReplyStatus.INTERNAL_ERROR);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (runner.alive()) {
        assertThat(System.nanoTime()).as("worker ended").isLessThan(until);
        Thread.sleep(10);
      }
      assertThat(runner.offer(new Pending("dev", "r", new byte[0], 2, x, now, now + 1))).isFalse();
    } finally {
      runner.close();
    }
  }
}
