package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.PostgresServer;
import org.medlake.testkit.S3Server;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * The distributed profile end to end: two machines (homes) share a PostgreSQL catalog and platform
 * database (run ledger, link vault) and an S3 warehouse and landing zone, and ingest different
 * hospitals at the same time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistributedProfileIT {
  private static final String KEY = "a-shared-pseudonym-key-for-tests";

  private S3Server s3;
  private PostgresServer postgres;
  private String platformUrl;
  private final List<MedlakeHome> machines = new ArrayList<>();
  private GenerationReport report;
  private final List<IngestRun> runs = new ArrayList<>();

  @BeforeAll
  void ingestOnTwoMachines(@TempDir Path directory) throws Exception {
    s3 = S3Server.start(directory.resolve("s3"), "lake", "landing");
    postgres = PostgresServer.start();
    String catalogUrl = postgres.createDatabase("catalog");
    platformUrl = postgres.createDatabase("platform");
    Path generated = directory.resolve("generated");
    Path sources = directory.resolve("sources");
    report =
        LabDataGenerator.generate(
            GeneratorOptions.builder(generated, sources)
                .hospitals(2)
                .months(2)
                .rowsPerFile(1000)
                .seed(3)
                .dirtyFraction(0.05)
                .build(),
            rows -> {});
    for (GeneratedFile file : report.files()) {
      s3.put(
          "landing", generated.relativize(file.path()).toString().replace('\\', '/'), file.path());
    }
    for (int machine = 0; machine < 2; machine++) {
      Path root = directory.resolve("machine-" + machine);
      Files.createDirectories(root.resolve("sources"));
      Files.writeString(
          root.resolve("medlake.yaml"),
          """
          catalog:
            warehouse: s3://lake/warehouse
            jdbc-url: %s
            jdbc-user: %s
            s3:
              endpoint: %s
              path-style-access: true
          ingest:
            threads: 1
          platform:
            jdbc-url: %s
            jdbc-user: %s
          """
              .formatted(
                  catalogUrl,
                  PostgresServer.USER,
                  s3.endpoint(),
                  platformUrl,
                  PostgresServer.USER));
      try (Stream<Path> mappings = Files.list(sources)) {
        for (Path mapping : mappings.toList()) {
          Files.copy(mapping, root.resolve("sources").resolve(mapping.getFileName()));
        }
      }
      Files.writeString(
          root.resolve("pseudonym.key"),
          java.util.Base64.getEncoder()
              .encodeToString(KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      machines.add(MedlakeHome.open(root));
    }
    List<String> hospitals;
    try (Stream<Path> directories = Files.list(generated)) {
      hospitals = directories.map(path -> path.getFileName().toString()).sorted().toList();
    }
    assertThat(hospitals).hasSize(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<List<IngestRun>>> results = new ArrayList<>();
    for (int machine = 0; machine < 2; machine++) {
      MedlakeHome home = machines.get(machine);
      String prefix = "s3://landing/" + hospitals.get(machine) + "/";
      results.add(
          pool.submit(
              () -> {
                try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
                  return service.ingest(
                      service.discoverLocations(
                          List.of(prefix), Optional.empty(), Optional.empty()));
                }
              }));
    }
    for (Future<List<IngestRun>> result : results) {
      runs.addAll(result.get());
    }
    pool.shutdown();
  }

  @AfterAll
  void stop() throws Exception {
    postgres.close();
    s3.close();
  }

  @Test
  void everyRunIsInTheSharedLedgerAndEveryAcceptedRowInTheLake() {
    assertThat(runs)
        .hasSize(report.files().size())
        .allMatch(run -> run.status() == RunStatus.SUCCEEDED);
    for (MedlakeHome machine : machines) {
      try (RunLedger ledger = RunLedger.open(machine)) {
        assertThat(ledger.list())
            .extracting(IngestRun::id)
            .containsExactlyInAnyOrderElementsOf(runs.stream().map(IngestRun::id).toList());
      }
    }
    try (Lakehouse lakehouse = Lakehouse.open(machines.get(1))) {
      assertThat(LakeReader.count(lakehouse, lakehouse.labResults(), "SELECT count(*) FROM t"))
          .isEqualTo(runs.stream().mapToLong(IngestRun::rowsAccepted).sum());
      assertThat(LakeReader.count(lakehouse, lakehouse.rejects(), "SELECT count(*) FROM t"))
          .isEqualTo(runs.stream().mapToLong(IngestRun::rowsRejected).sum());
    }
  }

  @Test
  void theSharedVaultHoldsOneSurrogatePerPatientInTheLake() throws Exception {
    long patientsInLake;
    try (Lakehouse lakehouse = Lakehouse.open(machines.get(0))) {
      patientsInLake =
          LakeReader.count(
              lakehouse,
              lakehouse.labResults(),
              "SELECT count(DISTINCT (hospital_id, patient_key)) FROM t");
    }
    try (Connection connection = DriverManager.getConnection(platformUrl, PostgresServer.USER, "");
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*), count(DISTINCT surrogate) FROM id_links WHERE kind = 'p'")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(patientsInLake);
      assertThat(rows.getLong(2)).isEqualTo(patientsInLake);
    }
  }

  @Test
  void aFileIngestedOnOneMachineIsADuplicateOnTheOther() {
    IngestRun first = runs.get(0); // ingested by machine 0
    try (IngestService other = IngestService.open(machines.get(1), ProgressListener.NONE)) {
      IngestService.Delivery delivery =
          other
              .discoverLocations(List.of(first.sourceFile()), Optional.empty(), Optional.empty())
              .get(0);
      IngestRun again = other.ingest(delivery);
      assertThat(again.status()).isEqualTo(RunStatus.DUPLICATE);
      assertThat(again.message()).contains(first.id());
    }
  }
}
