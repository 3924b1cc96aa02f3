package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.remap.CodeRemap;
import org.medlake.lake.ParquetRewriter;
import org.medlake.lake.TableScans;

/**
 * A resubmission planned the files of the rows it replaces; before it commits, a rewrite (here
 * {@code medlake remap}) swaps one of them for a copy. The resubmission must plan again and replace
 * the copy, or the replaced rows would stay in the table next to their replacement.
 */
class TestReplacementAfterRewrite {
  @TempDir Path directory;

  @Test
  void aResubmissionReplacesTheCopyARemapCommittedAfterItsPlan() throws Exception {
    MedlakeHome home = MedlakeHome.open(Files.createDirectories(directory.resolve("home")));
    Files.writeString(
        home.sources().resolve("h007.yaml"),
        """
        hospital-id: H007
        rules: {disabled: [collected-at-in-month]}
        columns: {patient-id: pid, local-code: item, result: value, collected-at: drawn}
        code-lookup: {dictionary: h007-items.csv}
        """);
    Files.writeString(
        home.sources().resolve("h007-items.csv"),
        "local_code,test_code,test_name\nK1,2823-3,Potassium\n");
    Path file =
        Files.writeString(
            directory.resolve("items.csv"),
            """
        pid,item,value,drawn
        P1,K1,4.2,2024-01-15 08:30:00
        P2,Z9,12,2024-01-16 08:30:00
        P3,Z9,13,2024-01-17 08:30:00
        """);
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      IngestRun first =
          service.ingest(new IngestService.Delivery(file, "h007", YearMonth.of(2024, 1)));
      assertThat(first.status()).isEqualTo(RunStatus.SUCCEEDED);
      Table table = service.lakehouse().labResults();
      DataFile stored = TableScans.plannedDataFiles(table, Expressions.alwaysTrue()).get(0);
      // the resubmission's rows: the same month, one row fewer, its own run
      Path resubmitted = home.temporary().resolve("resubmitted.parquet");
      Files.createDirectories(home.temporary());
      long rows =
          new ParquetRewriter(home, LabResults.CONTRACT, LakeCommitter.SORT)
              .transform(
                  List.of(stored.location()),
                  "SELECT * REPLACE ('run-2' AS ingest_run_id) FROM input WHERE value_numeric <> 13",
                  resubmitted);
      AtomicInteger plans = new AtomicInteger();
      LakeCommitter committer =
          new LakeCommitter(
              service.lakehouse(),
              () -> {
                if (plans.getAndIncrement() == 0) {
                  assertThat(
                          new CodeRemap(service.lakehouse())
                              .apply("h007", ProgressListener.NONE)
                              .rowsRemapped())
                      .isEqualTo(2);
                }
              });
      // 648: months from 1970-01 to 2024-01
      List<DataFile> results =
          committer.publish(
              table,
              List.of(
                  new StagedOutput.PartitionFile(
                      resubmitted, "collected_at_month=648/hospital_id=H007", rows)));
      IngestRun resubmission =
          new IngestRun(
              "run-2",
              "items.csv",
              "h007",
              "resubmission-sha256",
              "H007",
              "2024-01",
              RunStatus.SUCCEEDED,
              java.time.Instant.now(),
              rows,
              rows,
              0,
              0,
              Map.of(),
              0,
              0,
              0,
              null,
              "");
      Files.writeString(
          home.sources().resolve("h007-items.csv"),
          "local_code,test_code,test_name\nK1,2823-3,Potassium\nZ9,1920-8,AST\n");

      committer.commit(new StagedRun(resubmission, "", results, List.of(), 0), Set.of(first.id()));

      table.refresh();
      assertThat(
              LakeReader.query(
                  table, home.temporary(), "SELECT ingest_run_id, count(*) FROM t GROUP BY ALL"))
          .containsExactly(List.of("run-2", "2"));
      assertThat(plans).hasValue(2);
    }
  }
}
