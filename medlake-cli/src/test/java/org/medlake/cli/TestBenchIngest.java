package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One measurement of {@code bench ingest}: the pipeline, the plain COPY and the floor do the work
 * they claim to time; a spread over months stores the same rows, one file per month, in one
 * snapshot.
 */
class TestBenchIngest {
  @TempDir Path directory;

  @Test
  void thePlainCopyRunsInItsOwnProcessAndTheFloorSortsTheFileAndLinksEachDistinctIdOnce()
      throws Exception {
    Path work = directory.resolve("work");
    Cli.Result result =
        Cli.run(
            directory.resolve("unused-home"),
            "bench",
            "ingest",
            "--single",
            "--rows",
            "3000",
            "--work",
            work.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode figures = new ObjectMapper().readTree(result.out());
    assertThat(figures.get("rows_accepted").asLong()).isEqualTo(3000);
    // the plain COPY in a process of its own wrote every row, and says what it cost
    assertThat(figures.get("copy_process_rows").asLong()).isEqualTo(3000);
    assertThat(figures.get("copy_process_ms").asLong()).isPositive();
    assertThat(figures.get("copy_process_peak_rss_bytes").asLong()).isPositive();
    assertThat(work.resolve("baseline-own-process.parquet")).doesNotExist();

    Path csv;
    try (Stream<Path> files = Files.walk(work.resolve("home/landing"))) {
      csv = files.filter(file -> file.toString().endsWith(".csv")).findFirst().orElseThrow();
    }
    List<String> lines = Files.readAllLines(csv);
    List<String> header = List.of(lines.get(0).split(","));
    Set<String> ids = new HashSet<>();
    for (String line : lines.subList(1, lines.size())) {
      List<String> fields = List.of(line.split(","));
      ids.add("p" + fields.get(header.indexOf("patient_id")));
      ids.add("e" + fields.get(header.indexOf("encounter_id")));
    }
    assertThat(figures.get("vault_ids").asLong()).isEqualTo(ids.size());

    // where the bytes go: every column of each side, whose compressed sizes add up to less than the
    // files
    Set<String> pipelineColumns = new HashSet<>();
    long pipelineBytes = 0;
    for (JsonNode column : figures.get("columns")) {
      pipelineColumns.add(column.get("column").asText());
      pipelineBytes += column.get("bytes").asLong();
    }
    assertThat(pipelineColumns)
        .containsExactlyInAnyOrderElementsOf(
            org.medlake.core.contract.LabResults.CONTRACT.columnNames());
    assertThat(pipelineBytes).isPositive().isLessThan(figures.get("parquet_bytes").asLong());
    Set<String> copyColumns = new HashSet<>();
    figures.get("copy_columns").forEach(column -> copyColumns.add(column.get("column").asText()));
    assertThat(copyColumns).containsExactlyInAnyOrderElementsOf(header);

    // the one chunk's sorted copy holds every row in the contract's order; the chunk files are gone
    assertThat(work.resolve("chunks")).isEmptyDirectory();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT count(*), count(*) FILTER (WHERE previous_code IS NOT NULL"
                    + " AND (loinc, collected_at) < (previous_code, previous_time)) FROM (SELECT loinc, collected_at, lag(loinc) OVER () AS previous_code, lag(collected_at) OVER () AS previous_time"
                    + " FROM read_parquet('"
                    + work.resolve("sorted-0.parquet")
                    + "'))")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(3000);
      assertThat(rows.getLong(2)).isZero();
    }
  }

  @Test
  void aSpreadStoresTheSameRowsOneFilePerMonthInOneSnapshot() throws Exception {
    Path work = directory.resolve("span");
    Cli.Result result =
        Cli.run(
            directory.resolve("unused-home"),
            "bench",
            "ingest",
            "--single",
            "--span-months",
            "12",
            "--rows",
            "3000",
            "--work",
            work.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode figures = new ObjectMapper().readTree(result.out());
    assertThat(figures.get("rows_accepted").asLong()).isEqualTo(3000);
    assertThat(figures.get("partitions").asLong()).isEqualTo(12);
    assertThat(figures.get("data_files").asLong()).isEqualTo(12);
    assertThat(figures.get("snapshots").asLong()).isEqualTo(1);
    // the rows went back evenly, oldest first: 250 a month from 2023-02 to 2024-01
    Path csv;
    try (Stream<Path> files = Files.walk(work.resolve("home/landing"))) {
      csv = files.filter(file -> file.toString().endsWith(".csv")).findFirst().orElseThrow();
    }
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT left(collected_at, 7) AS month, count(*) FROM read_csv('"
                    + csv
                    + "', all_varchar = true) GROUP BY month ORDER BY month")) {
      List<String> months = new java.util.ArrayList<>();
      while (rows.next()) {
        months.add(rows.getString(1) + "=" + rows.getLong(2));
      }
      assertThat(months).hasSize(12).first().isEqualTo("2023-02=250");
      assertThat(months).last().isEqualTo("2024-01=250");
      assertThat(months).allSatisfy(month -> assertThat(month).endsWith("=250"));
    }
  }
}
