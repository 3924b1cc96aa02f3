package org.medlake.cli;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.iceberg.expressions.Expressions;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.lake.DuckDb;
import org.medlake.lake.FileCache;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * What the demo's real-world shapes became in the lake: results by kind, local codes without a
 * standard code, one test in two units, flags, the backfill and the broken resubmission.
 */
final class ShapesReport {
  private ShapesReport() {}

  static void print(
      MedlakeHome home,
      Lakehouse lakehouse,
      List<IngestRun> runs,
      Optional<GeneratedFile> resubmission)
      throws SQLException {
    try (FileCache.Lease files =
            TableScans.readableFiles(
                lakehouse.warehouse(), lakehouse.labResults(), Expressions.alwaysTrue());
        Connection connection = DuckDb.open("1GB", 2, home.temporary());
        Statement statement = connection.createStatement()) {
      if (files.paths().isEmpty()) {
        return;
      }
      String source =
          "read_parquet("
              + files.paths().stream()
                  .map(path -> DuckDb.literal(path.toString()))
                  .collect(Collectors.joining(", ", "[", "]"))
              + ", filename = true)";
      System.out.println();
      System.out.println(
          "Results as laboratories write them (value_kind; value_numeric only for number and censored):");
      LakeReport.print(
          statement,
          "SELECT value_kind AS kind, count(*) AS results, count(DISTINCT test_code) AS tests,"
              + " coalesce(mode(value_text), '') AS most_frequent_as_written FROM "
              + source
              + " GROUP BY ALL ORDER BY results DESC");
      System.out.println();
      System.out.println("Local codes without a standard code (kept with test_code null):");
      LakeReport.print(
          statement,
          "SELECT hospital_id AS hospital, local_code, any_value(local_name) AS local_name, count(*) AS results FROM "
              + source
              + " WHERE test_code IS NULL GROUP BY ALL ORDER BY results DESC, local_code LIMIT 10");
      System.out.println();
      System.out.println(
          "Glucose and creatinine: each hospital's unit, and the canonical unit they are aggregated in:");
      LakeReport.print(
          statement,
          "SELECT test_code AS loinc, hospital_id AS hospital, unit, unit_status, count(*) AS n,"
              + " round(avg(value_numeric), 2) AS mean_as_written, unit_canonical, round(avg(value_canonical), 2) AS mean_canonical FROM "
              + source
              + " WHERE test_code IN ('2345-7', '2160-0') AND value_numeric IS NOT NULL GROUP BY ALL ORDER BY loinc, hospital, n DESC");
      System.out.println();
      System.out.println("Flags (words, any case and delta understood; no flag is null):");
      LakeReport.print(
          statement,
          "SELECT coalesce(abnormal_flag, '') AS abnormal_flag, coalesce(delta_flag, '') AS delta_flag, count(*) AS results"
              + " FROM "
              + source
              + " GROUP BY ALL ORDER BY abnormal_flag, delta_flag");
      for (IngestRun run : runs) {
        if (run.sourceId().endsWith(LabDataGenerator.BACKFILL_SOURCE_SUFFIX)
            && run.status() == RunStatus.SUCCEEDED) {
          System.out.println();
          System.out.printf(
              "Backfill %s (source %s, %s rows):%n",
              run.id(), run.sourceId(), Output.count(run.rowsAccepted()));
          LakeReport.print(
              statement,
              "SELECT count(DISTINCT date_trunc('month', collected_at)) AS months, min(collected_at)::DATE AS first,"
                  + " max(collected_at)::DATE AS last, count(DISTINCT filename) AS data_files FROM "
                  + source
                  + " WHERE ingest_run_id = "
                  + DuckDb.literal(run.id()));
        }
      }
      if (resubmission.isPresent()) {
        printResubmission(statement, source, home, runs, resubmission.get());
      }
    }
  }

  private static void printResubmission(
      Statement statement,
      String source,
      MedlakeHome home,
      List<IngestRun> runs,
      GeneratedFile resubmission)
      throws SQLException {
    Path path = resubmission.path().toAbsolutePath().normalize();
    Optional<IngestRun> run =
        runs.stream()
            .filter(
                candidate ->
                    home.root()
                        .resolve(candidate.sourceFile())
                        .toAbsolutePath()
                        .normalize()
                        .equals(path))
            .findFirst();
    if (run.isEmpty()) {
      return;
    }
    String hospitalMonthRuns =
        runs.stream()
            .filter(
                candidate ->
                    candidate.hospitalId().equals(resubmission.hospitalId())
                        && candidate.month().equals(resubmission.month().toString()))
            .map(candidate -> DuckDb.literal(candidate.id()))
            .collect(Collectors.joining(", ", "(", ")"));
    long stored;
    try (ResultSet result =
        statement.executeQuery(
            "SELECT count(*) FROM " + source + " WHERE ingest_run_id IN " + hospitalMonthRuns)) {
      result.next();
      stored = result.getLong(1);
    }
    IngestRun resubmitted = run.get();
    System.out.println();
    System.out.printf(
        "Broken resubmission of %s %s (%s), ingested last: %s, %s of %s rows accepted%s.%n",
        resubmission.hospitalId(),
        resubmission.month(),
        home.root().relativize(path),
        resubmitted.status(),
        Output.count(resubmitted.rowsAccepted()),
        Output.count(resubmitted.rowsRead()),
        resubmitted.message().isEmpty() ? "" : " (" + resubmitted.message() + ")");
    System.out.printf(
        "%s %s now holds %s rows%s.%n",
        resubmission.hospitalId(),
        resubmission.month(),
        Output.count(stored),
        resubmitted.status() == RunStatus.HELD
            ? ": the fail-safe held the broken delivery and the month is untouched (fix the mapping and re-run, or medlake runs approve)"
            : resubmitted.status() == RunStatus.SUCCEEDED && resubmitted.rowsAccepted() == 0
                ? ": the broken delivery replaced the month"
                : "");
  }
}
