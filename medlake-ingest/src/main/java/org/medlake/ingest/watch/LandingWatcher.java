package org.medlake.ingest.watch;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.file.FilePreparer;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.IngestService.Delivery;

/**
 * Ingests what a {@link LandingEvents} source hands out, one file at a time, on one thread.
 * Delivery is at least once and ingest is idempotent: a file whose checksum already has a succeeded
 * run is acknowledged without a new run, and a file whose commit happened before a crash is
 * reconciled by the ingest itself. An event is acknowledged only after its run is recorded.
 *
 * <p>A file whose run was held ({@link RunStatus#HELD}) is not ingested again while its source
 * mapping stays as it was when it was held (the same {@link SourceRegistry#fingerprint}), however
 * often it is seen; when the mapping (or its dictionary) changes, every open hold of the landing
 * zone with the old fingerprint is retried once, from its recorded source file.
 */
public final class LandingWatcher implements AutoCloseable {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(LandingWatcher.class);
  private static final Duration POLL = Duration.ofSeconds(1);

  private final IngestService service;

  /** Runs an ingest: on the process's ingestion queue, or (tests) on the watcher's thread. */
  private final Runner runner;

  private final LandingEvents events;
  private final RunListener listener;
  private final SourceRegistry sources;

  /** Fingerprints of mappings by source, recomputed only when one of their files changed. */
  private final Map<String, Fingerprint> fingerprints = new HashMap<>();

  /**
   * Holds retried, with the fingerprint they were retried for: a retry that fails is not repeated
   * until the mapping changes again.
   */
  private final Map<String, String> retried = new HashMap<>();

  private volatile boolean running;
  private Thread thread;

  /** A watcher that ingests on its own thread with {@code service}. */
  public LandingWatcher(IngestService service, LandingEvents events, RunListener listener) {
    this(service, job -> job.apply(service), events, listener);
  }

  /** A watcher that submits each ingest to {@code queue} and waits for it (one at a time). */
  public LandingWatcher(
      org.medlake.ingest.automation.IngestionQueue queue,
      LandingEvents events,
      RunListener listener) {
    this(queue.service(), queue::call, events, listener);
  }

  private interface Runner {
    IngestRun run(java.util.function.Function<IngestService, IngestRun> job)
        throws InterruptedException;
  }

  private LandingWatcher(
      IngestService service, Runner runner, LandingEvents events, RunListener listener) {
    this.service = requireNonNull(service, "service is null");
    this.runner = requireNonNull(runner, "runner is null");
    this.events = requireNonNull(events, "events is null");
    this.listener = requireNonNull(listener, "listener is null");
    this.sources = new SourceRegistry(service.lakehouse().home().sources());
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

  /**
   * Polls once for up to {@code timeout} and ingests what became ready; returns the events handled.
   */
  public List<LandingEvent> processOnce(Duration timeout) throws InterruptedException {
    List<LandingEvent> ready = events.poll(timeout);
    for (LandingEvent event : ready) {
      handle(event).ifPresent(listener::finished);
      events.acknowledge(event);
    }
    retryHolds();
    return ready;
  }

  /**
   * Retries the open holds of the landing zone whose source mapping changed since they were held.
   */
  void retryHolds() throws InterruptedException {
    for (IngestRun held : service.ledger().openHolds()) {
      if (!inLandingZone(held)) {
        continue;
      }
      Optional<String> current = fingerprint(held.sourceId());
      if (current.isEmpty()
          || current.get().equals(held.mappingSha256())
          || current.get().equals(retried.get(held.id()))) {
        continue;
      }
      retried.put(held.id(), current.get());
      String runId = IngestService.newRunId();
      LOG.info(
          "The mapping of {} changed: retrying held {} ({}) as {}",
          held.sourceId(),
          held.id(),
          held.sourceFile(),
          runId);
      try {
        IngestRun run = runner.run(ingest -> ingest.ingest(ingest.deliveryOf(held), runId));
        LOG.info(
            "{}: {} ({} rows read, {} rejected)",
            runId,
            run.status(),
            run.rowsRead(),
            run.rowsRejected());
        listener.finished(run);
      } catch (RuntimeException e) {
        LOG.warn("{}: retry of held {} failed: {}", runId, held.id(), e.getMessage());
        service.ledger().find(runId).ifPresent(listener::finished);
      }
    }
  }

  /**
   * A file of the landing directory, or an object (only an object-store landing zone records
   * those).
   */
  private boolean inLandingZone(IngestRun run) {
    if (org.medlake.core.config.S3Config.isS3(run.sourceFile())) {
      return true;
    }
    Path home = service.lakehouse().home().root();
    return home.resolve(run.sourceFile())
        .toAbsolutePath()
        .normalize()
        .startsWith(service.lakehouse().home().landing().toAbsolutePath().normalize());
  }

  /** The fingerprint of a source's mapping; empty when the mapping is gone or unreadable. */
  private Optional<String> fingerprint(String source) {
    try {
      Fingerprint known = fingerprints.get(source);
      if (known != null && known.states().equals(states(known.files()))) {
        return Optional.of(known.sha256());
      }
      List<Path> files = sources.files(source);
      List<String> states = states(files);
      String sha256 = sources.fingerprint(source);
      fingerprints.put(source, new Fingerprint(files, states, sha256));
      return Optional.of(sha256);
    } catch (RuntimeException e) {
      LOG.debug("No fingerprint of the mapping {}: {}", source, e.getMessage());
      return Optional.empty();
    }
  }

  /** Size and modification time of each file, as far as they exist. */
  private static List<String> states(List<Path> files) {
    List<String> states = new java.util.ArrayList<>();
    for (Path file : files) {
      try {
        states.add(Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis());
      } catch (java.io.IOException e) {
        states.add("missing");
      }
    }
    return states;
  }

  private record Fingerprint(List<Path> files, List<String> states, String sha256) {}

  /**
   * An open hold of this checksum made with the source's current mapping: running it again would
   * only hold it again.
   */
  private boolean heldWithCurrentMapping(String sha256, String source) {
    List<IngestRun> holds =
        service.ledger().withChecksum(sha256).stream().filter(IngestRun::openHold).toList();
    if (holds.isEmpty()) {
      return false;
    }
    Optional<String> current = fingerprint(source);
    return current.isPresent()
        && holds.stream().anyMatch(held -> held.mappingSha256().equals(current.get()));
  }

  /** Ingests the event's file unless its checksum was ingested before; the run, if one was made. */
  Optional<IngestRun> handle(LandingEvent event) throws InterruptedException {
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
    if (service.ledger().withChecksum(sha256).stream()
        .anyMatch(run -> run.status() == RunStatus.SUCCEEDED)) {
      LOG.debug("{} was ingested before (same checksum)", file);
      return Optional.empty();
    }
    if (heldWithCurrentMapping(sha256, delivery.source())) {
      LOG.debug("{} is held; it runs again when its mapping changes or an admin approves it", file);
      return Optional.empty();
    }
    String runId = IngestService.newRunId();
    LOG.info("Ingesting {} as {}", file, runId);
    try {
      IngestRun run = runner.run(ingest -> ingest.ingest(delivery, runId));
      LOG.info(
          "{}: {} ({} rows read, {} rejected)",
          runId,
          run.status(),
          run.rowsRead(),
          run.rowsRejected());
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
  private Optional<IngestRun> handleObject(String location) throws InterruptedException {
    Delivery delivery;
    try {
      delivery =
          service.discoverLocations(List.of(location), Optional.empty(), Optional.empty()).get(0);
    } catch (MedlakeException e) {
      LOG.warn("Not ingested: {}", e.getMessage());
      return Optional.empty();
    }
    String runId = IngestService.newRunId();
    LOG.info("Ingesting {} as {}", location, runId);
    try {
      IngestRun run = runner.run(ingest -> ingest.ingest(delivery, runId));
      LOG.info(
          "{}: {} ({} rows read, {} rejected)",
          runId,
          run.status(),
          run.rowsRead(),
          run.rowsRejected());
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
