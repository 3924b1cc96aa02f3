package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.watch.LandingEvent;
import org.medlake.ingest.watch.LandingEvents;
import org.medlake.ingest.watch.LandingWatcher;
import org.medlake.ingest.watch.QueueLandingEvents;
import org.medlake.ingest.watch.SqsServer;
import org.medlake.testkit.S3Server;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * An S3 landing zone watched through the queue its notifications go to: s3proxy holds the objects,
 * ElasticMQ the queue, and the test publishes the notifications S3 would send.
 */
class QueueLandingWatcherIT {
  private static final String BUCKET = "landing";

  @TempDir Path directory;
  private S3Server s3;
  private SqsServer sqs;

  @AfterEach
  void stop() throws Exception {
    if (sqs != null) {
      sqs.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void everyNotifiedObjectIsIngestedOnceAcrossDuplicatesAndACrash() throws Exception {
    s3 = S3Server.start(directory.resolve("s3"), BUCKET);
    sqs = SqsServer.start();
    // a received message not deleted within a second is handed out again
    String queueUrl = sqs.createQueue("medlake-landing", 1);
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        catalog:
          s3:
            endpoint: %s
            path-style-access: true
        ingest:
          threads: 1
        watch:
          queue-url: %s
          queue-endpoint: %s
        """
            .formatted(s3.endpoint(), queueUrl, sqs.endpoint()));
    MedlakeHome home = MedlakeHome.open(root);
    Path generated = directory.resolve("generated");
    GenerationReport report =
        LabDataGenerator.generate(
            GeneratorOptions.builder(generated, home.sources())
                .hospitals(2)
                .months(2)
                .rowsPerFile(1_500)
                .seed(17)
                .dirtyFraction(0.03)
                .build(),
            rows -> {});
    List<String> keys = new ArrayList<>();
    for (GeneratedFile file : report.files()) {
      String relative = generated.relativize(file.path()).toString().replace('\\', '/');
      // one key with a space and a plus, which the notification carries URL-encoded
      String key =
          "deliveries/" + (keys.isEmpty() ? relative.replace(".csv", " export+1.csv") : relative);
      s3.put(BUCKET, key, file.path());
      keys.add(key);
    }
    Map<String, GeneratedFile> fileOf = new java.util.HashMap<>();
    for (int i = 0; i < keys.size(); i++) {
      fileOf.put("s3://" + BUCKET + "/" + keys.get(i), report.files().get(i));
    }

    // the first watcher ingests the first object and dies before it deletes the message
    sqs.send(queueUrl, created(keys.get(0), report.files().get(0)));
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      LandingWatcher crashing =
          new LandingWatcher(
              service,
              new CrashBeforeAcknowledging(QueueLandingEvents.open(home.config().watch())),
              run -> {});
      Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
      boolean crashed = false;
      while (!crashed) {
        assertThat(Instant.now())
            .as("the first notification was never received")
            .isBefore(deadline);
        try {
          crashing.processOnce(Duration.ofSeconds(1));
        } catch (Crash e) {
          crashed = true;
        }
      }
      crashing.close();
      assertThat(service.ledger().list())
          .singleElement()
          .satisfies(
              run -> {
                assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
                assertThat(run.sourceFile()).isEqualTo("s3://landing/" + keys.get(0));
              });
    }
    assertThat(sqs.messagesIn(queueUrl))
        .as("the unacknowledged message stays in the queue")
        .isEqualTo(1);

    // the rest, a duplicate notification, and notifications with nothing to ingest
    for (int i = 1; i < keys.size(); i++) {
      sqs.send(queueUrl, created(keys.get(i), report.files().get(i)));
    }
    sqs.send(queueUrl, created(keys.get(2), report.files().get(2)));
    String month = keys.get(1).substring(0, keys.get(1).lastIndexOf('/'));
    sqs.send(queueUrl, SqsServer.s3Notification("ObjectRemoved:Delete", BUCKET, keys.get(1), 0));
    sqs.send(
        queueUrl,
        SqsServer.s3Notification("ObjectCreated:Put", BUCKET, month + "/.in-flight.csv", 10));
    sqs.send(
        queueUrl,
        SqsServer.s3Notification("ObjectCreated:Put", BUCKET, keys.get(1) + ".rejects.csv", 10));
    sqs.send(
        queueUrl, SqsServer.s3Notification("ObjectCreated:Put", BUCKET, month + "/readme.txt", 10));
    sqs.send(
        queueUrl,
        """
        {"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-25T10:00:00.000Z","Bucket":"landing"}""");
    sqs.send(queueUrl, "not json");

    List<IngestRun> finished = new ArrayList<>();
    try (IngestService service = IngestService.open(home, ProgressListener.NONE);
        LandingWatcher watcher =
            new LandingWatcher(
                service, QueueLandingEvents.open(home.config().watch()), finished::add)) {
      Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
      while (sqs.messagesIn(queueUrl) > 0) {
        assertThat(Instant.now()).as("messages left in the queue").isBefore(deadline);
        watcher.processOnce(Duration.ofSeconds(1));
      }

      List<IngestRun> runs = service.ledger().list();
      Map<String, List<IngestRun>> succeeded =
          runs.stream()
              .filter(run -> run.status() == RunStatus.SUCCEEDED)
              .collect(Collectors.groupingBy(IngestRun::sourceFile));
      assertThat(succeeded.keySet()).containsExactlyInAnyOrderElementsOf(fileOf.keySet());
      long accepted = 0;
      for (Map.Entry<String, GeneratedFile> entry : fileOf.entrySet()) {
        assertThat(succeeded.get(entry.getKey())).as(entry.getKey()).hasSize(1);
        IngestRun run = succeeded.get(entry.getKey()).get(0);
        assertThat(run.rowsRead()).as(entry.getKey()).isEqualTo(entry.getValue().dataRows());
        assertThat(run.rowsRejected())
            .as(entry.getKey())
            .isEqualTo(entry.getValue().defectiveRows());
        accepted += run.rowsAccepted();
      }
      // the redelivered first message and the duplicate notification: recorded as duplicates, no
      // rows added
      assertThat(
              runs.stream()
                  .filter(run -> run.status() != RunStatus.SUCCEEDED)
                  .collect(
                      Collectors.toMap(
                          IngestRun::sourceFile, IngestRun::status, (left, right) -> left)))
          .containsOnly(
              Map.entry("s3://landing/" + keys.get(0), RunStatus.DUPLICATE),
              Map.entry("s3://landing/" + keys.get(2), RunStatus.DUPLICATE));
      assertThat(runs).hasSize(keys.size() + 2);
      assertThat(finished)
          .extracting(IngestRun::sourceFile)
          .doesNotContain(
              "s3://landing/" + month + "/.in-flight.csv",
              "s3://landing/" + keys.get(1) + ".rejects.csv",
              "s3://landing/" + month + "/readme.txt");
      assertThat(
              LakeReader.count(
                  service.lakehouse().labResults(), home.temporary(), "SELECT count(*) FROM t"))
          .isEqualTo(accepted);
    }
    // an object's rejects are in the rejects table; no report lands in the working directory
    try (var written = Files.list(Path.of("").toAbsolutePath())) {
      assertThat(written.map(path -> path.getFileName().toString()))
          .noneMatch(name -> name.contains(".rejects."));
    }
  }

  private static String created(String key, GeneratedFile file) throws java.io.IOException {
    return SqsServer.s3Notification("ObjectCreated:Put", BUCKET, key, Files.size(file.path()));
  }

  private static final class Crash extends RuntimeException {
    Crash() {
      super("crashed before acknowledging");
    }
  }

  /**
   * Hands out the queue's events, then fails where the message would be deleted, as a killed
   * watcher would.
   */
  private record CrashBeforeAcknowledging(LandingEvents delegate) implements LandingEvents {
    @Override
    public List<LandingEvent> poll(Duration timeout) throws InterruptedException {
      return delegate.poll(timeout);
    }

    @Override
    public void acknowledge(LandingEvent event) {
      throw new Crash();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
