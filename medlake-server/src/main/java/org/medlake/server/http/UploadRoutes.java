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
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.security.Role;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.automation.FailedUploads;
import org.medlake.ingest.automation.IngestionQueue;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.platform.store.User;

/**
 * Uploads over HTTP: a hospital's monthly file, stored in the landing zone and ingested on the
 * process's ingestion queue; the answer is the QUEUED run. An uploader uploads for its own hospital
 * only.
 */
final class UploadRoutes {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UploadRoutes.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MedlakeHome home;
  private final IngestionQueue queue;
  private final IngestionJobs jobs;
  private final PublicPaths paths;

  UploadRoutes(MedlakeHome home, IngestionQueue queue, IngestionJobs jobs, PublicPaths paths) {
    this.home = home;
    this.queue = queue;
    this.jobs = jobs;
    this.paths = paths;
  }

  void register(Javalin app) {
    app.post(MedlakeServer.UPLOADS, this::upload);
  }

  /**
   * The body is the file itself. It is stored in the landing zone under a generated name (the
   * client's file name is never used as a path), then ingested on the process's ingestion queue:
   * the answer is 202 with the QUEUED run (and its address in {@code Location}) as soon as the job
   * is queued; {@code GET /api/v1/runs/{id}} shows it RUNNING, then its outcome. Refused before
   * anything is kept: a body over {@code ingest.max-upload-bytes} (413), a hospital over {@code
   * ingest.max-hospital-bytes-per-day} (429), a disk that would keep less than {@code
   * ingest.disk-reserve-bytes} free (507), a full queue (503 with Retry-After). A file whose run
   * fails is quarantined.
   */
  private void upload(Context context) throws IOException {
    AuditTrail.mark(context, org.medlake.platform.store.AuditAction.UPLOAD, null);
    User user = Caller.require(context, Role.ADMIN, Role.UPLOADER);
    String hospital =
        user.role() == Role.UPLOADER
            ? user.hospitalId().orElseThrow()
            : context.queryParam("hospital");
    if (hospital == null || hospital.isBlank()) {
      throw ApiErrors.badRequest("'hospital' is required (query parameter)");
    }
    if (user.role() == Role.UPLOADER
        && context.queryParam("hospital") != null
        && !hospital.equals(context.queryParam("hospital"))) {
      throw ApiErrors.forbidden("You upload for hospital " + hospital + " only");
    }
    YearMonth month;
    try {
      month = YearMonth.parse(String.valueOf(context.queryParam("month")));
    } catch (DateTimeParseException e) {
      throw ApiErrors.badRequest("'month' must be YYYY-MM (query parameter)");
    }
    AuditTrail.detail(context, "hospital_id", hospital);
    AuditTrail.detail(context, "month", month.toString());
    SourceMapping mapping =
        new SourceRegistry(home.sources())
            .findByHospital(hospital)
            .orElseThrow(
                () -> new NotFoundException("No source mapping stores hospital " + hospital));
    if (queue.waiting() >= home.config().ingest().queueCapacity()) {
      throw jobs.queueFull(context);
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
    try (InputStream body = context.req().getInputStream();
        OutputStream out = Files.newOutputStream(partial)) {
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
    Path file =
        directory.resolve(
            "upload-" + IngestService.newRunId().substring(4) + (gzip ? ".csv.gz" : ".csv"));
    Files.move(partial, file);
    IngestService.Delivery delivery = new IngestService.Delivery(file, mapping.source(), month);
    IngestRun queued;
    try {
      queued =
          jobs.enqueue(
              context,
              delivery,
              new IngestionJobs.DeliveryFile() {
                @Override
                public void refused() {
                  // the answer was an error: nothing of the upload is kept
                  deleteQuietly(file);
                }

                @Override
                public void failed() {
                  quarantine(file);
                }
              });
    } catch (MedlakeException e) {
      Files.deleteIfExists(file);
      throw e;
    }
    AuditTrail.detail(context, "run_id", queued.id());
    context.header("Location", "/api/v1/runs/" + queued.id());
    context.status(202).json(paths.run(queued));
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Refused upload not deleted: {}", e.getMessage());
    }
  }

  /**
   * Moves a failed upload to the quarantine and deletes the expired ones; a failure here costs a
   * log line, not the answer.
   */
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
}
