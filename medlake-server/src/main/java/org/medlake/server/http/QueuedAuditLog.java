package org.medlake.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.medlake.server.audit.AuditEvent;
import org.medlake.server.audit.AuditLog;
import org.medlake.server.audit.AuditQuery;

/**
 * Writes audit events on one thread, in batches of one transaction each, so that requests neither
 * queue on SQLite's write lock nor pay a connection and a commit each; the writer waits a few
 * milliseconds after the first event of a batch for more to join it. Nothing is dropped: a full
 * queue makes the request wait, and {@link #search} and {@link #close} wait until every event handed
 * in before them is written.
 */
final class QueuedAuditLog implements AuditLog {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(QueuedAuditLog.class);
  private static final int BATCH = 500;
  private static final long LINGER_MILLIS = 3;

  private final AuditLog delegate;
  private final BlockingQueue<AuditEvent> queue = new ArrayBlockingQueue<>(10_000);
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

  @Override
  public void record(AuditEvent event) {
    handedIn.incrementAndGet();
    try {
      queue.put(event);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      delegate.record(event);
      markWritten(1);
    }
  }

  @Override
  public List<AuditEvent> search(AuditQuery query) {
    awaitWritten();
    return delegate.search(query);
  }

  private void write() {
    List<AuditEvent> batch = new ArrayList<>(BATCH);
    while (!closing || !queue.isEmpty()) {
      try {
        AuditEvent first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        if (!closing) {
          // gathers the events of concurrent requests into this batch: a commit costs more than its rows
          Thread.sleep(LINGER_MILLIS);
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        try {
          delegate.recordAll(batch);
        } catch (RuntimeException e) {
          LOG.error("Cannot write {} audit events: {}", batch.size(), e.getMessage());
        }
        markWritten(batch.size());
        batch.clear();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
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
}
