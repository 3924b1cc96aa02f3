package org.medlake.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.security.Role;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.platform.store.AuditAction;
import org.medlake.platform.store.User;

/**
 * Runs triggered and awaited by a scheduler (Airflow's HttpOperator and HttpSensor, cron with
 * curl): a trigger per source and month that is idempotent, and a status that a sensor can poll,
 * with a held run reported as failed with its reason (docs/deploy.md, "Orchestrators").
 */
final class RunTriggers {

  /** Statuses of a run that is still on its way: a trigger joins it. */
  private static final Set<RunStatus> IN_FLIGHT = EnumSet.of(RunStatus.QUEUED, RunStatus.RUNNING);

  /** Statuses of a run whose file is stored: a trigger for the same file returns it. */
  private static final Set<RunStatus> STORED = EnumSet.of(RunStatus.SUCCEEDED, RunStatus.DUPLICATE);

  private final MedlakeHome home;
  private final IngestionQueue queue;
  private final IngestionJobs jobs;
  private final PublicPaths paths;

  RunTriggers(MedlakeHome home, IngestionQueue queue, IngestionJobs jobs, PublicPaths paths) {
    this.home = home;
    this.queue = queue;
    this.jobs = jobs;
    this.paths = paths;
  }

  void register(Javalin app) {
    app.post("/api/v1/runs/trigger", this::trigger);
    app.get("/api/v1/runs/{id}/status", this::status);
  }

  /**
   * Ingests the month's delivery of a source from the landing zone ({@code
   * <ingest.landing-location>/<source>/<YYYY-MM>/}, else {@code landing/<source>/<YYYY-MM>/}, its
   * last delivery file in path order: the one that would be stored last). Idempotent per source and
   * month, across the server processes sharing the platform database: while a run of that source
   * and month is QUEUED or RUNNING, the answer is that run (200); when the latest run of it stored
   * this same file (SUCCEEDED or DUPLICATE), the answer is that run too. Otherwise (no run yet, the
   * latest FAILED or HELD: a retry; or a new file landed) a new run is queued: 202 with the QUEUED
   * run.
   */
  private void trigger(Context context) throws Exception {
    AuditTrail.mark(context, AuditAction.UPLOAD, "trigger");
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    JsonNode body = RequestBodies.body(context);
    String source = RequestBodies.text(body, "source");
    YearMonth month;
    try {
      month = YearMonth.parse(RequestBodies.text(body, "month"));
    } catch (DateTimeParseException e) {
      throw ApiErrors.badRequest("'month' must be YYYY-MM");
    }
    // looked up among the mappings, never resolved from the request: no path comes from the caller
    SourceMapping mapping =
        new SourceRegistry(home.sources())
            .all().stream()
                .filter(candidate -> candidate.source().equals(source))
                .findFirst()
                .orElseThrow(() -> new NotFoundException("No source mapping '" + source + "'"));
    if (user.role() == Role.UPLOADER
        && !user.hospitalId().map(mapping.hospitalId()::equals).orElse(false)) {
      throw ApiErrors.forbidden(
          "You trigger runs for hospital " + user.hospitalId().orElse("") + " only");
    }
    AuditTrail.mark(context, AuditAction.UPLOAD, "trigger " + source + "/" + month);
    AuditTrail.detail(context, "hospital_id", mapping.hospitalId());
    AuditTrail.detail(context, "month", month.toString());
    IngestService service = queue.service();
    IngestService.Delivery delivery = delivery(service, source, month);
    String sourceFile = service.sourceFile(delivery);
    // the look-up and the QUEUED record under one lock per source and month, held across the
    // server tasks sharing the platform database (and the threads of each)
    Triggered triggered =
        service
            .ledger()
            .exclusively(
                "trigger " + source + "/" + month,
                () ->
                    existing(source, month, sourceFile)
                        .map(run -> new Triggered(run, false))
                        .orElseGet(
                            () ->
                                new Triggered(
                                    jobs.enqueue(
                                        context, delivery, IngestionJobs.DeliveryFile.KEPT),
                                    true)));
    IngestRun answer = triggered.run();
    boolean started = triggered.started();
    AuditTrail.detail(context, "run_id", answer.id());
    AuditTrail.detail(context, "started", started);
    context.header("Location", "/api/v1/runs/" + answer.id());
    context.status(started ? 202 : 200).json(paths.run(answer));
  }

  /** The run a trigger answers, and whether the trigger queued it. */
  private record Triggered(IngestRun run, boolean started) {}

  /**
   * The run a trigger returns instead of starting one: the source-month's run in flight, else its
   * latest run if that stored {@code sourceFile}.
   */
  private Optional<IngestRun> existing(String source, YearMonth month, String sourceFile) {
    // the source-month's runs only, not the whole ledger, while the lock is held
    List<IngestRun> runs = queue.service().ledger().list(source, month.toString());
    Optional<IngestRun> inFlight =
        runs.stream().filter(run -> IN_FLIGHT.contains(run.status())).reduce((a, b) -> b);
    if (inFlight.isPresent()) {
      return inFlight;
    }
    return runs.stream()
        .reduce((a, b) -> b)
        .filter(run -> STORED.contains(run.status()) && run.sourceFile().equals(sourceFile));
  }

  /**
   * The month's delivery in the landing zone ({@code ingest.landing-location}, else the home's
   * {@code landing/}): its last delivery file in path order.
   */
  private IngestService.Delivery delivery(IngestService service, String source, YearMonth month) {
    Optional<String> location = home.config().ingest().landingLocation();
    if (location.isPresent()) {
      return objectDelivery(
          service, location.get() + "/" + source + "/" + month + "/", source, month);
    }
    Path directory = home.landing().resolve(source).resolve(month.toString());
    String shown = "landing/" + source + "/" + month;
    if (!Files.isDirectory(directory)) {
      throw new NotFoundException("No delivery in " + shown + "/");
    }
    List<IngestService.Delivery> found =
        service.discover(List.of(directory), Optional.of(source), Optional.of(month));
    if (found.isEmpty()) {
      throw new NotFoundException("No .csv or .csv.gz file in " + shown + "/");
    }
    return found.get(found.size() - 1);
  }

  /** The last delivery object under {@code prefix}, in key order. */
  private static IngestService.Delivery objectDelivery(
      IngestService service, String prefix, String source, YearMonth month) {
    List<IngestService.Delivery> found;
    try {
      found = service.discoverLocations(List.of(prefix), Optional.of(source), Optional.of(month));
    } catch (ValidationException e) {
      // nothing delivered under the prefix: the same answer as an empty landing/ directory
      throw new NotFoundException("No delivery in " + prefix);
    }
    return found.get(found.size() - 1);
  }

  /**
   * A run's state for a sensor: {@code queued}, {@code running}, {@code succeeded} (committed, or
   * the file was stored before) or {@code failed} (FAILED or HELD: nothing committed), with {@code
   * done} and the reason of a failed one.
   */
  private void status(Context context) {
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    String id = context.pathParam("id");
    IngestRun run =
        queue
            .service()
            .ledger()
            .find(id)
            .filter(
                found ->
                    user.role() == Role.ADMIN
                        || user.hospitalId().map(found.hospitalId()::equals).orElse(false))
            .map(paths::run)
            .orElseThrow(() -> new NotFoundException("No ingestion run '" + id + "'"));
    context.json(RunState.of(run));
  }
}
