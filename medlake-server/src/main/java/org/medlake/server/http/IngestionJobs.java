package org.medlake.server.http;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.ingest.pipeline.IngestService;

/**
 * Jobs of the API on the process's ingestion queue: offered, or refused with QUEUE_FULL when it is
 * full.
 */
final class IngestionJobs {
  /** What a refused upload is told to wait: about one ingest. */
  static final long RETRY_AFTER_SECONDS = 30;

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(IngestionJobs.class);

  private final MedlakeHome home;
  private final IngestionQueue queue;
  private final ServerMetrics metrics;

  IngestionJobs(MedlakeHome home, IngestionQueue queue, ServerMetrics metrics) {
    this.home = home;
    this.queue = queue;
    this.metrics = metrics;
  }

  /** What becomes of a queued run's delivery file when its answer fails or its run fails. */
  interface DeliveryFile {
    /** A file the run only reads (a landed delivery): it stays as it is. */
    DeliveryFile KEPT = new DeliveryFile() {};

    /** The answer was an error: the run was never recorded and does not start. */
    default void refused() {}

    /** The run, or its job before the run did, failed; the run is recorded FAILED. */
    default void failed() {}
  }

  /**
   * Records {@code delivery}'s run QUEUED and offers its job, which starts the run only once that
   * record is written (a QUEUED record never replaces a later status); the queued run. A job that
   * fails is recorded FAILED with its one-line reason and counted in the metrics.
   */
  IngestRun enqueue(Context context, IngestService.Delivery delivery, DeliveryFile file) {
    String runId = IngestService.newRunId();
    CountDownLatch recorded = new CountDownLatch(1);
    AtomicBoolean accepted = new AtomicBoolean();
    offer(context, service -> run(service, delivery, runId, recorded, accepted, file));
    try {
      IngestRun queued = queue.service().queued(delivery, runId);
      accepted.set(true);
      return queued;
    } finally {
      recorded.countDown();
    }
  }

  private IngestRun run(
      IngestService service,
      IngestService.Delivery delivery,
      String runId,
      CountDownLatch recorded,
      AtomicBoolean accepted,
      DeliveryFile file) {
    try {
      recorded.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!accepted.get()) {
      file.refused();
      return null;
    }
    try {
      IngestRun run = service.ingest(delivery, runId);
      metrics.ingestRun(run, run.startedAt());
      return run;
    } catch (RuntimeException e) {
      try {
        IngestRun failed =
            service.recordFailure(
                delivery, runId, String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        metrics.ingestRun(failed, failed.startedAt());
      } catch (RuntimeException notRecorded) {
        LOG.warn("Run {} failed and could not be recorded: {}", runId, notRecorded.getMessage());
      }
      file.failed();
      throw e;
    }
  }

  /** {@code job} on the ingestion queue, or QUEUE_FULL (503 with Retry-After) when it is full. */
  <T> Future<T> offer(Context context, Function<IngestService, T> job) {
    try {
      return queue.offer(job);
    } catch (MedlakeException e) {
      if (e.errorCode() == ErrorCode.QUEUE_FULL) {
        throw queueFull(context);
      }
      throw e;
    }
  }

  /** The ingestion queue is full; nothing was kept. */
  MedlakeException queueFull(Context context) {
    AuditTrail.detail(context, "refused", "queue full");
    return new MedlakeException(
        ErrorCode.QUEUE_FULL,
        "The ingestion queue is full (ingest.queue-capacity "
            + home.config().ingest().queueCapacity()
            + " jobs waiting); try again in "
            + RETRY_AFTER_SECONDS
            + " s",
        Map.of(),
        Optional.of(Duration.ofSeconds(RETRY_AFTER_SECONDS)),
        null);
  }
}
