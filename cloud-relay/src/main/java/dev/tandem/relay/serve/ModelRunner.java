package dev.tandem.relay.serve;

import dev.tandem.relay.metrics.RelayMetrics;
import dev.tandem.runtime.model.InvalidInputException;
import dev.tandem.runtime.model.ModelRunException;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.protocol.ReplyStatus;
import dev.tandem.runtime.internal.protocol.ReplyFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue and worker thread of one model.
 *
 * <p>Design: a bounded queue ({@code queueCapacity}) in front of one worker. {@link #offer}
 * never blocks: a full queue is answered {@code busy} by the caller at once, which is the
 * cheapest load shedding there is. The worker takes the oldest request; for a batchable model it
 * then gathers more until the batch holds {@code maxBatch} rows or {@code maxDelayMicros} have
 * passed since the first request arrived (not since the worker saw it: time already spent
 * queueing counts against the wait), and never past the earliest deadline in the batch. A
 * request whose deadline passed while queued is answered {@code expired} and not computed. One
 * worker per model keeps ONNX Runtime's intra-op threads from competing with each other.
 *
 * <p>{@link #swap} installs a reloaded model between batches; the old session is closed once its
 * last run ends.
 */
final class ModelRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelRunner.class);

  private final String name;
  private final ArrayBlockingQueue<Pending> queue;
  private final RelayMetrics metrics;
  private final ReplySink sink;
  private final String relayId;
  private final Thread worker;
  private volatile LoadedModel current;
  private volatile boolean stopping;
  private Pending carry;
  private final java.util.function.BiConsumer<String, Throwable> onFatal;

  /** @param onFatal told when an {@link Error} ends the worker */
  ModelRunner(LoadedModel model, RelayMetrics metrics, ReplySink sink, String relayId,
      java.util.function.BiConsumer<String, Throwable> onFatal) {
    this.onFatal = onFatal;
    this.name = model.config.name();
    this.current = model;
    this.queue = new ArrayBlockingQueue<>(model.config.queueCapacity());
    this.metrics = metrics;
    this.sink = sink;
    this.relayId = relayId;
    metrics.queueDepth(name, queue::size);
    metrics.inFlight(name, 0);
    this.worker = new Thread(this::work, "relay-model-" + name);
    this.worker.setDaemon(true);
    this.worker.start();
  }

  LoadedModel current() {
    return current;
  }

  /** Queues a validated request; false when the queue is full or the runner is stopping. */
  boolean offer(Pending p) {
    return !stopping && queue.offer(p);
  }

  /** Installs a new model; the previous one is closed after its in-flight run. */
  void swap(LoadedModel next) {
    LoadedModel old = current;
    current = next;
    // ModelSession.close() waits for a run in progress, so closing here cannot cut one short.
    old.close();
  }

  /** Stops taking requests; the worker answers what is queued, then ends. */
  void stopAccepting() {
    stopping = true;
  }

  /** Waits up to {@code millis} for the queue to drain; answers what is left {@code busy}. */
  void drain(long millis) throws InterruptedException {
    stopping = true;
    worker.join(Math.max(1, millis));
    if (worker.isAlive()) {
      worker.interrupt();
      worker.join(5_000);
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      answer(p, ReplyFrame.builder(ReplyStatus.BUSY).message("relay shutting down").relayId(relayId).build(), "busy");
    }
  }

  @Override
  public void close() {
    stopping = true;
    worker.interrupt();
    try {
      worker.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    current.close();
  }

  private void work() {
    List<Pending> batch = new ArrayList<>();
    while (true) {
      try {
        Pending first = carry != null ? carry : queue.poll(50, TimeUnit.MILLISECONDS);
        carry = null;
        if (first == null) {
          if (stopping) {
            return;
          }
          continue;
        }
        LoadedModel m = current;
        batch.clear();
        if (expired(first, System.nanoTime())) {
          continue;
        }
        batch.add(first);
        long rows = first.rows;
        if (m.config.batchable() && m.config.maxBatch() > 1) {
          long until = Math.min(first.receivedNanos + m.config.maxDelayMicros() * 1000L, first.deadlineNanos);
          while (rows < m.config.maxBatch()) {
            Pending p = queue.poll();
            if (p == null) {
              long wait = until - System.nanoTime();
              if (wait <= 0 || stopping) {
                break;
              }
              p = queue.poll(wait, TimeUnit.NANOSECONDS);
              if (p == null) {
                break;
              }
            }
            if (expired(p, System.nanoTime())) {
              continue;
            }
            if (rows + p.rows > m.config.maxBatch()) {
              carry = p;
              break;
            }
            batch.add(p);
            rows += p.rows;
            until = Math.min(until, p.deadlineNanos);
          }
        }
        run(m, batch);
      } catch (InterruptedException e) {
        if (stopping) {
          return;
        }
      } catch (RuntimeException e) {
        log.error("model {} worker: unexpected failure", name, e);
        for (Pending p : batch) {
          answer(p, ReplyFrame.builder(ReplyStatus.INTERNAL_ERROR).message("relay failure: " + e)
              .relayId(relayId).build(), "internal_error");
        }
      } catch (Error e) {
        // The worker cannot be trusted to go on (out of memory, a broken native library): the
        // batch is answered if that still works, and the relay fails as a whole (it exits for
        // its supervisor to restart it, or reports itself failed when embedded).
        stopping = true;
        try {
          for (Pending p : batch) {
            answer(p, ReplyFrame.builder(ReplyStatus.INTERNAL_ERROR).message("relay failure: " + e)
                .relayId(relayId).build(), "internal_error");
          }
        } catch (Throwable ignored) {
          // answering is best effort here
        }
        onFatal.accept("relay model worker " + name, e);
        return;
      }
    }
  }

  /** Whether the worker thread still runs. */
  boolean alive() {
    return worker.isAlive();
  }

  private boolean expired(Pending p, long now) {
    if (now < p.deadlineNanos) {
      return false;
    }
    double waitedMs = (now - p.receivedNanos) / 1e6;
    answer(p, ReplyFrame.builder(ReplyStatus.EXPIRED)
        .message(String.format("budget ran out after %.1f ms in the queue", waitedMs))
        .relayId(relayId).modelVersion(current.config.version()).queueMs(waitedMs).build(), "expired");
    return true;
  }

  private void run(LoadedModel m, List<Pending> batch) {
    // Expire what ran out while the batch was gathered.
    long now = System.nanoTime();
    List<Pending> live = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      if (!expired(p, now)) {
        live.add(p);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    List<List<Tensor>> inputs = new ArrayList<>(live.size());
    long[] rows = new long[live.size()];
    for (int i = 0; i < live.size(); i++) {
      Pending p = live.get(i);
      inputs.add(p.inputs);
      rows[i] = p.rows;
      metrics.queued(name, (now - p.receivedNanos) / 1e9);
    }
    List<List<Tensor>> outputs;
    long start = System.nanoTime();
    metrics.inFlight(name, live.size());
    try {
      outputs = Batches.split(m.session.run(Batches.stack(inputs, m.padValues)), rows);
    } catch (InvalidInputException e) {
      if (live.size() > 1) {
        // One bad request must not fail the others: run each alone.
        for (Pending p : live) {
          List<Pending> one = new ArrayList<>(1);
          one.add(p);
          run(m, one);
        }
        return;
      }
      answer(live.get(0), ReplyFrame.builder(ReplyStatus.BAD_REQUEST).message(e.getMessage())
          .relayId(relayId).modelVersion(m.config.version()).build(), "bad_request");
      return;
    } catch (ModelRunException e) {
      log.warn("model {} version {}: run of {} request(s) failed: {}", name, m.config.version(), live.size(), e.getMessage());
      for (Pending p : live) {
        answer(p, ReplyFrame.builder(ReplyStatus.INTERNAL_ERROR).message(e.getMessage())
            .relayId(relayId).modelVersion(m.config.version()).build(), "internal_error");
      }
      return;
    } finally {
      metrics.inFlight(name, 0);
    }
    long end = System.nanoTime();
    double inferenceMs = (end - start) / 1e6;
    metrics.ran(name, inferenceMs / 1e3, live.size());
    for (int i = 0; i < live.size(); i++) {
      Pending p = live.get(i);
      answer(p, ReplyFrame.builder(ReplyStatus.OK)
          .outputs(outputs.get(i))
          .relayId(relayId)
          .modelVersion(m.config.version())
          .queueMs((start - p.receivedNanos) / 1e6)
          .inferenceMs(inferenceMs)
          .batchSize(live.size())
          .build(), "ok");
    }
  }

  private void answer(Pending p, ReplyFrame reply, String status) {
    metrics.answered(name, status);
    sink.reply(p, name, reply);
  }
}
