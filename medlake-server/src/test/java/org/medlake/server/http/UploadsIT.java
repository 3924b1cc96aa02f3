package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.security.Role;
import org.medlake.ingest.automation.FailedUploads;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.GlucoseSource;

/**
 * Uploads over real HTTP (issue 17, points 2 to 4): concurrent uploads go through the one ingestion
 * queue, quotas and the free-disk check refuse before anything is kept, failed uploads are
 * quarantined with a retention, and no answer names an absolute server path.
 */
class UploadsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path directory;
  private MedlakeHome home;
  private String adminToken;

  private MedlakeServer start(String yaml) throws Exception {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(root.resolve("medlake.yaml"), yaml);
    home = MedlakeHome.open(root);
    Files.writeString(home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING);
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform.users().add("adm", Role.ADMIN, Optional.empty(), PASSWORD.toCharArray());
      adminToken = platform.tokens().create("adm", "test", Duration.ofDays(1)).secret();
    }
    return MedlakeServer.start(home, 0);
  }

  @Test
  void concurrentUploadsEachGetARunAndLeaveNoOrphanFile() throws Exception {
    try (MedlakeServer server = start("ingest:\n  workers: 1\n  queue-capacity: 16\n")) {
      int uploads = 6;
      ExecutorService clients = Executors.newFixedThreadPool(uploads);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int month = 1; month <= uploads; month++) {
        String body = rows(month * 100, 20, month);
        String path = "/api/v1/uploads?hospital=H009&month=2024-0" + month;
        answers.add(
            clients.submit(
                () -> {
                  go.await();
                  return upload(server, path, HttpRequest.BodyPublishers.ofString(body));
                }));
      }
      go.countDown();
      List<String> runIds = new ArrayList<>();
      for (Future<HttpResponse<String>> answer : answers) {
        runIds.add(AcceptedUploads.accepted(answer.get()));
      }
      clients.shutdown();
      for (String runId : runIds) {
        assertThat(AcceptedUploads.ended(server.port(), adminToken, runId).get("status").asText())
            .isEqualTo("SUCCEEDED");
      }
      try (RunLedger ledger = RunLedger.open(home)) {
        List<IngestRun> runs = ledger.list();
        assertThat(runs).extracting(IngestRun::id).containsExactlyInAnyOrderElementsOf(runIds);
        assertThat(runs).extracting(IngestRun::status).containsOnly(RunStatus.SUCCEEDED);
        assertThat(landingFiles())
            .containsExactlyInAnyOrderElementsOf(runs.stream().map(IngestRun::sourceFile).toList());
      }
    }
  }

  @Test
  void concurrentUploadsOfOneMonthReplaceItOneAfterAnother() throws Exception {
    try (MedlakeServer server = start("")) {
      int uploads = 4;
      ExecutorService clients = Executors.newFixedThreadPool(uploads);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int upload = 1; upload <= uploads; upload++) {
        String body = rows(upload * 100, 20, 1);
        answers.add(
            clients.submit(
                () -> {
                  go.await();
                  return upload(
                      server,
                      "/api/v1/uploads?hospital=H009&month=2024-01",
                      HttpRequest.BodyPublishers.ofString(body));
                }));
      }
      go.countDown();
      for (Future<HttpResponse<String>> answer : answers) {
        assertThat(
                AcceptedUploads.ended(server.port(), adminToken, answer.get())
                    .get("status")
                    .asText())
            .isEqualTo("SUCCEEDED");
      }
      clients.shutdown();
      // each upload replaced the month: the last one's 20 rows are stored, no more
      HttpResponse<String> count =
          send(
              HttpRequest.newBuilder(uri(server, "/api/v1/sql"))
                  .header("Authorization", "Bearer " + adminToken)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"sql\": \"SELECT count(*) FROM lab_results WHERE hospital_id = 'H009'\"}")));
      assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
      assertThat(JSON.readTree(count.body()).get("result").get("rows").get(0).get(0).asLong())
          .isEqualTo(20);
      try (RunLedger ledger = RunLedger.open(home)) {
        assertThat(landingFiles())
            .containsExactlyInAnyOrderElementsOf(
                ledger.list().stream().map(IngestRun::sourceFile).toList());
      }
    }
  }

  @Test
  void aFullQueueRefusesAnUploadWith503AndKeepsNothing() throws Exception {
    try (MedlakeServer server = start("ingest:\n  workers: 1\n  queue-capacity: 1\n")) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch running = new CountDownLatch(1);
      // one job on the worker, one waiting: the queue is full
      Future<Object> busy =
          server
              .ingestion()
              .offer(
                  service -> {
                    running.countDown();
                    await(release);
                    return null;
                  });
      running.await();
      Future<Object> waiting = server.ingestion().offer(service -> null);
      HttpResponse<String> refused =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-01",
              HttpRequest.BodyPublishers.ofString(rows(1, 10, 1)));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
      assertThat(refused.headers().firstValue("Retry-After"))
          .contains(Long.toString(IngestionJobs.RETRY_AFTER_SECONDS));
      assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("QUEUE_FULL");
      assertThat(JSON.readTree(refused.body()).get("message").asText())
          .contains("ingest.queue-capacity")
          .doesNotContain("\n");
      assertThat(landingFiles()).isEmpty();
      release.countDown();
      busy.get();
      waiting.get();
      HttpResponse<String> accepted =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-01",
              HttpRequest.BodyPublishers.ofString(rows(1, 10, 1)));
      assertThat(AcceptedUploads.ended(server.port(), adminToken, accepted).get("status").asText())
          .isEqualTo("SUCCEEDED");
    }
  }

  @Test
  void anUploadIsAnsweredWhenQueuedAndItsRunShowsQueuedThenItsOutcome() throws Exception {
    try (MedlakeServer server = start("ingest:\n  workers: 1\n")) {
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch running = new CountDownLatch(1);
      Future<Object> busy =
          server
              .ingestion()
              .offer(
                  service -> {
                    running.countDown();
                    await(release);
                    return null;
                  });
      running.await();
      // the worker is busy: the upload is answered at once, its run waits
      String runId =
          AcceptedUploads.accepted(
              upload(
                  server,
                  "/api/v1/uploads?hospital=H009&month=2024-01",
                  HttpRequest.BodyPublishers.ofString(rows(1, 10, 1))));
      HttpResponse<String> waiting = get(server, "/api/v1/runs/" + runId);
      assertThat(waiting.statusCode()).as(waiting.body()).isEqualTo(200);
      JsonNode queued = JSON.readTree(waiting.body());
      assertThat(queued.get("status").asText()).isEqualTo("QUEUED");
      assertThat(queued.get("hospital_id").asText()).isEqualTo("H009");
      assertThat(queued.get("month").asText()).isEqualTo("2024-01");
      assertThat(queued.get("source_file").asText()).startsWith("landing/h009/2024-01/upload-");
      assertThat(JSON.readTree(get(server, "/api/v1/runs").body()).findValuesAsText("id"))
          .contains(runId);
      release.countDown();
      busy.get();
      JsonNode ended = AcceptedUploads.ended(server.port(), adminToken, runId);
      assertThat(ended.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(ended.get("rows_accepted").asLong()).isEqualTo(10);
      assertThat(ended.get("source_file").asText()).isEqualTo(queued.get("source_file").asText());
    }
  }

  @Test
  void aQueuedRunThatFailsBeforeItsStageIsRecordedFailed() throws Exception {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    home = MedlakeHome.open(root);
    Files.writeString(home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING);
    Path file = Files.writeString(directory.resolve("queued.csv"), rows(1, 10, 1));
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      IngestRun queued =
          service.queued(
              new IngestService.Delivery(file, "h009", YearMonth.of(2024, 1)),
              IngestService.newRunId());
      assertThat(queued.status()).isEqualTo(RunStatus.QUEUED);
      // a queued run that fails before its stage recorded anything ends FAILED with the reason
      IngestRun failed =
          service.recordFailure(
              new IngestService.Delivery(file, "h009", YearMonth.of(2024, 1)),
              queued.id(),
              "the worker stopped");
      assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
      assertThat(failed.message()).isEqualTo("the worker stopped");
      assertThat(service.ledger().find(queued.id()).orElseThrow().status())
          .isEqualTo(RunStatus.FAILED);
    }
  }

  @Test
  void uploadsOverTheFileOrHospitalQuotaAreRefusedAndKeepNothing() throws Exception {
    try (MedlakeServer server =
        start("ingest:\n  max-upload-bytes: 2000\n  max-hospital-bytes-per-day: 3000\n")) {
      String large = rows(1, 60, 1);
      assertThat(large.length()).isGreaterThan(2000);
      HttpResponse<String> declared =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-01",
              HttpRequest.BodyPublishers.ofString(large));
      assertThat(declared.statusCode()).as(declared.body()).isEqualTo(413);
      assertThat(JSON.readTree(declared.body()).get("message").asText())
          .contains("ingest.max-upload-bytes");
      // a chunked body (no Content-Length) is cut off while it is written
      HttpResponse<String> chunked =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-01",
              HttpRequest.BodyPublishers.ofInputStream(
                  () -> new ByteArrayInputStream(large.getBytes(StandardCharsets.UTF_8))));
      assertThat(chunked.statusCode()).as(chunked.body()).isEqualTo(413);
      assertThat(landingFiles()).isEmpty();
      assertThat(allFiles(home.landing())).as("no partial upload").isEmpty();

      String small = rows(1, 20, 1);
      assertThat(small.length()).isBetween(1001, 2000);
      for (int month = 1; month <= 2; month++) {
        HttpResponse<String> accepted =
            upload(
                server,
                "/api/v1/uploads?hospital=H009&month=2024-0" + month,
                HttpRequest.BodyPublishers.ofString(rows(month * 100, 20, month)));
        AcceptedUploads.ended(server.port(), adminToken, accepted);
      }
      HttpResponse<String> overQuota =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-03",
              HttpRequest.BodyPublishers.ofString(rows(300, 20, 3)));
      assertThat(overQuota.statusCode()).as(overQuota.body()).isEqualTo(429);
      assertThat(JSON.readTree(overQuota.body()).get("message").asText())
          .contains("ingest.max-hospital-bytes-per-day");
      assertThat(landingFiles()).hasSize(2);
    }
  }

  @Test
  void anUploadThatWouldEatTheDiskReserveIsRefusedWith507() throws Exception {
    try (MedlakeServer server = start("ingest:\n  disk-reserve-bytes: 1000TB\n")) {
      HttpResponse<String> refused =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-01",
              HttpRequest.BodyPublishers.ofString(rows(1, 10, 1)));
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(507);
      assertThat(JSON.readTree(refused.body()).get("message").asText())
          .contains("ingest.disk-reserve-bytes");
      assertThat(allFiles(home.landing())).isEmpty();
    }
  }

  @Test
  void failedAndBombUploadsAreQuarantinedThenDeletedAfterTheRetention() throws Exception {
    try (MedlakeServer server =
        start("ingest:\n  max-decompressed-bytes: 100000\n  failed-upload-retention-days: 30\n")) {
      HttpResponse<String> unreadable =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-01",
              HttpRequest.BodyPublishers.ofString("no,header,we,know\n1,2,3,4\n"));
      assertThat(
              AcceptedUploads.ended(server.port(), adminToken, unreadable).get("status").asText())
          .isEqualTo("FAILED");
      ByteArrayOutputStream bomb = new ByteArrayOutputStream();
      try (GZIPOutputStream gzip = new GZIPOutputStream(bomb)) {
        gzip.write(rows(1, 10_000, 1).getBytes(StandardCharsets.UTF_8));
      }
      HttpResponse<String> inflated =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-01",
              HttpRequest.BodyPublishers.ofByteArray(bomb.toByteArray()));
      assertThat(AcceptedUploads.ended(server.port(), adminToken, inflated).get("status").asText())
          .isEqualTo("FAILED");
      // the job quarantines the file after its run is recorded FAILED
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () -> {
                assertThat(landingFiles()).as("failed uploads leave the landing zone").isEmpty();
                assertThat(allFiles(FailedUploads.directory(home))).hasSize(2);
              });
      List<Path> quarantined = allFiles(FailedUploads.directory(home));

      // 31 days later the next failure's clean-up (or the scheduled maintenance) deletes them
      for (Path file : quarantined) {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(31))));
      }
      HttpResponse<String> again =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-02",
              HttpRequest.BodyPublishers.ofString("still,not,a,delivery\n"));
      assertThat(AcceptedUploads.ended(server.port(), adminToken, again).get("status").asText())
          .isEqualTo("FAILED");
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofMinutes(1))
          .untilAsserted(
              () ->
                  assertThat(allFiles(FailedUploads.directory(home)))
                      .hasSize(1)
                      .doesNotContainAnyElementsOf(quarantined));
      List<Path> left = allFiles(FailedUploads.directory(home));
      Files.setLastModifiedTime(
          left.get(0), FileTime.from(Instant.now().minus(Duration.ofDays(31))));
      assertThat(FailedUploads.purge(home, Instant.now())).isEqualTo(1);
      assertThat(allFiles(FailedUploads.directory(home))).isEmpty();
    }
  }

  @Test
  void noAnswerNamesAnAbsoluteServerPath() throws Exception {
    try (MedlakeServer server = start("")) {
      // a file ingested by the operator from outside the home records its absolute path in the
      // ledger
      Path outside = Files.writeString(directory.resolve("outside-2024-01.csv"), rows(1, 10, 1));
      String outsideRun;
      try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
        var ingested =
            ingest.ingest(new IngestService.Delivery(outside, "h009", YearMonth.of(2024, 1)));
        assertThat(ingested.sourceFile()).startsWith("/");
        outsideRun = ingested.id();
      }
      HttpResponse<String> failed =
          upload(
              server,
              "/api/v1/uploads?hospital=H009&month=2024-02",
              HttpRequest.BodyPublishers.ofString("no,header,we,know\n1,2,3,4\n"));
      String runId = AcceptedUploads.accepted(failed);
      assertThat(AcceptedUploads.ended(server.port(), adminToken, runId).get("status").asText())
          .isEqualTo("FAILED");
      HttpResponse<String> runs = get(server, "/api/v1/runs");
      HttpResponse<String> run = get(server, "/api/v1/runs/" + runId);
      HttpResponse<String> summary =
          get(server, "/api/v1/runs/" + outsideRun + "/rejects-report?format=summary");
      assertThat(summary.statusCode()).as(summary.body()).isEqualTo(200);
      assertThat(summary.body()).contains("outside-2024-01.csv");
      for (HttpResponse<String> answer : List.of(failed, runs, run, summary)) {
        assertThat(answer.body())
            .as(answer.request().uri().toString())
            .doesNotContain(directory.toString())
            .doesNotContain(directory.toRealPath().toString())
            .doesNotContain("\"/");
      }
      assertThat(JSON.readTree(runs.body()).findValuesAsText("source_file"))
          .contains("outside-2024-01.csv");
    }
  }

  /** The delivered files below landing/, as the ledger records them (relative to the home). */
  private List<String> landingFiles() throws Exception {
    return allFiles(home.landing()).stream()
        .map(file -> home.root().relativize(file).toString())
        .toList();
  }

  private static List<Path> allFiles(Path directory) throws Exception {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      return walk.filter(Files::isRegularFile)
          .filter(file -> !file.getFileName().toString().contains("rejects"))
          .toList();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * {@code count} valid rows of distinct patients from {@code first}, collected in 2024-{@code
   * month}, with the header.
   */
  private static String rows(int first, int count, int month) {
    return GlucoseSource.csv(first, count, YearMonth.of(2024, month));
  }

  private HttpResponse<String> upload(
      MedlakeServer server, String path, HttpRequest.BodyPublisher body) throws Exception {
    return send(
        HttpRequest.newBuilder(uri(server, path))
            .header("Authorization", "Bearer " + adminToken)
            .POST(body));
  }

  private HttpResponse<String> get(MedlakeServer server, String path) throws Exception {
    return send(
        HttpRequest.newBuilder(uri(server, path))
            .header("Authorization", "Bearer " + adminToken)
            .GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(MedlakeServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
