package org.medlake.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.security.Role;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.automation.CompletenessCheck;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.ingest.ledger.RejectedRows;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.RejectsReport;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.RunLedger;
import org.medlake.platform.store.User;

/**
 * Ingestion runs over HTTP: the runs, their rejects and rejects reports, the approval of a held
 * run, and missing deliveries. Admins see every hospital; an uploader sees its own hospital only.
 */
final class RunRoutes {
  private final MedlakeHome home;
  private final Lakehouse lakehouse;
  private final ServerMetrics metrics;
  private final IngestionQueue queue;
  private final IngestionJobs jobs;
  private final PublicPaths paths;

  RunRoutes(
      MedlakeHome home,
      Lakehouse lakehouse,
      ServerMetrics metrics,
      IngestionQueue queue,
      IngestionJobs jobs,
      PublicPaths paths) {
    this.home = home;
    this.lakehouse = lakehouse;
    this.metrics = metrics;
    this.queue = queue;
    this.jobs = jobs;
    this.paths = paths;
  }

  void register(Javalin app) {
    app.get("/api/v1/runs", this::runs);
    app.get("/api/v1/runs/{id}", context -> context.json(paths.run(run(context))));
    app.get(
        "/api/v1/runs/{id}/rejects",
        context -> {
          IngestRun run = run(context);
          int limit = limit(context.queryParam("limit"));
          context.json(RejectedRows.read(lakehouse, run.id(), limit));
        });
    app.get("/api/v1/runs/{id}/rejects-report", this::rejectsReport);
    app.get(
        "/api/v1/runs/{id}/rejects-layout",
        context -> context.json(RejectsLayout.of(home, run(context))));
    app.post("/api/v1/runs/{id}/approve", this::approve);
    app.get("/api/v1/deliveries/missing", this::missingDeliveries);
  }

  /**
   * Hospitals without a succeeded run for {@code month} (default: last month, UTC, or the
   * configured {@code schedules.completeness-month}); an uploader sees its own hospital only.
   */
  private void missingDeliveries(Context context) {
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    String parameter = context.queryParam("month");
    YearMonth month;
    try {
      month =
          parameter == null
              ? home.config().schedules().expectedMonth(Clock.systemUTC())
              : YearMonth.parse(parameter);
    } catch (DateTimeParseException e) {
      throw ApiErrors.badRequest("'month' must be YYYY-MM (query parameter)");
    }
    context.json(
        CompletenessCheck.missing(new SourceRegistry(home.sources()), ledger(), month).stream()
            .filter(
                missing ->
                    user.role() == Role.ADMIN
                        || user.hospitalId().map(missing.hospitalId()::equals).orElse(false))
            .toList());
  }

  /**
   * The run's rejects report: CSV (the default) or the readable summary; only for admins and the
   * run's hospital. The CSV is streamed from the rejects table to the response row by row (never
   * built in memory: a run's rejected rows can be gigabytes); the summary reads the rows once,
   * keeping counts and a few samples per reason.
   */
  private void rejectsReport(Context context) throws IOException {
    IngestRun run = run(context);
    String format = context.queryParamAsClass("format", String.class).getOrDefault("csv");
    // the report names the run's file as the API shows it: never an absolute server path
    RejectsReport report = RejectsReport.load(lakehouse, paths.run(run));
    switch (format) {
      case "csv" -> {
        context.contentType("text/csv; charset=utf-8");
        context.header(
            "Content-Disposition",
            "attachment; filename=\"" + run.id() + RejectsReport.CSV_SUFFIX + "\"");
        java.io.Writer csv =
            new java.io.BufferedWriter(
                new java.io.OutputStreamWriter(
                    context.outputStream(), java.nio.charset.StandardCharsets.UTF_8),
                1 << 16);
        report.writeCsv(csv);
        csv.flush();
      }
      case "summary" -> context.contentType("text/plain; charset=utf-8").result(report.summary());
      default ->
          throw ApiErrors.badRequest("'format' must be csv or summary, not '" + format + "'");
    }
  }

  private void runs(Context context) {
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    List<IngestRun> runs =
        ledger().list().stream().filter(run -> visible(user, run)).map(paths::run).toList();
    context.json(runs);
  }

  private IngestRun run(Context context) {
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    // a run of another hospital is reported as missing, not as forbidden: its existence is not the
    // uploader's business
    return ledger()
        .find(context.pathParam("id"))
        .filter(run -> visible(user, run))
        .orElseThrow(
            () -> new NotFoundException("No ingestion run '" + context.pathParam("id") + "'"));
  }

  /**
   * INGEST_FAILED naming the run that failed, or {@code error} as it is when the job failed before
   * its run was recorded.
   */
  private MedlakeException failedRun(Context context, String runId, RuntimeException error) {
    IngestRun failed = queue.service().ledger().find(runId).orElseThrow(() -> error);
    metrics.ingestRun(failed, failed.startedAt());
    AuditTrail.detail(context, "run_id", failed.id());
    return new MedlakeException(
        ErrorCode.INGEST_FAILED, failed.message(), Map.of("run_id", failed.id()));
  }

  /**
   * Commits a held run's file as it is (admins only, audited): the file is ingested again from the
   * run's recorded source file with the hold check bypassed, on the ingestion queue; the answer is
   * the new run.
   */
  private void approve(Context context) throws InterruptedException {
    String heldRunId = context.pathParam("id");
    String target = "approve run " + heldRunId;
    AuditTrail.mark(
        context,
        org.medlake.platform.store.AuditAction.ADMIN,
        target.length() <= 200 ? target : target.substring(0, 200));
    User user = Caller.require(context, Role.ADMIN);
    String runId = IngestService.newRunId();
    Future<IngestRun> job;
    job = jobs.offer(context, service -> service.approve(heldRunId, runId, user.name()));
    IngestRun run;
    try {
      run = IngestionQueue.await(job);
    } catch (RuntimeException e) {
      // not held, unknown, changed file: the error as it is; a run that failed: 422 naming it, as
      // an upload
      throw failedRun(context, runId, e);
    }
    metrics.ingestRun(run, run.startedAt());
    AuditTrail.detail(context, "run_id", run.id());
    AuditTrail.detail(context, "run_status", run.status().name());
    AuditTrail.detail(context, "rows_accepted", run.rowsAccepted());
    context.status(201).json(paths.run(run));
  }

  /** The {@code limit} query parameter of the rejects: 100 when absent, at most 10 000. */
  static int limit(String parameter) {
    if (parameter == null) {
      return 100;
    }
    long limit;
    try {
      limit = Long.parseLong(parameter);
    } catch (NumberFormatException e) {
      limit = 0;
    }
    if (limit < 1) {
      throw ApiErrors.badRequest("'limit' must be a whole number of at least 1 (query parameter)");
    }
    return (int) Math.min(10_000, limit);
  }

  /** The process's run ledger: the one of the ingestion queue's service. */
  private RunLedger ledger() {
    return queue.service().ledger();
  }

  private static boolean visible(User user, IngestRun run) {
    return user.role() == Role.ADMIN
        || user.hospitalId().map(run.hospitalId()::equals).orElse(false);
  }
}
