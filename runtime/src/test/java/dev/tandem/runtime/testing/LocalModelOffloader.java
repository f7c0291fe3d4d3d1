package dev.tandem.runtime.testing;

import dev.tandem.runtime.model.ModelSession;
import dev.tandem.runtime.model.Tensor;
import dev.tandem.runtime.internal.offload.OffloadRequest;
import dev.tandem.runtime.internal.offload.OffloadResult;
import dev.tandem.runtime.offload.OffloadStatus;
import dev.tandem.runtime.internal.offload.Offloader;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link Offloader} that answers by running a real ONNX model in this process, after a
 * configurable delay, with a configurable relay status, and honours the offloader contract: the
 * future completes by the request's deadline ({@code timeout} otherwise) and a reply that comes
 * later completes the timeout's late-reply stage. For tests of everything above the wire.
 */
public final class LocalModelOffloader implements Offloader {
  private final ModelSession model;
  private final ScheduledExecutorService scheduler;
  private final Set<CompletableFuture<OffloadResult>> pending = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger computed = new AtomicInteger();
  private volatile long delayMs;
  private volatile OffloadStatus status = OffloadStatus.OK;
  private volatile boolean available = true;
  private volatile boolean closed;

  /** Serves {@code modelBytes} (one intra-op thread) with no delay and status ok. */
  public LocalModelOffloader(byte[] modelBytes) {
    this.model = ModelSession.builder().bytes(modelBytes).intraOpThreads(1).build();
    this.scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "local-offloader");
      t.setDaemon(true);
      return t;
    });
  }

  /** Milliseconds before the reply (the simulated round trip, plus the model's run time). */
  public LocalModelOffloader delayMs(long ms) {
    this.delayMs = ms;
    return this;
  }

  /** The status every reply carries; anything but ok replies without running the model. */
  public LocalModelOffloader status(OffloadStatus s) {
    this.status = s;
    return this;
  }

  /** Whether requests can be sent; when not, they end {@code offline} at once. */
  public LocalModelOffloader available(boolean a) {
    this.available = a;
    return this;
  }

  /** Requests received. */
  public int requests() {
    return requests.get();
  }

  /** Requests the model ran for. */
  public int computed() {
    return computed.get();
  }

  @Override
  public CompletableFuture<OffloadResult> offload(OffloadRequest request) {
    if (closed || !available) {
      return CompletableFuture.completedFuture(OffloadResult.local(OffloadStatus.OFFLINE, "not connected"));
    }
    requests.incrementAndGet();
    long start = System.nanoTime();
    CompletableFuture<OffloadResult> f = new CompletableFuture<>();
    pending.add(f);
    f.whenComplete((r, e) -> pending.remove(f));
    CompletableFuture<OffloadResult> late = new CompletableFuture<>();
    ScheduledFuture<?> deadline = scheduler.schedule(
        () -> f.complete(OffloadResult.builder(OffloadStatus.TIMEOUT)
            .message("no reply within " + request.budgetMs() + " ms").lateReply(late).build()),
        request.budgetMs(), TimeUnit.MILLISECONDS);
    OffloadStatus st = status;
    scheduler.schedule(() -> {
      OffloadResult r = reply(request, st, start);
      if (f.complete(r)) {
        deadline.cancel(false);
      } else if (!closed) {
        late.complete(r);
      }
    }, delayMs, TimeUnit.MILLISECONDS);
    return f;
  }

  private OffloadResult reply(OffloadRequest request, OffloadStatus st, long start) {
    long up = 0;
    for (Tensor t : request.inputs()) {
      up += t.byteLength();
    }
    OffloadResult.Builder b;
    if (st != OffloadStatus.OK) {
      b = OffloadResult.builder(st).message("status set by the test");
    } else {
      long t0 = System.nanoTime();
      try {
        List<Tensor> out = model.run(request.inputs());
        computed.incrementAndGet();
        long down = 0;
        for (Tensor t : out) {
          down += t.byteLength();
        }
        b = OffloadResult.builder(OffloadStatus.OK).outputs(out).inferenceMs((System.nanoTime() - t0) / 1e6)
            .queueMs(0).batchSize(1).bytesDown(down + 64);
      } catch (RuntimeException e) {
        b = OffloadResult.builder(OffloadStatus.INTERNAL_ERROR).message(e.toString());
      }
    }
    return b.roundTripMs((System.nanoTime() - start) / 1e6).relayId("local-relay").modelVersion("1")
        .bytesUp(up + 64).build();
  }

  @Override
  public boolean isAvailable() {
    return available && !closed;
  }


  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (CompletableFuture<OffloadResult> f : pending) {
      f.complete(OffloadResult.local(OffloadStatus.OFFLINE, "offloader closed"));
    }
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    model.close();
  }
}
