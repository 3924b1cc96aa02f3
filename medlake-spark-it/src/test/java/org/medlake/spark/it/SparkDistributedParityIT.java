package org.medlake.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.vault.LinkVault;
import org.medlake.core.vault.PseudonymKey;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.lake.Lakehouse;
import org.medlake.testkit.PostgresServer;
import org.medlake.testkit.S3Server;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * The distributed profile: the dirty landing zone lies in an S3 bucket (s3proxy), both homes keep
 * their Iceberg catalog in PostgreSQL and their warehouse in the object store, their run ledger and
 * link vault in a PostgreSQL platform database. The embedded pipeline ingests into one, the Spark
 * job ({@code local[2]}, child JVM, with Iceberg's Spark runtime and AWS bundle on Spark's class
 * path as on EMR) into the other, whose vault starts as a copy of the first one's links; {@link
 * ParityChecks} compares what they stored.
 */
class SparkDistributedParityIT extends ParityChecks {
  @TempDir static Path root;

  private S3Server s3;
  private PostgresServer postgres;
  private String embeddedPlatform;
  private String sparkPlatform;

  @BeforeAll
  void ingestWithBothEngines() throws Exception {
    scratch = root.resolve("duckdb-tmp");
    s3 = S3Server.start(root.resolve("s3"), "lake", "landing");
    postgres = PostgresServer.start();
    embeddedPlatform = postgres.createDatabase("platform_embedded");
    sparkPlatform = postgres.createDatabase("platform_spark");
    embedded =
        open(
            root.resolve("embedded"),
            distributed(
                postgres.createDatabase("catalog_embedded"),
                "s3://lake/embedded",
                embeddedPlatform));
    spark =
        open(
            root.resolve("spark"),
            distributed(
                postgres.createDatabase("catalog_spark"), "s3://lake/spark", sparkPlatform));

    Path directory = root.resolve("generated");
    generated =
        LabDataGenerator.generate(
            GeneratorOptions.builder(directory, embedded.sources())
                .hospitals(2)
                .months(2)
                .start(YearMonth.of(2024, 11))
                .rowsPerFile(3_000)
                .dirtyFraction(0.05)
                .seed(17)
                .build(),
            rows -> {});
    writeEdgeCases(directory.resolve("h001").resolve("2024-10").resolve("edge-cases.csv"));
    writeCleanFile(directory.resolve("h001").resolve("2024-09").resolve("clean.csv"));
    handWritten = 2;
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        s3.put(
            "landing",
            "deliveries/" + directory.relativize(file).toString().replace('\\', '/'),
            file);
      }
    }
    landing = "s3://landing/deliveries/";

    try (IngestService service = IngestService.open(embedded, (file, phase, fraction) -> {})) {
      embeddedRuns =
          service.ingest(
              service.discoverLocations(List.of(landing), Optional.empty(), Optional.empty()));
    }
    copyDirectory(embedded.sources(), spark.sources());
    Files.copy(
        embedded.pseudonymKeyFile(), spark.pseudonymKeyFile(), StandardCopyOption.REPLACE_EXISTING);
    // the same key and vault: the Spark home's platform database gets the embedded one's links
    byte[] key = PseudonymKey.load(spark.pseudonymKeyFile(), Optional.empty());
    LinkVault.open(spark, key).close();
    copyLinks(embeddedPlatform, sparkPlatform);
    Lakehouse.open(spark).close();

    // with Iceberg's Spark runtime and AWS bundle on Spark's class path, as on EMR: the job's own
    // class loader keeps their Iceberg, Parquet, Jackson and AWS SDK away from the pipeline's
    job =
        SparkJobProcess.run(
            root.resolve("spark-job.log"),
            SparkJobProcess.SparkClassPath.SPARK_WITH_CLUSTER_JARS,
            List.of(
                "-Daws.accessKeyId=" + S3Server.ACCESS_KEY,
                "-Daws.secretAccessKey=" + S3Server.SECRET_KEY,
                "-Daws.requestChecksumCalculation=when_required",
                "-Daws.responseChecksumValidation=when_required"),
            "--home",
            spark.root().toString(),
            "--master",
            "local[2]",
            landing);
  }

  @AfterAll
  void stop() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void theSparkJobWroteOnlyToTheObjectStoreAndPostgres() throws Exception {
    assertThat(job.exitCode()).as(job.output()).isZero();
    // no SQLite catalog, vault or ledger and no local warehouse in the Spark home; nothing left in
    // staging
    assertThat(spark.root().resolve("catalog.db")).doesNotExist();
    assertThat(spark.vaultDatabase()).doesNotExist();
    assertThat(spark.platformDatabase()).doesNotExist();
    assertThat(spark.warehouse()).isEmptyDirectory();
    try (Stream<String> keys = s3.keys("lake", "spark/")) {
      List<String> all = keys.toList();
      assertThat(all).anyMatch(key -> key.startsWith("spark/medlake/lab_results/data/"));
      assertThat(all).noneMatch(key -> key.startsWith("spark/staging/"));
    }
    // every run is in the Spark home's PostgreSQL ledger, with the object as its source file
    assertThat(
            count(
                sparkPlatform,
                "SELECT count(*) FROM ingest_runs WHERE status = 'SUCCEEDED' AND source_file LIKE 's3://landing/deliveries/%'"))
        .isEqualTo(generated.files().size() + handWritten);
    // rejects reports of object deliveries are served by the API, never written where the process
    // runs
    try (Stream<Path> here = Files.list(Path.of("").toAbsolutePath())) {
      assertThat(here.map(path -> path.getFileName().toString()))
          .noneMatch(name -> name.contains(".rejects."));
    }
    // the Spark job linked no patient the embedded pipeline had not: both vaults hold the same
    // links
    assertThat(count(sparkPlatform, "SELECT count(*) FROM id_links"))
        .isEqualTo(count(embeddedPlatform, "SELECT count(*) FROM id_links"))
        .isPositive();
  }

  /**
   * A delivery that needs no normalization (plain UTF-8, LF, no overlong or invalid lines):
   * executors read the object itself.
   */
  private static void writeCleanFile(Path file) throws java.io.IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        String.join(
                "\n",
                "patient_id,encounter_id,loinc,test_name,result,unit,ref_low,ref_high,flag,collected_at,resulted_at,sex,birth_year,specimen",
                "P9101,E9101,2823-3,Potassium,4.2,mmol/L,3.5,5.1,N,2024-09-27 02:30:00,2024-09-27 03:10:00,F,1961,serum",
                "P9102,E9102,2345-7,Glucose,>= 100,mg/dL,70,99,H,2024-09-01 00:30:00,2024-09-01 01:10:00,M,1948,serum",
                "P9103,,2106-3,hCG urine,NEG,,,,,2024-09-10 11:00:00,,F,1990,urine",
                "P9101,E9101,2345-7,Glucose,91,mg/dL,70,99,N,2024-09-05 08:00:00,2024-09-05 07:00:00,F,1961,serum",
                "P9104,E9104,2345-7,Glucose,\"5,5\",mmol/L,3.9,5.5,N,2024-09-11 07:00:00,2024-09-11 08:00:00,M,1970,serum")
            + "\n");
  }

  private String distributed(String catalogUrl, String warehouse, String platformUrl) {
    return """
        catalog:
          warehouse: %s
          jdbc-url: %s
          jdbc-user: %s
          s3:
            endpoint: %s
            path-style-access: true
        platform:
          jdbc-url: %s
          jdbc-user: %s
        """
        .formatted(
            warehouse,
            catalogUrl,
            PostgresServer.USER,
            s3.endpoint(),
            platformUrl,
            PostgresServer.USER);
  }

  private static void copyLinks(String fromUrl, String toUrl) throws SQLException {
    try (Connection from = DriverManager.getConnection(fromUrl, PostgresServer.USER, "");
        Connection to = DriverManager.getConnection(toUrl, PostgresServer.USER, "");
        Statement select = from.createStatement();
        ResultSet rows = select.executeQuery("SELECT * FROM id_links")) {
      int columns = rows.getMetaData().getColumnCount();
      String placeholders = String.join(", ", java.util.Collections.nCopies(columns, "?"));
      try (PreparedStatement insert =
          to.prepareStatement("INSERT INTO id_links VALUES (" + placeholders + ")")) {
        while (rows.next()) {
          for (int column = 1; column <= columns; column++) {
            insert.setObject(column, rows.getObject(column));
          }
          insert.addBatch();
        }
        insert.executeBatch();
      }
    }
  }

  private static long count(String url, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, PostgresServer.USER, "");
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getLong(1);
    }
  }
}
