package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.testkit.PostgresServer;

/**
 * The Iceberg catalog on a real PostgreSQL server, with several writers committing to one table at
 * once.
 */
class PostgresCatalogIT {
  static final int WRITERS = 4;
  static final int COMMITS_PER_WRITER = 5;
  static final int ROWS_PER_COMMIT = 100;

  @TempDir static Path directory;
  static PostgresServer postgres;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = PostgresServer.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  @Test
  void concurrentWritersLoseNoCommit() throws Exception {
    String url = postgres.createDatabase("concurrent");
    Path warehouse = directory.resolve("shared-warehouse");
    // every writer has its own home (as on separate machines) and its own catalog connection; they
    // share the PostgreSQL catalog and the warehouse
    List<MedlakeHome> homes = new ArrayList<>();
    for (int writer = 0; writer < WRITERS; writer++) {
      Path root = directory.resolve("writer-" + writer);
      Files.createDirectories(root);
      Files.writeString(
          root.resolve("medlake.yaml"),
          """
          catalog:
            warehouse: %s
            jdbc-url: %s
            jdbc-user: %s
          """
              .formatted(warehouse, url, PostgresServer.USER));
      homes.add(MedlakeHome.open(root));
    }
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<String>>> results = new ArrayList<>();
    for (int writer = 0; writer < WRITERS; writer++) {
      MedlakeHome home = homes.get(writer);
      String hospital = "H00" + writer;
      results.add(
          pool.submit(
              () -> {
                try (Lakehouse lakehouse = Lakehouse.open(home)) {
                  start.await();
                  List<String> locations = new ArrayList<>();
                  for (int month = 1; month <= COMMITS_PER_WRITER; month++) {
                    locations.add(
                        LabResultFiles.append(
                            home,
                            lakehouse,
                            hospital,
                            YearMonth.of(2024, month),
                            ROWS_PER_COMMIT,
                            10));
                  }
                  return locations;
                }
              }));
    }
    start.countDown();
    Set<String> written = new HashSet<>();
    for (Future<List<String>> result : results) {
      written.addAll(result.get());
    }
    pool.shutdown();

    try (Lakehouse lakehouse = Lakehouse.open(homes.get(0))) {
      Table table = lakehouse.labResults();
      assertThat(table.location()).startsWith(warehouse.toUri().toString().replaceAll("/$", ""));
      TableSummary summary = TableScans.summarize(table, "lab_results", "");
      assertThat(summary.dataFiles()).isEqualTo(WRITERS * COMMITS_PER_WRITER);
      assertThat(summary.rows()).isEqualTo((long) WRITERS * COMMITS_PER_WRITER * ROWS_PER_COMMIT);
      assertThat(
              Set.copyOf(
                  TableScans.plannedFiles(
                      table, org.apache.iceberg.expressions.Expressions.alwaysTrue())))
          // the files as DuckDB reads them: the registered file: URIs as local paths
          .isEqualTo(
              written.stream()
                  .map(location -> LocalFileIO.file(location).getPath())
                  .collect(java.util.stream.Collectors.toSet()));
      Set<String> hospitalMonths = new HashSet<>();
      int appends = 0;
      for (Snapshot snapshot : table.snapshots()) {
        hospitalMonths.add(snapshot.summary().get("medlake.hospital-month"));
        appends++;
      }
      assertThat(appends).isEqualTo(WRITERS * COMMITS_PER_WRITER);
      assertThat(hospitalMonths).hasSize(WRITERS * COMMITS_PER_WRITER);
    }
  }
}
