package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.NamedCsvRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI on generated data, end to end. Query answers are checked against an independent
 * computation over the generated CSV files, not against DuckDB reading the same Parquet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestCliEndToEnd {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Path home;
  private Path landing;
  private JsonNode runs;

  @BeforeAll
  void ingestGeneratedLandingZone(@TempDir Path directory) throws Exception {
    home = directory.resolve("home");
    landing = directory.resolve("landing");
    assertThat(
            run(
                    "generate",
                    "--out",
                    landing.toString(),
                    "--hospitals",
                    "3",
                    "--months",
                    "2",
                    "--rows-per-file",
                    "1500",
                    "--seed",
                    "9")
                .exitCode())
        .isZero();
    Result ingest = run("ingest", "--json", landing.toString());
    assertThat(ingest.exitCode()).as(ingest.err()).isZero();
    runs = JSON.readTree(ingest.out());
  }

  @Test
  void runsAreReportedInJsonWithTheRequiredFields() throws Exception {
    assertThat(runs).hasSize(6);
    for (JsonNode run : runs) {
      for (String field :
          List.of(
              "id",
              "source_file",
              "hospital_id",
              "month",
              "status",
              "rows_read",
              "rows_accepted",
              "rows_rejected",
              "snapshot_id")) {
        assertThat(run.has(field)).as(field).isTrue();
      }
      assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(run.get("rows_read").asLong())
          .isEqualTo(run.get("rows_accepted").asLong() + run.get("rows_rejected").asLong());
    }
    JsonNode listed = JSON.readTree(run("runs", "--json").out());
    assertThat(listed).hasSize(6);
    JsonNode tables = JSON.readTree(run("tables", "--json").out());
    assertThat(tables.get(0).get("name").asText()).isEqualTo("lab_results");
    long accepted = 0;
    for (JsonNode run : runs) {
      accepted += run.get("rows_accepted").asLong();
    }
    assertThat(tables.get(0).get("rows").asLong()).isEqualTo(accepted);
  }

  @Test
  void testSummaryMatchesAnIndependentComputationOverTheCsv() throws Exception {
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, Set<String>> patients = new HashMap<>();
    Map<String, double[]> sums = new HashMap<>();
    for (Path file : csvFiles("h001")) {
      try (CsvReader<NamedCsvRecord> reader = CsvReader.builder().ofNamedCsvRecord(file)) {
        for (NamedCsvRecord record : reader) {
          String test = record.getField("loinc");
          counts.computeIfAbsent(test, ignored -> new long[1])[0]++;
          patients
              .computeIfAbsent(test, ignored -> new HashSet<>())
              .add(record.getField("patient_id"));
          String result = record.getField("result").replaceFirst("^(<=|>=|<|>)\\s*", "");
          if (result.matches("-?[0-9]+(\\.[0-9]+)?")) {
            double[] sum = sums.computeIfAbsent(test, ignored -> new double[2]);
            sum[0] += Double.parseDouble(result);
            sum[1]++;
          }
        }
      }
    }
    JsonNode result =
        JSON.readTree(run("query", "test-summary", "--param", "hospitals=H001", "--json").out());
    JsonNode rows = result.get("rows");
    List<String> columns = new ArrayList<>();
    result.get("columns").forEach(column -> columns.add(column.get("name").asText()));
    // the generator writes every test in its canonical unit: one row per test, means as written
    assertThat(rows.size()).isEqualTo(counts.size());
    for (JsonNode row : rows) {
      String test = row.get(0).asText();
      assertThat(row.get(columns.indexOf("n")).asLong())
          .as(test + " n")
          .isEqualTo(counts.get(test)[0]);
      assertThat(row.get(columns.indexOf("patients")).asLong())
          .as(test + " patients")
          .isEqualTo(patients.get(test).size());
      if (sums.containsKey(test)) {
        assertThat(row.get(columns.indexOf("mean")).asDouble())
            .as(test + " mean")
            .isCloseTo(
                sums.get(test)[0] / sums.get(test)[1], org.assertj.core.data.Offset.offset(0.0006));
      }
    }
  }

  @Test
  void monthlyVolumeMatchesTheCsvRowsOfEveryHospitalMonth() throws Exception {
    Map<String, Long> expected = new TreeMap<>();
    for (String source : List.of("h001", "h002", "h003")) {
      for (Path file : csvFiles(source)) {
        String hospital = source.toUpperCase(java.util.Locale.ROOT);
        String month = file.getParent().getFileName().toString();
        char delimiter = source.equals("h002") ? ';' : ',';
        try (CsvReader<NamedCsvRecord> reader =
            CsvReader.builder().fieldSeparator(delimiter).ofNamedCsvRecord(file)) {
          long rows =
              reader.stream()
                  .filter(
                      record -> !source.equals("h003") || record.getField("category").equals("LAB"))
                  .count();
          expected.put(hospital + " " + month, rows);
        }
      }
    }
    Map<String, Long> actual = new TreeMap<>();
    for (JsonNode row : JSON.readTree(run("query", "monthly-volume", "--json").out()).get("rows")) {
      actual.put(row.get(0).asText() + " " + row.get(1).asText(), row.get(2).asLong());
    }
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void sqlRunsForAnalystsAndIsRefusedWithExitCodeTwo() throws Exception {
    Result ok =
        run(
            "sql",
            "--json",
            "SELECT count(DISTINCT hospital_id) AS hospitals FROM lab_results WHERE collected_at >= '2024-01-01'");
    assertThat(ok.exitCode()).as(ok.err()).isZero();
    assertThat(JSON.readTree(ok.out()).get("rows").get(0).get(0).asLong()).isEqualTo(3);
    Result escape = run("sql", "SELECT * FROM read_csv('/etc/passwd')");
    assertThat(escape.exitCode()).isEqualTo(2);
    assertThat(escape.err().strip())
        .isEqualTo("medlake: error: Table functions are not allowed: read_csv");
    assertThat(run("sql", "--role", "viewer", "SELECT 1").exitCode()).isEqualTo(2);
    Result dryRun =
        run(
            "sql",
            "--dry-run",
            "SELECT avg(value_numeric) FROM lab_results WHERE hospital_id = 'H002'");
    JsonNode estimate = JSON.readTree(dryRun.out());
    assertThat(estimate.get("files").asLong()).isEqualTo(2);
    assertThat(estimate.get("total_files").asLong()).isEqualTo(6);
  }

  @Test
  void timeTravelReproducesAnEarlierAnswer() throws Exception {
    long first = runs.get(0).get("snapshot_id").asLong();
    JsonNode early =
        JSON.readTree(
            run(
                    "sql",
                    "--json",
                    "--as-of",
                    String.valueOf(first),
                    "SELECT count(*) FROM lab_results")
                .out());
    assertThat(early.get("rows").get(0).get(0).asLong())
        .isEqualTo(runs.get(0).get("rows_accepted").asLong());
    assertThat(early.get("snapshot_ids").get("lab_results").asLong()).isEqualTo(first);
  }

  private List<Path> csvFiles(String source) throws Exception {
    try (Stream<Path> files = Files.walk(landing.resolve(source))) {
      return files.filter(file -> file.toString().endsWith(".csv")).sorted().toList();
    }
  }

  private record Result(int exitCode, String out, String err) {}

  private Result run(String... arguments) {
    Cli.Result result = Cli.run(home, arguments);
    return new Result(result.exitCode(), result.out(), result.err());
  }
}
