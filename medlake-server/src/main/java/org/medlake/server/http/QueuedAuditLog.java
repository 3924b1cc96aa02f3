package org.medlake.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.medlake.platform.store.AuditEvent;
import org.medlake.platform.store.AuditLog;
import org.medlake.platform.store.AuditQuery;

/**
 * Writes audit events on one thread, in batches of one transaction each, so that requests neither
 * queue on SQLite's write lock nor pay a connection and a commit each. Batches form by themselves
 * (group commit): the events handed in while one batch is being written make up the next, so a lone
 * request waits for one commit only and a busy server writes large batches. Nothing is dropped: a
 * full queue makes the request wait, and {@link #search} and {@link #close} wait until every event
 * handed in before them is written.
 *
 * <p>Fails closed: {@link #record} returns only once its event is committed. When a batch cannot be
 * written (the database log already tried it twice), every request of the batch gets the error: the
 * access is refused (503), never answered as a success the log does not have.
 */
final class QueuedAuditLog implements AuditLog {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(QueuedAuditLog.class);
  private static final int BATCH = 500;

  private final AuditLog delegate;
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
  private final Thread writer;
  private final Object progress = new Object();

  /** Counted outside the monitor: requests never wait for the writer's bookkeeping. */
  private final AtomicLong handedIn = new AtomicLong();

  private long written;
  private volatile boolean closing;

  QueuedAuditLog(AuditLog delegate) {
    this.delegate = delegate;
    this.writer = new Thread(this::write, "medlake-audit-writer");
    writer.setDaemon(true);
    writer.start();
  }

  /** Blocks until the event is written; throws the write's error when it cannot be. */
  @Override
  public void record(AuditEvent event) {
    handedIn.incrementAndGet();
    Pending pending = new Pending(event, new CompletableFuture<>());
    try {
      queue.put(pending);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      try {
        delegate.record(event);
      } finally {
        markWritten(1);
      }
      return;
    }
    try {
      pending.written().join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
  }

  @Override
  public List<AuditEvent> search(AuditQuery query) {
    awaitWritten();
    return delegate.search(query);
  }

  private void write() {
    List<Pending> batch = new ArrayList<>(BATCH);
    while (!closing || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        RuntimeException failure = write(batch.stream().map(Pending::event).toList());
        markWritten(batch.size());
        for (Pending pending : batch) {
          if (failure == null) {
            pending.written().complete(null);
          } else {
            pending.written().completeExceptionally(failure);
          }
        }
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Writes the batch (the database log tries a failed batch once more on a new connection); the
   * failure, or null.
   */
  private RuntimeException write(List<AuditEvent> events) {
    try {
      delegate.recordAll(events);
      return null;
    } catch (RuntimeException e) {
      LOG.error(
          "Cannot write {} audit events; their requests are refused: {}",
          events.size(),
          e.getMessage());
      return e;
    }
  }

  private void markWritten(int count) {
    synchronized (progress) {
      written += count;
      progress.notifyAll();
    }
  }

  private void awaitWritten() {
    long target = handedIn.get();
    synchronized (progress) {
      while (written < target) {
        try {
          progress.wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  @Override
  public void close() {
    awaitWritten();
    closing = true;
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    delegate.close();
  }

  /** An event and its requester's wait for the write. */
  private record Pending(AuditEvent event, CompletableFuture<Void> written) {}
}
