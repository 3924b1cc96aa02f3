package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ValidationException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.ledger.RejectedRows;
import org.medlake.lake.Lakehouse;
import org.medlake.testkit.S3Server;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/** Landing zone and warehouse in an S3-compatible object store (s3proxy on loopback). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestObjectStoreIT {
  private S3Server s3;
  private MedlakeHome home;
  private GenerationReport report;
  private List<IngestRun> runs;

  @BeforeAll
  void ingestFromTheObjectStore(@TempDir Path directory) throws Exception {
    s3 = S3Server.start(directory.resolve("s3"), "lake", "landing");
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        catalog:
          warehouse: s3://lake/warehouse
          s3:
            endpoint: %s
            path-style-access: true
        ingest:
          threads: 1
        """
            .formatted(s3.endpoint()));
    home = MedlakeHome.open(root);
    Path landing = directory.resolve("generated");
    report =
        LabDataGenerator.generate(
            GeneratorOptions.builder(landing, home.sources())
                .hospitals(2)
                .months(2)
                .rowsPerFile(1500)
                .seed(5)
                .dirtyFraction(0.05)
                .build(),
            rows -> {});
    for (GeneratedFile file : report.files()) {
      s3.put(
          "landing",
          "deliveries/" + landing.relativize(file.path()).toString().replace('\\', '/'),
          file.path());
    }
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      runs =
          service.ingest(
              service.discoverLocations(
                  List.of("s3://landing/deliveries/"), Optional.empty(), Optional.empty()));
    }
  }

  @AfterAll
  void stop() throws Exception {
    s3.close();
  }

  @Test
  void everyObjectIsIngestedWithItsLocationAsTheSource() {
    assertThat(runs).hasSize(report.files().size());
    assertThat(runs)
        .allSatisfy(
            run -> {
              assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
              assertThat(run.sourceFile()).startsWith("s3://landing/deliveries/");
            });
    assertThat(runs.stream().mapToLong(IngestRun::rowsRejected).sum())
        .isEqualTo(report.files().stream().mapToLong(GeneratedFile::defectiveRows).sum());
  }

  @Test
  void dataFilesAreUploadedAndReadBackExactly() throws Exception {
    long accepted = runs.stream().mapToLong(IngestRun::rowsAccepted).sum();
    long rejected = runs.stream().mapToLong(IngestRun::rowsRejected).sum();
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      assertThat(LakeReader.count(lakehouse, lakehouse.labResults(), "SELECT count(*) FROM t"))
          .isEqualTo(accepted);
      assertThat(LakeReader.count(lakehouse, lakehouse.rejects(), "SELECT count(*) FROM t"))
          .isEqualTo(rejected);
      assertThat(
              LakeReader.count(
                  lakehouse,
                  lakehouse.labResults(),
                  "SELECT count(*) FROM t WHERE source_file NOT LIKE 's3://landing/%'"))
          .isZero();
      IngestRun withRejects =
          runs.stream().filter(run -> run.rowsRejected() > 0).findFirst().orElseThrow();
      assertThat(RejectedRows.read(lakehouse, withRejects.id(), 1_000_000))
          .hasSize((int) withRejects.rowsRejected());
    }
    assertThat(
            s3.keys("lake", "warehouse/medlake/lab_results/data/")
                .filter(key -> key.endsWith(".parquet"))
                .count())
        .isPositive();
    assertThat(home.warehouse()).isEmptyDirectory();
    try (var work = Files.list(home.temporary())) {
      assertThat(work.filter(path -> path.getFileName().toString().startsWith("run-"))).isEmpty();
    }
  }

  @Test
  void theSameObjectsAgainAreDuplicates() {
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      List<IngestRun> again =
          service.ingest(
              service.discoverLocations(
                  List.of("s3://landing/deliveries/"), Optional.empty(), Optional.empty()));
      assertThat(again).extracting(IngestRun::status).containsOnly(RunStatus.DUPLICATE);
      assertThatThrownBy(
              () ->
                  service.discoverLocations(
                      List.of("s3://landing/nothing-here/"), Optional.empty(), Optional.empty()))
          .isInstanceOf(ValidationException.class)
          .hasMessage("No .csv or .csv.gz objects under s3://landing/nothing-here/");
    }
  }
}
