package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.medlake.ingest.pipeline.IngestFixture.csv;
import static org.medlake.ingest.pipeline.IngestFixture.row;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.watch.LandingEvent;
import org.medlake.ingest.watch.LandingEvents;
import org.medlake.ingest.watch.LandingWatcher;

/**
 * The fail-safe: a run that would shrink or wipe stored data (no row accepted, most rows rejected,
 * a much smaller replacement) is HELD, commits nothing and leaves the file not ingested; a re-run
 * after the mapping is fixed or an admin's approval commits it.
 */
class TestHeldRuns {
  private static final YearMonth MONTH = YearMonth.of(2024, 1);
  private static final String HOLD_ON = "  hold:\n    enabled: true\n";
  private static final String RIGHT_FORMAT = "%Y-%m-%d %H:%M:%S";

  /**
   * A format the fixture's timestamps do not have: every row is rejected as INVALID_COLLECTED_AT.
   */
  private static final String WRONG_FORMAT = "%d.%m.%Y %H:%M";

  @TempDir Path directory;

  @Test
  void aRunThatAcceptsNoRowIsHeldAndTheSameBytesRunAgainOnceTheMappingIsFixed() throws Exception {
    try (IngestFixture fixture = IngestFixture.create(directory, HOLD_ON, "")) {
      IngestService service = fixture.service();
      Path sources = service.lakehouse().home().sources();
      Files.writeString(
          sources.resolve("h003.yaml"),
          IngestFixture.mapping("h003", "H003", "UTF-8", RIGHT_FORMAT));
      IngestRun first = deliver(service, fixture.write("first.csv", rows(1, 10)), "h003");
      assertThat(first.status()).isEqualTo(RunStatus.SUCCEEDED);

      // the hospital's mapping breaks: every row of the next delivery is rejected
      Files.writeString(
          sources.resolve("h003.yaml"),
          IngestFixture.mapping("h003", "H003", "UTF-8", WRONG_FORMAT));
      Path resubmitted = fixture.write("resubmitted.csv", rows(100, 12));
      Lake before = Lake.of(service, "H003");
      IngestRun held = deliver(service, resubmitted, "h003");

      assertThat(held.status()).isEqualTo(RunStatus.HELD);
      assertThat(held.message())
          .isEqualTo(
              "held: 0 of 12 rows accepted (would replace 10 stored rows of H003/2024-01); fix the mapping"
                  + " and re-run, or medlake runs approve "
                  + held.id());
      assertThat(held.rowsRead()).isEqualTo(12);
      assertThat(held.rejectedByReason()).containsEntry("INVALID_COLLECTED_AT", 12L);
      assertThat(held.snapshotId()).isNull();
      assertThat(held.mappingSha256())
          .isEqualTo(new org.medlake.core.source.SourceRegistry(sources).fingerprint("h003"));
      assertThat(service.ledger().find(held.id())).contains(held);
      assertThat(Lake.of(service, "H003")).isEqualTo(before);
      // the hospital's feedback says that nothing was stored, and why
      Path summary =
          resubmitted.resolveSibling(resubmitted.getFileName() + RejectsReport.SUMMARY_SUFFIX);
      assertThat(Files.readString(summary))
          .contains(
              "status HELD",
              "Nothing of this file was stored",
              held.message(),
              "INVALID_COLLECTED_AT: 12 row(s)");

      // the same bytes again with the mapping unchanged: held again (not a duplicate), the first
      // hold superseded
      IngestRun heldAgain = deliver(service, resubmitted, "h003");
      assertThat(heldAgain.status()).isEqualTo(RunStatus.HELD);
      assertThat(service.ledger().find(held.id()).orElseThrow().supersededBy())
          .isEqualTo(heldAgain.id());
      assertThat(service.ledger().openHolds())
          .extracting(IngestRun::id)
          .containsExactly(heldAgain.id());

      // the mapping is fixed: the same bytes run again and replace the hospital-month
      Files.writeString(
          sources.resolve("h003.yaml"),
          IngestFixture.mapping("h003", "H003", "UTF-8", RIGHT_FORMAT));
      IngestRun fixed = deliver(service, resubmitted, "h003");
      assertThat(fixed.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(fixed.rowsAccepted()).isEqualTo(12);
      assertThat(Lake.of(service, "H003").rows()).isEqualTo(12);
      IngestRun settled = service.ledger().find(heldAgain.id()).orElseThrow();
      assertThat(settled.status()).isEqualTo(RunStatus.HELD);
      assertThat(settled.supersededBy()).isEqualTo(fixed.id());
      assertThat(settled.message()).endsWith("; committed by " + fixed.id());
      assertThat(service.ledger().openHolds()).isEmpty();
      // the held run's report would no longer be true
      assertThat(summary).doesNotExist();
      // and now the file is ingested
      assertThat(deliver(service, resubmitted, "h003").status()).isEqualTo(RunStatus.DUPLICATE);
    }
  }

  @Test
  void aRunThatRejectsMostRowsIsHeldUnlessTheConfiguredShareAllowsIt() throws Exception {
    String mostlyRejected =
        csv(
            Stream.concat(
                    IntStream.range(0, 4).mapToObj(IngestFixture::row),
                    IntStream.range(4, 10).mapToObj(TestHeldRuns::invalidFlag))
                .toArray(String[]::new));
    String halfRejected =
        csv(
            Stream.concat(
                    IntStream.range(0, 5).mapToObj(IngestFixture::row),
                    IntStream.range(5, 10).mapToObj(TestHeldRuns::invalidFlag))
                .toArray(String[]::new));
    try (IngestFixture fixture = IngestFixture.create(directory.resolve("default"), HOLD_ON, "")) {
      IngestService service = fixture.service();
      Lake before = Lake.of(service, "H001");
      IngestRun held =
          deliver(
              service, fixture.write("mostly-rejected.csv", mostlyRejected), IngestFixture.SOURCE);
      assertThat(held.status()).isEqualTo(RunStatus.HELD);
      assertThat(held.message())
          .isEqualTo(
              "held: 6 of 10 rows rejected (60.0 %, more than ingest.hold.max-rejected-share 50.0 %); fix the"
                  + " mapping and re-run, or medlake runs approve "
                  + held.id());
      assertThat(Lake.of(service, "H001")).isEqualTo(before);
      // exactly the share is not more than it
      IngestRun half =
          deliver(service, fixture.write("half-rejected.csv", halfRejected), IngestFixture.SOURCE);
      assertThat(half.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(fixture.rejects(half)).hasSize(5);
      assertThat(service.ledger().find(held.id()).orElseThrow().supersededBy())
          .as("a later delivery for the month")
          .isEqualTo(half.id());
    }
    try (IngestFixture fixture =
        IngestFixture.create(
            directory.resolve("lenient"), "  hold:\n    max-rejected-share: 0.7\n", "")) {
      IngestRun run =
          deliver(
              fixture.service(),
              fixture.write("mostly-rejected.csv", mostlyRejected),
              IngestFixture.SOURCE);
      assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(fixture.rejects(run)).hasSize(6);
    }
  }

  @Test
  void aMuchSmallerReplacementIsHeldUntilAnAdminApprovesIt() throws Exception {
    try (IngestFixture fixture = IngestFixture.create(directory.resolve("default"), HOLD_ON, "")) {
      IngestService service = fixture.service();
      IngestRun full =
          deliver(service, fixture.write("full.csv", rows(1, 10)), IngestFixture.SOURCE);
      assertThat(full.status()).isEqualTo(RunStatus.SUCCEEDED);
      Lake before = Lake.of(service, "H001");

      IngestRun held =
          deliver(service, fixture.write("partial.csv", rows(50, 4)), IngestFixture.SOURCE);
      assertThat(held.status()).isEqualTo(RunStatus.HELD);
      assertThat(held.message())
          .isEqualTo(
              "held: 4 rows accepted would replace 10 stored rows of H001/2024-01 (40.0 %, less than"
                  + " ingest.hold.min-kept-share 50.0 %); fix the mapping and re-run, or medlake runs approve "
                  + held.id());
      assertThat(Lake.of(service, "H001")).isEqualTo(before);

      IngestRun approved = service.approve(held.id(), IngestService.newRunId(), "alice");
      assertThat(approved.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(approved.message()).isEqualTo("approved by alice (held as " + held.id() + ")");
      assertThat(approved.sha256()).isEqualTo(held.sha256());
      assertThat(fixture.acceptedTestNames(approved)).hasSize(4);
      assertThat(Lake.of(service, "H001").rows()).isEqualTo(4);
      IngestRun settled = service.ledger().find(held.id()).orElseThrow();
      assertThat(settled.supersededBy()).isEqualTo(approved.id());
      assertThat(settled.message()).endsWith("; approved by alice: committed as " + approved.id());
      assertThatThrownBy(() -> service.approve(held.id(), IngestService.newRunId(), "alice"))
          .isInstanceOf(MedlakeException.class)
          .hasMessage("Run " + held.id() + " is no longer held: superseded by " + approved.id())
          .satisfies(
              e ->
                  assertThat(((MedlakeException) e).errorCode()).isEqualTo(ErrorCode.RUN_NOT_HELD));
      assertThatThrownBy(() -> service.approve(full.id(), IngestService.newRunId(), "alice"))
          .hasMessage("Run " + full.id() + " is not held (it is SUCCEEDED)");

      // a file of only a header would wipe the month
      Path empty = fixture.write("header-only.csv", csv());
      IngestRun wiping = deliver(service, empty, IngestFixture.SOURCE);
      assertThat(wiping.status()).isEqualTo(RunStatus.HELD);
      assertThat(wiping.message())
          .startsWith("held: the file has no rows (would replace 4 stored rows of H001/2024-01); ");
      // approval commits the file it held, not whatever lies under its name now
      Files.writeString(empty, csv(row(99)));
      String failedRun = IngestService.newRunId();
      assertThatThrownBy(() -> service.approve(wiping.id(), failedRun, "alice"))
          .isInstanceOf(ValidationException.class)
          .hasMessageStartingWith(
              "Cannot approve "
                  + wiping.id()
                  + ": "
                  + empty.toAbsolutePath()
                  + " changed since it was held");
      assertThat(service.ledger().find(failedRun).orElseThrow().status())
          .isEqualTo(RunStatus.FAILED);
      assertThat(service.ledger().openHolds())
          .extracting(IngestRun::id)
          .containsExactly(wiping.id());
      assertThat(Lake.of(service, "H001").rows()).isEqualTo(4);
    }
    try (IngestFixture fixture =
        IngestFixture.create(
            directory.resolve("lenient"), "  hold:\n    min-kept-share: 0.3\n", "")) {
      IngestService service = fixture.service();
      assertThat(
              deliver(service, fixture.write("full.csv", rows(1, 10)), IngestFixture.SOURCE)
                  .status())
          .isEqualTo(RunStatus.SUCCEEDED);
      assertThat(
              deliver(service, fixture.write("partial.csv", rows(50, 4)), IngestFixture.SOURCE)
                  .status())
          .isEqualTo(RunStatus.SUCCEEDED);
    }
  }

  @Test
  void theWatcherLeavesAHeldFileAloneUntilItsMappingChanges() throws Exception {
    try (IngestFixture fixture = IngestFixture.create(directory, HOLD_ON, "")) {
      IngestService service = fixture.service();
      Path sources = service.lakehouse().home().sources();
      Files.writeString(
          sources.resolve("h003.yaml"),
          IngestFixture.mapping("h003", "H003", "UTF-8", WRONG_FORMAT));
      Path landed =
          service
              .lakehouse()
              .home()
              .landing()
              .resolve("h003")
              .resolve(MONTH.toString())
              .resolve("results.csv");
      Files.createDirectories(landed.getParent());
      Files.writeString(landed, rows(1, 8));
      Events events = new Events();
      List<IngestRun> finished = new ArrayList<>();
      try (LandingWatcher watcher = new LandingWatcher(service, events, finished::add)) {
        events.deliver(landed);
        watcher.processOnce(Duration.ZERO);
        assertThat(finished).extracting(IngestRun::status).containsExactly(RunStatus.HELD);
        IngestRun held = finished.get(0);

        // seen again (a rescan, a restart) and polled on: nothing runs while the mapping is the
        // same
        events.deliver(landed);
        watcher.processOnce(Duration.ZERO);
        watcher.processOnce(Duration.ZERO);
        assertThat(finished).hasSize(1);
        assertThat(service.ledger().list()).hasSize(1);

        // the mapping is fixed: the held file is retried once, from where it lies, and goes in
        Files.writeString(
            sources.resolve("h003.yaml"),
            IngestFixture.mapping("h003", "H003", "UTF-8", RIGHT_FORMAT));
        watcher.processOnce(Duration.ZERO);
        watcher.processOnce(Duration.ZERO);
        assertThat(finished)
            .extracting(IngestRun::status)
            .containsExactly(RunStatus.HELD, RunStatus.SUCCEEDED);
        assertThat(finished.get(1).rowsAccepted()).isEqualTo(8);
        assertThat(finished.get(1).sourceFile()).isEqualTo(held.sourceFile());
        assertThat(service.ledger().find(held.id()).orElseThrow().supersededBy())
            .isEqualTo(finished.get(1).id());
        assertThat(Lake.of(service, "H003").rows()).isEqualTo(8);
      }
    }
  }

  private static IngestRun deliver(IngestService service, Path file, String source) {
    return service.ingest(new IngestService.Delivery(file, source, MONTH));
  }

  /** {@code count} valid rows of distinct patients from {@code first}, with the header. */
  private static String rows(int first, int count) {
    return csv(
        IntStream.range(first, first + count).mapToObj(IngestFixture::row).toArray(String[]::new));
  }

  private static String invalidFlag(int patient) {
    return row(patient).replace(",N,", ",X,");
  }

  /**
   * What a hold must leave alone: both tables' snapshots, their data files, and a hospital's stored
   * rows.
   */
  private record Lake(Long resultsSnapshot, Long rejectsSnapshot, long dataFiles, long rows) {
    static Lake of(IngestService service, String hospitalId) throws IOException {
      Table results = service.lakehouse().labResults();
      Table rejects = service.lakehouse().rejects();
      results.refresh();
      rejects.refresh();
      long files;
      try (Stream<Path> walk = Files.walk(service.lakehouse().home().warehouse())) {
        files = walk.filter(path -> path.toString().endsWith(".parquet")).count();
      }
      return new Lake(
          snapshot(results.currentSnapshot()),
          snapshot(rejects.currentSnapshot()),
          files,
          LakeReader.count(
              results,
              service.lakehouse().home().temporary(),
              "SELECT count(*) FROM t WHERE hospital_id = '" + hospitalId + "'"));
    }

    private static Long snapshot(Snapshot snapshot) {
      return snapshot == null ? null : snapshot.snapshotId();
    }
  }

  /**
   * Hands out the files it is given, one poll at a time, as a directory rescan or a queue would.
   */
  private static final class Events implements LandingEvents {
    private final Deque<Path> files = new ArrayDeque<>();

    void deliver(Path file) {
      files.add(file);
    }

    @Override
    public List<LandingEvent> poll(Duration timeout) {
      return files.isEmpty() ? List.of() : List.of(new LandingEvent(files.poll(), "event"));
    }

    @Override
    public void acknowledge(LandingEvent event) {}

    @Override
    public void close() {}
  }
}
