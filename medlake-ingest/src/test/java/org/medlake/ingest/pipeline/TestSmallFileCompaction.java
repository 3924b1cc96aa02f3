package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
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
import org.medlake.lake.TableScans;

/**
 * Late results put files of several deliveries into one partition; compaction merges them, and a
 * later resubmission of one delivery still replaces exactly its rows inside the merged file.
 */
class TestSmallFileCompaction {
  private static final String ALL_ROWS =
      "SELECT ingest_run_id, patient_key, test_code, value_numeric, collected_at, source_file FROM t"
          + " ORDER BY ALL";

  @TempDir Path directory;

  @Test
  void smallFilesOfAPartitionAreMergedAndAResubmissionStillReplacesItsRows() throws Exception {
    try (IngestFixture fixture = IngestFixture.create(directory)) {
      // every delivery is for a month of its own, but all rows were collected in January 2024: one
      // partition
      List<IngestRun> runs = new ArrayList<>();
      for (int delivery = 0; delivery < 3; delivery++) {
        String[] rows = new String[5 + delivery];
        for (int row = 0; row < rows.length; row++) {
          rows[row] = IngestFixture.row(delivery * 100 + row);
        }
        runs.add(
            fixture.ingestExpecting(
                fixture.write("lab.csv", IngestFixture.csv(rows)), rows.length, rows.length));
      }
      IngestService service = fixture.service();
      Table table = service.lakehouse().labResults();
      Path temporary = service.lakehouse().home().temporary();
      assertThat(TableScans.plannedFiles(table, Expressions.alwaysTrue())).hasSize(3);
      List<List<String>> before = LakeReader.query(table, temporary, ALL_ROWS);

      List<TableMaintenance.Report> reports =
          new TableMaintenance(service.lakehouse(), MaintenanceConfig.defaults())
              .run(Instant.now());

      table.refresh();
      assertThat(reports.get(0).dataFilesMerged()).isEqualTo(2);
      assertThat(TableScans.plannedFiles(table, Expressions.alwaysTrue())).hasSize(1);
      assertThat(LakeReader.query(table, temporary, ALL_ROWS)).isEqualTo(before);

      // the second delivery is resubmitted with other rows: its rows inside the merged file are
      // replaced
      IngestRun second = runs.get(1);
      IngestRun resubmission =
          service.ingest(
              new IngestService.Delivery(
                  fixture.write(
                      "lab-corrected.csv",
                      IngestFixture.csv(IngestFixture.row(900), IngestFixture.row(901))),
                  IngestFixture.SOURCE,
                  YearMonth.parse(second.month())));
      assertThat(count(table, temporary, second.id())).isZero();
      assertThat(count(table, temporary, resubmission.id())).isEqualTo(2);
      assertThat(count(table, temporary, runs.get(0).id())).isEqualTo(5);
      assertThat(count(table, temporary, runs.get(2).id())).isEqualTo(7);
    }
  }

  private static long count(Table table, Path temporary, String runId) {
    table.refresh();
    return LakeReader.count(
        table, temporary, "SELECT count(*) FROM t WHERE ingest_run_id = '" + runId + "'");
  }
}
