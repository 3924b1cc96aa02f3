package org.medlake.spark.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.lake.Lakehouse;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * The embedded profile: one dirty local landing zone ingested with the embedded pipeline into one
 * home and with the Spark job ({@code local[2]}, in a child JVM) into a second home that shares the
 * first one's link vault (a copy of {@code vault.db}), compared exactly ({@link ParityChecks}).
 */
class SparkParityIT extends ParityChecks {
  @TempDir static Path root;

  @BeforeAll
  void ingestWithBothEngines() throws IOException {
    scratch = root.resolve("duckdb-tmp");
    Path directory = root.resolve("landing");
    landing = directory.toString();
    embedded = open(root.resolve("embedded"), "");
    generated =
        LabDataGenerator.generate(
            GeneratorOptions.builder(directory, embedded.sources())
                .hospitals(2)
                .months(2)
                .start(YearMonth.of(2024, 11))
                .rowsPerFile(3_000)
                .dirtyFraction(0.05)
                .seed(11)
                .realWorld()
                .build(),
            rows -> {});
    writeEdgeCases(directory.resolve("h001").resolve("2024-10").resolve("edge-cases.csv"));
    try (IngestService service = IngestService.open(embedded, (file, phase, fraction) -> {})) {
      embeddedRuns =
          service.ingest(service.discover(List.of(directory), Optional.empty(), Optional.empty()));
    }
    spark = open(root.resolve("spark"), "");
    copyDirectory(embedded.sources(), spark.sources());
    // the same key and vault: a local patient gets the same surrogate whichever engine ingests it
    Files.copy(
        embedded.pseudonymKeyFile(), spark.pseudonymKeyFile(), StandardCopyOption.REPLACE_EXISTING);
    Files.copy(
        embedded.vaultDatabase(), spark.vaultDatabase(), StandardCopyOption.REPLACE_EXISTING);
    Lakehouse.open(spark).close();
    job =
        SparkJobProcess.run(
            root.resolve("spark-job.log"),
            List.of(),
            "--home",
            spark.root().toString(),
            "--master",
            "local[2]",
            landing);
  }
}
