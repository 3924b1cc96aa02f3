package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MaintenanceConfig;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.maintenance.TableMaintenance;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.testkit.S3Server;

/**
 * Maintenance and copy-on-write resubmission on a warehouse in an S3-compatible store (s3proxy):
 * small files merged through local copies and uploaded, orphans listed and deleted in the bucket
 * (and nothing else), every query answer unchanged, and a resubmission still replacing exactly its
 * rows.
 */
class ObjectStoreMaintenanceIT {
  private static final String ALL_ROWS =
      "SELECT ingest_run_id, patient_key, test_code, value_numeric, collected_at FROM t ORDER BY ALL";

  @TempDir Path directory;

  @Test
  void compactionOrphansAndResubmissionWorkInTheBucket() throws Exception {
    try (S3Server s3 = S3Server.start(directory.resolve("s3"), "lake");
        IngestFixture fixture =
            IngestFixture.create(
                directory,
                """
            catalog:
              warehouse: s3://lake/warehouse
              s3:
                endpoint: %s
                path-style-access: true
            """
                    .formatted(s3.endpoint()))) {
      List<IngestRun> runs = new ArrayList<>();
      for (int delivery = 0; delivery < 3; delivery++) {
        String[] rows = new String[5 + delivery];
        for (int row = 0; row < rows.length; row++) {
          rows[row] = IngestFixture.row(delivery * 100 + row);
        }
        IngestRun run =
            fixture.ingest(fixture.write("lab.csv", IngestFixture.csv(rows)), IngestFixture.SOURCE);
        assertThat(run.rowsAccepted()).as("%s", run).isEqualTo(rows.length);
        runs.add(run);
      }
      IngestService service = fixture.service();
      Lakehouse lakehouse = service.lakehouse();
      Table table = lakehouse.labResults();
      assertThat(TableScans.plannedFiles(table, Expressions.alwaysTrue()))
          .hasSize(3)
          .allMatch(location -> location.startsWith("s3://lake/"));
      List<List<String>> before = LakeReader.query(lakehouse, table, ALL_ROWS);
      String orphan = table.location() + "/data/left-over-by-a-crash.parquet";
      Path local = directory.resolve("orphan.parquet");
      Files.write(local, new byte[] {1, 2, 3});
      try (var out = table.io().newOutputFile(orphan).createOrOverwrite()) {
        Files.copy(local, out);
      }

      // as of two days later, so the orphan is past the minimum age
      List<TableMaintenance.Report> reports =
          new TableMaintenance(lakehouse, MaintenanceConfig.defaults())
              .run(Instant.now().plus(Duration.ofDays(2)));

      table.refresh();
      assertThat(reports.get(0).dataFilesMerged()).isEqualTo(2);
      assertThat(reports.get(0).orphanFilesDeleted()).isEqualTo(1);
      assertThat(
              s3.keys("lake", "warehouse/")
                  .noneMatch(key -> key.endsWith("left-over-by-a-crash.parquet")))
          .isTrue();
      assertThat(TableScans.plannedFiles(table, Expressions.alwaysTrue()))
          .hasSize(1)
          .allMatch(location -> location.startsWith("s3://lake/"));
      assertThat(LakeReader.query(lakehouse, table, ALL_ROWS)).isEqualTo(before);

      // a resubmission of the second delivery replaces its rows inside the merged object
      IngestRun second = runs.get(1);
      IngestRun resubmission =
          service.ingest(
              new IngestService.Delivery(
                  fixture.write(
                      "lab-corrected.csv",
                      IngestFixture.csv(IngestFixture.row(900), IngestFixture.row(901))),
                  IngestFixture.SOURCE,
                  YearMonth.parse(second.month())));
      table.refresh();
      assertThat(count(lakehouse, table, second.id())).isZero();
      assertThat(count(lakehouse, table, resubmission.id())).isEqualTo(2);
      assertThat(count(lakehouse, table, runs.get(0).id())).isEqualTo(5);
      assertThat(count(lakehouse, table, runs.get(2).id())).isEqualTo(7);
      assertThat(TableScans.plannedFiles(table, Expressions.alwaysTrue()))
          .allMatch(location -> location.startsWith("s3://lake/"));
    }
  }

  private static long count(Lakehouse lakehouse, Table table, String runId) {
    return LakeReader.count(
        lakehouse, table, "SELECT count(*) FROM t WHERE ingest_run_id = '" + runId + "'");
  }
}
