package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MaintenanceConfig;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.maintenance.TableMaintenance;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * Maintenance leaves every query result identical, lowers the file count, and resubmissions still
 * replace.
 */
class TestTableMaintenance {
  private static final String RESULTS_QUERY =
      "SELECT hospital_id, strftime(collected_at, '%Y-%m') AS m, count(*), count(DISTINCT patient_key),"
          + " round(sum(value_numeric), 6), min(collected_at), max(ingest_run_id) FROM t GROUP BY ALL ORDER BY ALL";
  private static final String REJECTS_QUERY =
      "SELECT hospital_id, ingest_run_id, count(*), min(line_number), max(line_number) FROM t"
          + " GROUP BY ALL ORDER BY ALL";

  @TempDir Path directory;

  @Test
  void maintenanceKeepsResultsLowersTheFileCountAndRemovesOnlyOldOrphans() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    generate(home, home.landing(), 5);
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      service.ingest(service.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
      // a resubmission: the first hospital-month again, with other rows (an overwrite that leaves
      // files for expiry)
      GeneratedFile resubmitted = generate(home, directory.resolve("v2"), 6).files().get(0);
      IngestRun replacing =
          service.ingest(
              new IngestService.Delivery(
                  resubmitted.path(), resubmitted.source(), resubmitted.month()));
      assertThat(replacing.status()).isEqualTo(RunStatus.SUCCEEDED);

      Path data = Path.of(URI.create(service.lakehouse().labResults().location())).resolve("data");
      Path oldOrphan =
          Files.writeString(
              data.resolve("orphan-of-an-interrupted-run.parquet"), "left by a crash");
      Path inFlight =
          Files.writeString(data.resolve("being-written-now.parquet"), "a write in flight");
      Instant now = Instant.now().plus(Duration.ofDays(30));
      Files.setLastModifiedTime(oldOrphan, FileTime.from(now.minus(Duration.ofDays(2))));
      Files.setLastModifiedTime(inFlight, FileTime.from(now.minus(Duration.ofMinutes(5))));

      List<List<String>> resultsBefore =
          LakeReader.query(service.lakehouse().labResults(), home.temporary(), RESULTS_QUERY);
      List<List<String>> rejectsBefore =
          LakeReader.query(service.lakehouse().rejects(), home.temporary(), REJECTS_QUERY);
      long filesBefore = countFiles(home.warehouse());

      List<TableMaintenance.Report> reports =
          new TableMaintenance(service.lakehouse(), MaintenanceConfig.defaults()).run(now);

      assertThat(
              LakeReader.query(service.lakehouse().labResults(), home.temporary(), RESULTS_QUERY))
          .isEqualTo(resultsBefore);
      assertThat(LakeReader.query(service.lakehouse().rejects(), home.temporary(), REJECTS_QUERY))
          .isEqualTo(rejectsBefore);
      assertThat(countFiles(home.warehouse())).isLessThan(filesBefore);
      TableMaintenance.Report results = reports.get(0);
      assertThat(results.manifestsBefore()).isGreaterThan(1);
      assertThat(results.manifestsAfter()).isEqualTo(1);
      assertThat(results.snapshotsAfter()).isLessThan(results.snapshotsBefore());
      assertThat(results.filesAfter()).isLessThan(results.filesBefore());
      assertThat(oldOrphan).doesNotExist();
      assertThat(inFlight).exists();

      // after the history is cut, a resubmission still replaces the hospital-month instead of
      // adding to it
      GeneratedFile third = generate(home, directory.resolve("v3"), 7).files().get(0);
      IngestRun latest =
          service.ingest(new IngestService.Delivery(third.path(), third.source(), third.month()));
      assertThat(
              LakeReader.count(
                  service.lakehouse().labResults(),
                  home.temporary(),
                  "SELECT count(*) FROM t WHERE ingest_run_id = '" + replacing.id() + "'"))
          .isZero();
      assertThat(
              LakeReader.count(
                  service.lakehouse().labResults(),
                  home.temporary(),
                  "SELECT count(*) FROM t WHERE ingest_run_id = '" + latest.id() + "'"))
          .isEqualTo(latest.rowsAccepted());
    }
  }

  private static GenerationReport generate(MedlakeHome home, Path landing, long seed) {
    return LabDataGenerator.generate(
        GeneratorOptions.builder(landing, home.sources())
            .hospitals(2)
            .months(3)
            .rowsPerFile(1_500)
            .seed(seed)
            .dirtyFraction(0.02)
            .build(),
        written -> {});
  }

  private static long countFiles(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    }
  }
}
