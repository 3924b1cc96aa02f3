package org.medlake.ingest.watch;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.file.FilePreparer;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.IngestService.Delivery;

/**
 * Ingests what a {@link LandingEvents} source hands out, one file at a time, on one thread.
 * Delivery is at least once and ingest is idempotent: a file whose checksum already has a
 * succeeded run is acknowledged without a new run, and a file whose commit happened before a crash
 * is reconciled by the ingest itself. An event is acknowledged only after its run is recorded.
 */
public final class LandingWatcher implements AutoCloseable {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LandingWatcher.class);
  private static final Duration POLL = Duration.ofSeconds(1);

  private final IngestService service;
  private final LandingEvents events;
  private final RunListener listener;
  private volatile boolean running;
  private Thread thread;

  public LandingWatcher(IngestService service, LandingEvents events, RunListener listener) {
    this.service = requireNonNull(service, "service is null");
    this.events = requireNonNull(events, "events is null");
    this.listener = requireNonNull(listener, "listener is null");
  }

  /** Starts watching on a thread of its own. */
  public synchronized void start() {
    if (thread != null) {
      throw new IllegalStateException("The watcher is already running");
    }
    running = true;
    thread = new Thread(this::loop, "medlake-watch");
    thread.start();
  }

  private void loop() {
    while (running) {
      try {
        processOnce(POLL);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("Watcher error (it keeps watching): {}", e.getMessage(), e);
      }
    }
  }

  /** Polls once for up to {@code timeout} and ingests what became ready; returns the events handled. */
  public List<LandingEvent> processOnce(Duration timeout) throws InterruptedException {
    List<LandingEvent> ready = events.poll(timeout);
    for (LandingEvent event : ready) {
      handle(event).ifPresent(listener::finished);
      events.acknowledge(event);
    }
    return ready;
  }

  /** Ingests the event's file unless its checksum was ingested before; the run, if one was made. */
  Optional<IngestRun> handle(LandingEvent event) {
    if (event.objectLocation().isPresent()) {
      return handleObject(event.objectLocation().get());
    }
    Path file = event.file();
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Delivery delivery;
    try {
      delivery = service.discover(List.of(file), Optional.empty(), Optional.empty()).get(0);
    } catch (MedlakeException e) {
      LOG.warn("Not ingested: {}", e.getMessage());
      return Optional.empty();
    }
    String sha256 = FilePreparer.checksum(file);
    if (service.ledger().withChecksum(sha256).stream().anyMatch(run -> run.status() == RunStatus.SUCCEEDED)) {
      LOG.debug("{} was ingested before (same checksum)", file);
      return Optional.empty();
    }
    String runId = IngestService.newRunId();
    LOG.info("Ingesting {} as {}", file, runId);
    try {
      IngestRun run = service.ingest(delivery, runId);
      LOG.info("{}: {} ({} rows read, {} rejected)", runId, run.status(), run.rowsRead(), run.rowsRejected());
      return Optional.of(run);
    } catch (RuntimeException e) {
      LOG.warn("{}: {} failed: {}", runId, file, e.getMessage());
      return service.ledger().find(runId);
    }
  }

  /**
   * Ingests an object of an object-store landing zone. Its checksum is known only once it is
   * downloaded, which the ingest does: an object that was ingested before (a duplicate
   * notification, one redelivered after a crash) is recorded as a DUPLICATE run and adds no rows.
   */
  private Optional<IngestRun> handleObject(String location) {
    Delivery delivery;
    try {
      delivery = service.discoverLocations(List.of(location), Optional.empty(), Optional.empty()).get(0);
    } catch (MedlakeException e) {
      LOG.warn("Not ingested: {}", e.getMessage());
      return Optional.empty();
    }
    String runId = IngestService.newRunId();
    LOG.info("Ingesting {} as {}", location, runId);
    try {
      IngestRun run = service.ingest(delivery, runId);
      LOG.info("{}: {} ({} rows read, {} rejected)", runId, run.status(), run.rowsRead(), run.rowsRejected());
      return Optional.of(run);
    } catch (RuntimeException e) {
      LOG.warn("{}: {} failed: {}", runId, location, e.getMessage());
      return service.ledger().find(runId);
    }
  }

  @Override
  public void close() {
    Thread running;
    synchronized (this) {
      this.running = false;
      running = thread;
    }
    if (running != null) {
      try {
        // the current file is finished first: an ingest is never cut off by a shutdown
        running.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    events.close();
  }
}
