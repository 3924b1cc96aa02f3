package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/** Ingests a generated dirty landing zone once and checks what the lake holds. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TestIngestGenerated {
  private Path directory;
  private MedlakeHome home;
  private GenerationReport report;
  private Map<Path, IngestRun> runs;

  @BeforeAll
  void ingestDirtyLandingZone(@TempDir Path directory) {
    this.directory = directory;
    // a small vault batch: every file's ids are linked in several transactions; small chunks:
    // every file of 3,000 rows is processed in about three chunks (TestChunkedIngest compares
    // chunked and whole ingests directly)
    try {
      java.nio.file.Files.createDirectories(directory.resolve("home"));
      java.nio.file.Files.writeString(
          directory.resolve("home").resolve("medlake.yaml"),
          "ingest:\n  vault-batch: 50\n  chunk-rows: 1000\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    home = MedlakeHome.open(directory.resolve("home"));
    report =
        LabDataGenerator.generate(
            GeneratorOptions.builder(home.landing(), home.sources())
                .hospitals(3)
                .months(2)
                .rowsPerFile(3000)
                .seed(11)
                .dirtyFraction(0.05)
                .build(),
            rows -> {});
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      runs =
          service
              .ingest(service.discover(List.of(home.landing()), Optional.empty(), Optional.empty()))
              .stream()
              .collect(
                  Collectors.toMap(
                      run -> home.root().resolve(run.sourceFile()).normalize(),
                      Function.identity()));
    }
  }

  @Test
  void everyInjectedDefectIsRejectedWithItsReasonAndEveryCleanRowIsAccepted() {
    assertThat(runs).hasSize(report.files().size());
    for (GeneratedFile file : report.files()) {
      IngestRun run = runs.get(file.path().toAbsolutePath().normalize());
      assertThat(run.status()).as(file.path().toString()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(run.rejectedByReason()).as(file.path().toString()).isEqualTo(file.defects());
      assertThat(run.rowsRejected()).isEqualTo(file.defectiveRows());
      assertThat(run.rowsRead() + run.rowsFiltered()).isEqualTo(file.dataRows());
      assertThat(run.rowsRead()).isEqualTo(run.rowsAccepted() + run.rowsRejected());
    }
  }

  @Test
  void tablesHoldExactlyTheAcceptedAndRejectedRows() {
    long accepted = runs.values().stream().mapToLong(IngestRun::rowsAccepted).sum();
    long rejected = runs.values().stream().mapToLong(IngestRun::rowsRejected).sum();
    try (var lakehouse = org.medlake.lake.Lakehouse.open(home)) {
      assertThat(
              LakeReader.count(lakehouse.labResults(), home.temporary(), "SELECT count(*) FROM t"))
          .isEqualTo(accepted);
      assertThat(LakeReader.count(lakehouse.rejects(), home.temporary(), "SELECT count(*) FROM t"))
          .isEqualTo(rejected);
      assertThat(
              LakeReader.count(
                  lakehouse.rejects(),
                  home.temporary(),
                  "SELECT count(*) FROM t WHERE line_number < 2 OR len(reason_codes) = 0 OR raw_line IS NULL"))
          .isZero();
    }
  }

  @Test
  void noLocalIdentifierReachesTheTable() {
    try (var lakehouse = org.medlake.lake.Lakehouse.open(home)) {
      Table table = lakehouse.labResults();
      assertThat(
              LakeReader.count(
                  table,
                  home.temporary(),
                  "SELECT count(*) FROM t WHERE NOT regexp_full_match(patient_key, 'p\\.' || hospital_id || '\\.([0-9a-f]{2}){4,9}')"
                      + " OR NOT regexp_full_match(coalesce(encounter_key, 'e.' || hospital_id || '.00000000'), 'e\\.' || hospital_id || '\\.([0-9a-f]{2}){4,9}')"))
          .isZero();
      GeneratedFile first = report.files().get(0);
      String localIds =
          "SELECT DISTINCT patient_id AS id FROM read_csv("
              + org.medlake.lake.DuckDb.literal(first.path().toString())
              + ", all_varchar = true, ignore_errors = true)";
      assertThat(
              LakeReader.count(
                  table,
                  home.temporary(),
                  "SELECT count(*) FROM t WHERE patient_key IN ("
                      + localIds
                      + ") OR encounter_key IN ("
                      + localIds
                      + ")"))
          .isZero();
      // the same local patient keeps one surrogate across months
      assertThat(
              LakeReader.count(
                  table,
                  home.temporary(),
                  "SELECT count(*) FROM (SELECT patient_key FROM t WHERE hospital_id = 'H001' GROUP BY patient_key"
                      + " HAVING count(DISTINCT date_trunc('month', collected_at)) > 1)"))
          .isPositive();
    }
  }

  @Test
  void reingestingTheSameFilesAddsNothing() {
    long snapshotsBefore;
    try (var lakehouse = org.medlake.lake.Lakehouse.open(home)) {
      snapshotsBefore = count(lakehouse.labResults().snapshots());
    }
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      List<IngestRun> again =
          service.ingest(
              service.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
      assertThat(again).extracting(IngestRun::status).containsOnly(RunStatus.DUPLICATE);
      assertThat(again)
          .allSatisfy(run -> assertThat(run.message()).startsWith("already ingested by run-"));
    }
    try (var lakehouse = org.medlake.lake.Lakehouse.open(home)) {
      assertThat(count(lakehouse.labResults().snapshots())).isEqualTo(snapshotsBefore);
    }
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void resubmissionReplacesTheHospitalMonthAndKeepsTheOldVersionReadable() {
    Path corrected = directory.resolve("corrected");
    GenerationReport resubmitted =
        LabDataGenerator.generate(
            // as many rows as the first delivery: a much smaller one would be held (TestHeldRuns)
            GeneratorOptions.builder(corrected, directory.resolve("unused-sources"))
                .hospitals(1)
                .months(1)
                .rowsPerFile(3000)
                .seed(99)
                .build(),
            rows -> {});
    GeneratedFile file = resubmitted.files().get(0);
    try (var lakehouse = org.medlake.lake.Lakehouse.open(home);
        IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      Table table = lakehouse.labResults();
      String hospitalMonth =
          "SELECT count(*) FROM t WHERE hospital_id = 'H001' AND ingest_run_id = ";
      long before = LakeReader.count(table, home.temporary(), "SELECT count(*) FROM t");
      long oldSnapshot = table.currentSnapshot().snapshotId();
      IngestRun previous =
          runs.values().stream()
              .filter(run -> run.hospitalId().equals("H001") && run.month().equals("2024-01"))
              .findFirst()
              .orElseThrow();
      IngestRun run =
          service.ingest(new IngestService.Delivery(file.path(), "h001", YearMonth.of(2024, 1)));
      assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(run.rowsAccepted()).isEqualTo(file.dataRows());
      table.refresh();
      assertThat(
              LakeReader.count(table, home.temporary(), hospitalMonth + "'" + previous.id() + "'"))
          .isZero();
      assertThat(LakeReader.count(table, home.temporary(), hospitalMonth + "'" + run.id() + "'"))
          .isEqualTo(file.dataRows());
      assertThat(LakeReader.count(table, home.temporary(), "SELECT count(*) FROM t"))
          .isEqualTo(before - previous.rowsAccepted() + run.rowsAccepted());
      assertThat(table.snapshot(oldSnapshot)).isNotNull();
      long oldVersionRows = 0;
      try (var tasks = table.newScan().useSnapshot(oldSnapshot).planFiles()) {
        for (var task : tasks) {
          oldVersionRows += task.file().recordCount();
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      assertThat(oldVersionRows).isEqualTo(before);
    }
  }

  private static long count(Iterable<?> items) {
    long count = 0;
    for (Object ignored : items) {
      count++;
    }
    return count;
  }
}
