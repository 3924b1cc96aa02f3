package org.medlake.server.http;

import io.javalin.http.Context;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.ingest.pipeline.IngestService;

/**
 * Jobs of the API on the process's ingestion queue: offered, or refused with QUEUE_FULL when it is
 * full.
 */
final class IngestionJobs {
  /** What a refused upload is told to wait: about one ingest. */
  static final long RETRY_AFTER_SECONDS = 30;

  private final MedlakeHome home;
  private final IngestionQueue queue;

  IngestionJobs(MedlakeHome home, IngestionQueue queue) {
    this.home = home;
    this.queue = queue;
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
