package dev.tandem.runtime;

import dev.tandem.runtime.record.Record;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes {@link Tandem}'s records on a thread of its own, in the order they were handed over,
 * so that the thread that decided does not pay for the record's encoding and its write. After
 * an edge model run has pushed everything else out of the core's caches, those two cost tens
 * of microseconds more than they do warm (docs/benchmarks.md); on a thread that does nothing
 * else they stay warm, and the deciding thread only queues the record.
 *
 * <p>A full queue makes {@link #submit} wait: records are never dropped here. {@link #close()}
 * writes everything queued before it returns; a record handed over after that is written on the
 * caller's thread.
 */
final class RecordWriter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RecordWriter.class);
  private static final Object STOP = new Object();

  private final Consumer<Record> sink;
  private final BlockingQueue<Object> queue;
  private final Thread thread;
  private final Object progress = new Object();
  /** Records handed over. */
  private final AtomicLong submitted = new AtomicLong();
  /** Records written or given up on (guarded by {@code progress}). */
  private long done;
  private volatile boolean closed;

  /**
   * @param sink writes one record; runs on the writer's thread, must not throw (it is logged)
   * @param capacity records queued before {@link #submit} waits
   */
  RecordWriter(Consumer<Record> sink, int capacity, String threadName) {
    this.sink = sink;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::loop, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues {@code record} for writing, waiting while the queue is full (an interrupt is kept
   * for the caller and does not stop the hand-over).
   *
   * @return false after {@link #close()}, or on the writer's own thread (a listener that
   *     records something): the caller writes it itself
   */
  boolean submit(Record record) {
    if (closed || Thread.currentThread() == thread) {
      return false;
    }
    submitted.incrementAndGet();
    if (putUninterruptibly(record)) {
      Thread.currentThread().interrupt();
    }
    if (closed) {
      writeLeftovers(); // queued while close() was draining: nobody else will take it now
    }
    return true;
  }

  /**
   * Waits until every record handed over before the call is written (or given up on).
   *
   * @return whether they were, before {@code timeout} ran out
   */
  boolean awaitWritten(long timeout, TimeUnit unit) throws InterruptedException {
    long end = System.nanoTime() + unit.toNanos(timeout);
    synchronized (progress) {
      long target = submitted.get();
      while (done < target) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(progress, left);
      }
      return true;
    }
  }

  private void loop() {
    while (true) {
      Object next;
      try {
        next = queue.take();
      } catch (InterruptedException e) {
        continue; // only close() stops the writer, by queueing STOP
      }
      if (next == STOP) {
        return;
      }
      write((Record) next);
    }
  }

  private void write(Record r) {
    try {
      sink.accept(r);
    } catch (RuntimeException | Error e) {
      log.error("writing record {} failed", r.id(), e);
    } finally {
      synchronized (progress) {
        done++;
        progress.notifyAll();
      }
    }
  }

  /** Queues {@code item}, waiting for room however often interrupted; returns whether it was. */
  private boolean putUninterruptibly(Object item) {
    boolean interrupted = false;
    while (true) {
      try {
        queue.put(item);
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }

  /** Writes what is still queued, on the calling thread, one writer at a time. */
  private void writeLeftovers() {
    synchronized (queue) {
      Object next;
      while ((next = queue.poll()) != null) {
        if (next != STOP) {
          write((Record) next);
        }
      }
    }
  }

  /** Writes everything queued, then stops the thread. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean interrupted = putUninterruptibly(STOP);
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    writeLeftovers();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
