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

/** One measurement of {@code bench ingest}: the pipeline, the plain COPY and the floor do the work they claim to time. */
class TestBenchIngest {
  @TempDir Path directory;

  @Test
  void theFloorSortsTheFileAndLinksEachDistinctIdOnce() throws Exception {
    Path work = directory.resolve("work");
    Cli.Result result = Cli.run(directory.resolve("unused-home"), "bench", "ingest", "--single", "--rows", "3000", "--work", work.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode figures = new ObjectMapper().readTree(result.out());
    assertThat(figures.get("rows_accepted").asLong()).isEqualTo(3000);

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

    // the one chunk's sorted copy holds every row in the contract's order; the chunk files are gone
    assertThat(work.resolve("chunks")).isEmptyDirectory();
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*), count(*) FILTER (WHERE previous_code IS NOT NULL"
            + " AND (loinc, collected_at) < (previous_code, previous_time)) FROM (SELECT loinc, collected_at, lag(loinc) OVER () AS previous_code, lag(collected_at) OVER () AS previous_time"
            + " FROM read_parquet('" + work.resolve("sorted-0.parquet") + "'))")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(3000);
      assertThat(rows.getLong(2)).isZero();
    }
  }
}
