package org.medlake.server.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.security.Role;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.ledger.RejectedRows;
import org.medlake.platform.store.RunLedger;
import org.medlake.ingest.automation.CompletenessCheck;
import org.medlake.ingest.automation.FailedUploads;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.RejectsReport;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.User;

/**
 * Ingestion over HTTP: runs, their rejects, uploads, and missing deliveries. Admins see every hospital; an uploader
 * sees and uploads for its own hospital only.
 */
final class IngestionRoutes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngestionRoutes.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  /** What a refused upload is told to wait: about one ingest. */
  static final long RETRY_AFTER_SECONDS = 30;

  private final MedlakeHome home;
  private final Lakehouse lakehouse;
  private final ServerMetrics metrics;
  private final IngestionQueue queue;
  private final PublicPaths paths;

  IngestionRoutes(MedlakeHome home, Lakehouse lakehouse, ServerMetrics metrics, IngestionQueue queue) {
    this.home = home;
    this.lakehouse = lakehouse;
    this.metrics = metrics;
    this.queue = queue;
    this.paths = new PublicPaths(home);
  }

  void register(Javalin app) {
    app.get("/api/v1/runs", this::runs);
    app.get("/api/v1/runs/{id}", context -> context.json(paths.run(run(context))));
    app.get("/api/v1/runs/{id}/rejects", context -> {
      IngestRun run = run(context);
      int limit = limit(context.queryParam("limit"));
      context.json(RejectedRows.read(lakehouse, run.id(), limit));
    });
    app.get("/api/v1/runs/{id}/rejects-report", this::rejectsReport);
    app.post("/api/v1/runs/{id}/approve", this::approve);
    app.post("/api/v1/uploads", this::upload);
    app.get("/api/v1/deliveries/missing", this::missingDeliveries);
  }

  /** Hospitals without a succeeded run for {@code month} (default: last month, UTC); an uploader sees its own hospital only. */
  private void missingDeliveries(Context context) {
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    String parameter = context.queryParam("month");
    YearMonth month;
    try {
      month = parameter == null ? YearMonth.now(ZoneOffset.UTC).minusMonths(1) : YearMonth.parse(parameter);
    } catch (DateTimeParseException e) {
      throw HttpError.badRequest("'month' must be YYYY-MM (query parameter)");
    }
    try (RunLedger ledger = RunLedger.open(home)) {
      context.json(CompletenessCheck.missing(new SourceRegistry(home.sources()), ledger, month).stream()
          .filter(missing -> user.role() == Role.ADMIN || user.hospitalId().map(missing.hospitalId()::equals).orElse(false))
          .toList());
    }
  }

  /**
   * The run's rejects report: CSV (the default) or the readable summary; only for admins and the run's
   * hospital. The CSV is streamed from the rejects table to the response row by row (never built in
   * memory: a run's rejected rows can be gigabytes); the summary reads the rows once, keeping counts
   * and a few samples per reason.
   */
  private void rejectsReport(Context context) throws IOException {
    IngestRun run = run(context);
    String format = context.queryParamAsClass("format", String.class).getOrDefault("csv");
    // the report names the run's file as the API shows it: never an absolute server path
    RejectsReport report = RejectsReport.load(lakehouse, paths.run(run));
    switch (format) {
      case "csv" -> {
        context.contentType("text/csv; charset=utf-8");
        context.header("Content-Disposition", "attachment; filename=\"" + run.id() + RejectsReport.CSV_SUFFIX + "\"");
        java.io.Writer csv = new java.io.BufferedWriter(
            new java.io.OutputStreamWriter(context.outputStream(), java.nio.charset.StandardCharsets.UTF_8), 1 << 16);
        report.writeCsv(csv);
        csv.flush();
      }
      case "summary" -> context.contentType("text/plain; charset=utf-8").result(report.summary());
      default -> throw HttpError.badRequest("'format' must be csv or summary, not '" + format + "'");
    }
  }

  private void runs(Context context) {
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    try (RunLedger ledger = RunLedger.open(home)) {
      List<IngestRun> runs = ledger.list().stream().filter(run -> visible(user, run)).map(paths::run).toList();
      context.json(runs);
    }
  }

  private IngestRun run(Context context) {
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    try (RunLedger ledger = RunLedger.open(home)) {
      // a run of another hospital is reported as missing, not as forbidden: its existence is not the uploader's business
      return ledger.find(context.pathParam("id")).filter(run -> visible(user, run))
          .orElseThrow(() -> new NotFoundException("No ingestion run '" + context.pathParam("id") + "'"));
    }
  }

  /**
   * The body is the file itself. It is stored in the landing zone under a generated name (the
   * client's file name is never used as a path), then ingested on the process's ingestion queue;
   * the answer waits for the run. Refused before anything is kept: a body over
   * {@code ingest.max-upload-bytes} (413), a hospital over {@code ingest.max-hospital-bytes-per-day}
   * (429), a disk that would keep less than {@code ingest.disk-reserve-bytes} free (507), a full
   * queue (503 with Retry-After). A file whose run fails is quarantined.
   */
  private void upload(Context context) throws IOException, InterruptedException {
    AuditTrail.mark(context, org.medlake.platform.store.AuditAction.UPLOAD, null);
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    String hospital = user.role() == Role.UPLOADER ? user.hospitalId().orElseThrow() : context.queryParam("hospital");
    if (hospital == null || hospital.isBlank()) {
      throw HttpError.badRequest("'hospital' is required (query parameter)");
    }
    if (user.role() == Role.UPLOADER && context.queryParam("hospital") != null && !hospital.equals(context.queryParam("hospital"))) {
      throw HttpError.forbidden("You upload for hospital " + hospital + " only");
    }
    YearMonth month;
    try {
      month = YearMonth.parse(String.valueOf(context.queryParam("month")));
    } catch (DateTimeParseException e) {
      throw HttpError.badRequest("'month' must be YYYY-MM (query parameter)");
    }
    AuditTrail.detail(context, "hospital_id", hospital);
    AuditTrail.detail(context, "month", month.toString());
    SourceMapping mapping = new SourceRegistry(home.sources()).findByHospital(hospital)
        .orElseThrow(() -> new NotFoundException("No source mapping stores hospital " + hospital));
    if (queue.waiting() >= home.config().ingest().queueCapacity()) {
      queueFull(context);
      return;
    }
    UploadQuota quota = new UploadQuota(home, mapping.source(), Instant.now());
    long declared = context.req().getContentLengthLong();
    quota.check(declared);
    Path directory = home.landing().resolve(mapping.source()).resolve(month.toString());
    Files.createDirectories(directory);
    byte[] random = new byte[6];
    RANDOM.nextBytes(random);
    Path partial = directory.resolve(".upload-" + HexFormat.of().formatHex(random) + ".part");
    boolean gzip;
    try (InputStream body = context.req().getInputStream(); OutputStream out = Files.newOutputStream(partial)) {
      byte[] head = body.readNBytes(2);
      gzip = head.length == 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B;
      out.write(head);
      byte[] buffer = new byte[1 << 16];
      long total = head.length;
      long checked = 0;
      int read;
      while ((read = body.read(buffer)) > 0) {
        total += read;
        if (total - checked >= UploadQuota.CHECK_EVERY_BYTES || total > quota.maxUploadBytes()) {
          quota.checkWritten(total);
          checked = total;
        }
        out.write(buffer, 0, read);
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(partial);
      throw e;
    }
    Path file = directory.resolve("upload-" + IngestService.newRunId().substring(4) + (gzip ? ".csv.gz" : ".csv"));
    Files.move(partial, file);
    String runId = IngestService.newRunId();
    IngestService.Delivery delivery = new IngestService.Delivery(file, mapping.source(), month);
    java.util.concurrent.Future<IngestRun> job;
    try {
      job = queue.offer(service -> service.ingest(delivery, runId));
    } catch (IngestionQueue.QueueFullException e) {
      Files.deleteIfExists(file);
      queueFull(context);
      return;
    }
    IngestRun run;
    try {
      run = IngestionQueue.await(job);
    } catch (RuntimeException e) {
      quarantine(file);
      failedRun(context, runId, e);
      return;
    }
    metrics.ingestRun(run, run.startedAt());
    AuditTrail.detail(context, "run_id", run.id());
    AuditTrail.detail(context, "rows_read", run.rowsRead());
    AuditTrail.detail(context, "rows_rejected", run.rowsRejected());
    context.status(201).json(paths.run(run));
  }

  /** 422 naming the run that failed, or {@code error} as it is when the job failed before its run was recorded. */
  private void failedRun(Context context, String runId, RuntimeException error) {
    IngestRun failed = queue.service().ledger().find(runId).orElseThrow(() -> error);
    metrics.ingestRun(failed, failed.startedAt());
    AuditTrail.detail(context, "run_id", failed.id());
    context.status(422).json(new ErrorBody("INGEST_FAILED", paths.message(failed.message()), java.util.Map.of("run_id", failed.id())));
  }

  /** 503 with Retry-After: the ingestion queue is full; nothing was kept. */
  private void queueFull(Context context) {
    AuditTrail.detail(context, "refused", "queue full");
    context.attribute(AuditTrail.ERROR_CODE, "QUEUE_FULL");
    context.header("Retry-After", Long.toString(RETRY_AFTER_SECONDS));
    context.status(503).json(new ErrorBody("QUEUE_FULL", "The ingestion queue is full (ingest.queue-capacity "
        + home.config().ingest().queueCapacity() + " jobs waiting); try again in " + RETRY_AFTER_SECONDS + " s", java.util.Map.of()));
  }

  /** Moves a failed upload to the quarantine and deletes the expired ones; a failure here costs a log line, not the answer. */
  private void quarantine(Path file) {
    try {
      if (Files.exists(file)) {
        FailedUploads.quarantine(home, file, Instant.now());
      }
      FailedUploads.purge(home, Instant.now());
    } catch (RuntimeException e) {
      LOG.warn("Failed upload not quarantined: {}", e.getMessage());
    }
  }

  /**
   * Commits a held run's file as it is (admins only, audited): the file is ingested again from the
   * run's recorded source file with the hold check bypassed, on the ingestion queue; the answer is
   * the new run.
   */
  private void approve(Context context) throws InterruptedException {
    String heldRunId = context.pathParam("id");
    String target = "approve run " + heldRunId;
    AuditTrail.mark(context, org.medlake.platform.store.AuditAction.ADMIN, target.length() <= 200 ? target : target.substring(0, 200));
    User user = Caller.require(context, Role.ADMIN);
    String runId = IngestService.newRunId();
    java.util.concurrent.Future<IngestRun> job;
    try {
      job = queue.offer(service -> service.approve(heldRunId, runId, user.name()));
    } catch (IngestionQueue.QueueFullException e) {
      queueFull(context);
      return;
    }
    IngestRun run;
    try {
      run = IngestionQueue.await(job);
    } catch (RuntimeException e) {
      // not held, unknown, changed file: the error as it is; a run that failed: 422 naming it, as an upload
      failedRun(context, runId, e);
      return;
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
      throw HttpError.badRequest("'limit' must be a whole number of at least 1 (query parameter)");
    }
    return (int) Math.min(10_000, limit);
  }

  private static boolean visible(User user, IngestRun run) {
    return user.role() == Role.ADMIN || user.hospitalId().map(run.hospitalId()::equals).orElse(false);
  }
}
