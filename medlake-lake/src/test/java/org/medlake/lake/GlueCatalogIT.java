package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import org.medlake.testkit.GlueServer;
import org.medlake.testkit.S3Server;

/**
 * {@code catalog.type: glue}: Iceberg's GlueCatalog with the AWS SDK's Glue client against a Glue
 * API server on loopback ({@link GlueServer}), over an S3 warehouse (s3proxy).
 */
class GlueCatalogIT {
  @TempDir static Path directory;
  static S3Server s3;
  // one Glue catalog per test: each holds its own database medlake
  GlueServer glue;

  @BeforeAll
  static void startS3() throws Exception {
    s3 = S3Server.start(directory.resolve("s3"), "lake");
  }

  @AfterAll
  static void stopS3() throws Exception {
    s3.close();
  }

  @BeforeEach
  void startGlue() throws Exception {
    glue = GlueServer.start();
  }

  @AfterEach
  void stopGlue() {
    glue.close();
  }

  static MedlakeHome home(Path root, String glueEndpoint) throws Exception {
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        catalog:
          type: glue
          warehouse: s3://lake/%s
          glue-endpoint: %s
          s3:
            endpoint: %s
            path-style-access: true
            region: eu-central-1
            connect-timeout-seconds: 2
        """
            .formatted(root.getFileName(), glueEndpoint, s3.endpoint()));
    return MedlakeHome.open(root);
  }

  @Test
  void tablesAreGlueTablesThatAthenaCanRead() throws Exception {
    MedlakeHome home = home(directory.resolve("home"), glue.endpoint());
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      LabResultFiles.append(home, lakehouse, "H001", YearMonth.of(2024, 1), 400, 30);
      Table table = lakehouse.labResults();
      assertThat(table.location()).isEqualTo("s3://lake/home/medlake/lab_results");
      String metadata = ((BaseTable) table).operations().current().metadataFileLocation();
      assertThat(metadata).startsWith("s3://lake/home/medlake/lab_results/metadata/");

      // what Athena and Trino's Glue connector look for: an ICEBERG table pointing at the current
      // metadata file, in the database named like medlake's namespace
      assertThat(glue.tableNames("medlake")).contains("lab_results", "lab_results_rejects");
      assertThat(glue.tableParameters("medlake", "lab_results").orElseThrow())
          .containsEntry("table_type", "ICEBERG")
          .containsEntry("metadata_location", metadata);
      assertThat(glue.tableType("medlake", "lab_results")).contains("EXTERNAL_TABLE");
      assertThat(glue.tableLocation("medlake", "lab_results"))
          .contains("s3://lake/home/medlake/lab_results");
      assertThat(s3.keys("lake", "home/medlake/lab_results/data/").toList()).hasSize(1);
      assertThat(home.root().resolve("catalog.db")).doesNotExist();
    }

    // a second process opens the same tables: nothing is created twice, the data is there
    try (Lakehouse again = Lakehouse.open(home)) {
      assertThat(again.labResults().currentSnapshot().summary())
          .containsEntry("total-records", "400");
    }
  }

  @Test
  void concurrentWritersAllLandThroughGluesVersionCheck() throws Exception {
    MedlakeHome home = home(directory.resolve("concurrent"), glue.endpoint());
    try (Lakehouse setUp = Lakehouse.open(home)) {
      setUp.labResults();
    }
    long before = glue.calls("UpdateTable");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<String>> writes = new ArrayList<>();
      for (int writer = 0; writer < 4; writer++) {
        String hospital = "H10" + writer;
        Callable<String> write =
            () -> {
              try (Lakehouse lakehouse = Lakehouse.open(home)) {
                return LabResultFiles.append(
                    home, lakehouse, hospital, YearMonth.of(2024, 3), 100, 10);
              }
            };
        writes.add(pool.submit(write));
      }
      for (Future<String> write : writes) {
        write.get();
      }
    } finally {
      pool.shutdown();
    }
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Table table = lakehouse.labResults();
      // every append is in, none lost to another's commit
      assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "400");
      assertThat(glue.tableParameters("medlake", "lab_results").orElseThrow())
          .containsEntry(
              "metadata_location",
              ((BaseTable) table).operations().current().metadataFileLocation());
    }
    assertThat(glue.calls("UpdateTable") - before).isGreaterThanOrEqualTo(4);
  }

  @Test
  void aSwitchToGlueOverAWarehouseWithDataIsRefusedNotAnEmptyTable() throws Exception {
    // the same warehouse, written through the JDBC catalog first (catalog = postgresql before)
    Path root = directory.resolve("switch");
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        catalog:
          warehouse: s3://lake/switch
          s3:
            endpoint: %s
            path-style-access: true
            region: eu-central-1
        """
            .formatted(s3.endpoint()));
    MedlakeHome jdbc = MedlakeHome.open(root);
    try (Lakehouse lakehouse = Lakehouse.open(jdbc)) {
      LabResultFiles.append(jdbc, lakehouse, "H001", YearMonth.of(2024, 1), 100, 10);
    }
    List<String> stored = s3.keys("lake", "switch/").toList();

    MedlakeHome switched = home(directory.resolve("switch-glue"), glue.endpoint());
    Files.writeString(
        switched.configFile(),
        Files.readString(switched.configFile())
            .replace("s3://lake/switch-glue", "s3://lake/switch"));
    assertThatThrownBy(() -> Lakehouse.open(MedlakeHome.open(switched.root())))
        .isInstanceOf(MedlakeException.class)
        .hasMessageStartingWith(
            "Table lab_results is not in the catalog, but s3://lake/switch/medlake/lab_results"
                + " holds one (newest metadata s3://lake/switch/medlake/lab_results/metadata/");
    assertThat(glue.tableNames("medlake")).doesNotContain("lab_results");
    assertThat(s3.keys("lake", "switch/").toList()).isEqualTo(stored);
  }

  @Test
  void anUnreachableGlueEndpointIsAOneLineErrorAtOnce() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port;
    MedlakeHome home = home(directory.resolve("unreachable"), endpoint);
    assertThatThrownBy(() -> Lakehouse.open(home))
        .isInstanceOf(MedlakeException.class)
        .hasMessageStartingWith(
            "Cannot reach the Glue catalog " + endpoint + " while opening the catalog: ")
        .hasMessageNotContaining("\n");
  }
}
