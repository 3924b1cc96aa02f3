package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import de.siegmar.fastcsv.reader.CsvReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.watch.DirectoryLandingEvents;
import org.medlake.ingest.watch.LandingEvent;
import org.medlake.ingest.watch.LandingEvents;
import org.medlake.ingest.watch.LandingWatcher;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * Files dropped into a watched landing zone are ingested exactly once, with feedback for the
 * hospital.
 */
class TestLandingWatcher {
  @TempDir Path directory;

  @Test
  void filesDroppedIntoAWatchedDirectoryAreIngestedExactlyOnce() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    GenerationReport report = generate(home, directory.resolve("staging"));
    List<IngestRun> finished = new ArrayList<>();
    try (IngestService service = IngestService.open(home, ProgressListener.NONE);
        LandingWatcher watcher =
            new LandingWatcher(
                service,
                new DirectoryLandingEvents(
                    home.landing(),
                    Duration.ofMillis(300),
                    Duration.ofSeconds(2),
                    Clock.systemUTC()),
                finished::add)) {
      List<Path> delivered = new ArrayList<>();
      for (GeneratedFile file : report.files()) {
        delivered.add(
            deliverInTwoWrites(
                file.path(),
                home.landing()
                    .resolve(file.source())
                    .resolve(file.month().toString())
                    .resolve(file.path().getFileName())));
      }
      // the same bytes delivered a second time under another name: a duplicate, not a new run
      Path duplicate = delivered.get(0).resolveSibling("again-" + delivered.get(0).getFileName());
      Files.copy(delivered.get(0), duplicate);
      Set<Path> handled = new HashSet<>();
      List<Path> expected = new ArrayList<>(delivered);
      expected.add(duplicate);
      processUntilHandled(watcher, handled, expected);

      assertThat(finished).hasSize(report.files().size());
      List<IngestRun> runs = service.ledger().list();
      assertThat(runs).hasSize(report.files().size());
      long accepted = 0;
      for (GeneratedFile file : report.files()) {
        String sourceFile =
            "landing/" + file.source() + "/" + file.month() + "/" + file.path().getFileName();
        // whichever of the two equal files came first is the one ingested
        String duplicateName = home.root().relativize(duplicate).toString();
        List<IngestRun> ofFile =
            runs.stream()
                .filter(
                    run ->
                        run.sourceFile().equals(sourceFile)
                            || file == report.files().get(0)
                                && run.sourceFile().equals(duplicateName))
                .toList();
        assertThat(ofFile)
            .as("%s among %s", sourceFile, runs.stream().map(IngestRun::sourceFile).toList())
            .hasSize(1);
        IngestRun run = ofFile.get(0);
        assertThat(run.status()).as(sourceFile).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(run.rowsRead()).as(sourceFile).isEqualTo(file.dataRows());
        assertThat(run.rowsRejected()).as(sourceFile).isEqualTo(file.defectiveRows());
        accepted += run.rowsAccepted();
        assertRejectsReport(home.root().resolve(run.sourceFile()), run);
      }
      assertThat(
              LakeReader.count(
                  service.lakehouse().labResults(), home.temporary(), "SELECT count(*) FROM t"))
          .isEqualTo(accepted);

      // a later notification for a file that was ingested (a touch, a rescan after a restart) adds
      // nothing
      Files.setLastModifiedTime(delivered.get(1), FileTime.from(Instant.now().plusSeconds(5)));
      handled.clear();
      processUntilHandled(watcher, handled, List.of(delivered.get(1)));
      assertThat(service.ledger().list()).hasSize(report.files().size());
    }
  }

  @Test
  void aDuplicateNotificationAddsNoRunAndEveryEventIsAcknowledged() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    GenerationReport report = generate(home, home.landing());
    Path first = report.files().get(0).path();
    Path second = report.files().get(1).path();
    QueueEvents queue = new QueueEvents(first, first, second, first);
    try (IngestService service = IngestService.open(home, ProgressListener.NONE);
        LandingWatcher watcher = new LandingWatcher(service, queue, run -> {})) {
      while (!queue.isDrained()) {
        watcher.processOnce(Duration.ZERO);
      }
      assertThat(queue.acknowledged).hasSize(4);
      assertThat(service.ledger().list())
          .hasSize(2)
          .allSatisfy(run -> assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED));
    }
  }

  private static GenerationReport generate(MedlakeHome home, Path landing) {
    return LabDataGenerator.generate(
        GeneratorOptions.builder(landing, home.sources())
            .hospitals(2)
            .months(2)
            .rowsPerFile(2_000)
            .seed(11)
            .dirtyFraction(0.02)
            .build(),
        written -> {});
  }

  /** Writes the file in two steps, as a slow transfer would. */
  private static Path deliverInTwoWrites(Path source, Path target) throws IOException {
    byte[] bytes = Files.readAllBytes(source);
    Files.createDirectories(target.getParent());
    Files.write(target, Arrays.copyOf(bytes, bytes.length / 2));
    Files.write(
        target,
        Arrays.copyOfRange(bytes, bytes.length / 2, bytes.length),
        StandardOpenOption.APPEND);
    return target;
  }

  private static void processUntilHandled(
      LandingWatcher watcher, Set<Path> handled, List<Path> expected) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    while (!handled.containsAll(expected)) {
      assertThat(Instant.now()).as("handled %s of %s", handled, expected).isBefore(deadline);
      for (LandingEvent event : watcher.processOnce(Duration.ofSeconds(1))) {
        handled.add(event.file());
      }
    }
  }

  private static void assertRejectsReport(Path deliveredFile, IngestRun run) throws IOException {
    Path csv = deliveredFile.resolveSibling(deliveredFile.getFileName() + RejectsReport.CSV_SUFFIX);
    Path summary =
        deliveredFile.resolveSibling(deliveredFile.getFileName() + RejectsReport.SUMMARY_SUFFIX);
    if (run.rowsRejected() == 0) {
      assertThat(csv).doesNotExist();
      return;
    }
    try (CsvReader<de.siegmar.fastcsv.reader.CsvRecord> reader =
        CsvReader.builder().ofCsvRecord(csv)) {
      List<de.siegmar.fastcsv.reader.CsvRecord> records = reader.stream().toList();
      assertThat(records.get(0).getFields())
          .containsExactly("line_number", "reason_codes", "raw_line");
      assertThat(records).hasSize((int) run.rowsRejected() + 1);
    }
    String text = Files.readString(summary);
    assertThat(text).contains("rejected " + run.rowsRejected());
    for (String reason : run.rejectedByReason().keySet()) {
      assertThat(text).contains(reason + ": ");
    }
  }

  /** A queue-like source: hands out its notifications one per poll, duplicates included. */
  private static final class QueueEvents implements LandingEvents {
    private final Deque<LandingEvent> notifications = new ArrayDeque<>();
    private final List<LandingEvent> acknowledged = new ArrayList<>();

    QueueEvents(Path... files) {
      int receipt = 0;
      for (Path file : files) {
        notifications.add(new LandingEvent(file, "receipt-" + receipt++));
      }
    }

    boolean isDrained() {
      return notifications.isEmpty();
    }

    @Override
    public List<LandingEvent> poll(Duration timeout) {
      return notifications.isEmpty() ? List.of() : List.of(notifications.poll());
    }

    @Override
    public void acknowledge(LandingEvent event) {
      acknowledged.add(event);
    }

    @Override
    public void close() {}
  }
}
