package org.medlake.ingest.automation;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;

/**
 * The one ingestion queue of a process: {@code ingest.workers} workers over one {@link
 * IngestService} opened once, and at most {@code ingest.queue-capacity} jobs waiting for them.
 * Uploads and approvals (the server), the landing-zone watcher and the scheduled maintenance all
 * submit here, so that no two of them open the lakehouse at once or commit past each other, and a
 * burst of uploads waits (or is refused) instead of failing.
 *
 * <p>A caller that may be refused ({@link #offer}: an upload) learns at once that the queue is
 * full; a caller that may wait ({@link #call}: the watcher, a schedule) waits for room.
 */
public final class IngestionQueue implements AutoCloseable {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(IngestionQueue.class);

  private final IngestService service;
  private final boolean ownsService;
  private final int capacity;
  private final ThreadPoolExecutor executor;

  private IngestionQueue(IngestService service, boolean ownsService, int workers, int capacity) {
    this.service = requireNonNull(service, "service is null");
    this.ownsService = ownsService;
    this.capacity = capacity;
    AtomicInteger count = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            workers,
            workers,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(capacity),
            runnable -> {
              Thread thread = new Thread(runnable, "medlake-ingest-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.AbortPolicy());
  }

  /** The queue of {@code home}, with its own {@link IngestService} (closed with the queue). */
  public static IngestionQueue open(MedlakeHome home) {
    IngestService service = IngestService.open(home, ProgressListener.NONE);
    return new IngestionQueue(
        service, true, home.config().ingest().workers(), home.config().ingest().queueCapacity());
  }

  /** A queue over {@code service} (left open on close), for tests. */
  public static IngestionQueue over(IngestService service, int workers, int capacity) {
    return new IngestionQueue(service, false, workers, capacity);
  }

  /**
   * Submits {@code job} unless {@code ingest.queue-capacity} jobs wait already; then it throws a
   * {@link MedlakeException} with {@link ErrorCode#QUEUE_FULL}.
   */
  public <T> Future<T> offer(Function<IngestService, T> job) {
    requireNonNull(job, "job is null");
    try {
      return executor.submit(() -> job.apply(service));
    } catch (RejectedExecutionException e) {
      if (executor.isShutdown()) {
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR, "The ingestion queue is closed (the process is stopping)");
      }
      throw new MedlakeException(
          ErrorCode.QUEUE_FULL,
          "The ingestion queue is full ("
              + capacity
              + " jobs waiting, ingest.queue-capacity); try again later");
    }
  }

  /**
   * Runs {@code job} on a worker, waiting for room in the queue and for the job; its exception is
   * rethrown as it is.
   */
  public <T> T call(Function<IngestService, T> job) throws InterruptedException {
    while (true) {
      try {
        return await(offer(job));
      } catch (MedlakeException e) {
        if (e.errorCode() != ErrorCode.QUEUE_FULL) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  /** The job's result; a runtime exception it threw is rethrown as it is. */
  public static <T> T await(Future<T> future) throws InterruptedException {
    try {
      return future.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause);
    } catch (CancellationException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "The ingestion job was cancelled (the process is stopping)");
    }
  }

  /** Jobs waiting for a worker now. */
  public int waiting() {
    return executor.getQueue().size();
  }

  /** The service the workers use, for reads (the ledger) outside the queue. */
  public IngestService service() {
    return service;
  }

  /**
   * Stops accepting jobs, lets the running and waiting ones finish, then closes the service if it
   * opened it.
   */
  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(1, TimeUnit.HOURS)) {
        LOG.warn("Ingestion jobs still running after an hour; closing anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (ownsService) {
      service.close();
    }
  }
}
