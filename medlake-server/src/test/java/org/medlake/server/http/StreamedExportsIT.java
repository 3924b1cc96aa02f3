package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * SQL downloads are streamed from DuckDB into a spool file: they may hold far more rows than a
 * query answer ({@code query.max-rows}), up to the role's export cap, and a larger one is refused
 * whole.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamedExportsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ROWS_OF_H001 =
      "SELECT patient_key, test_code, value_numeric, value_text, collected_at FROM lab_results"
          + " WHERE hospital_id = 'H001' ORDER BY collected_at, patient_key, test_code";

  private MedlakeServer server;
  private MedlakeHome home;
  private String analystToken;
  private Path directory;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    this.directory = directory;
    Path homeDirectory = directory.resolve("home");
    Files.createDirectories(homeDirectory);
    Files.writeString(
        homeDirectory.resolve("medlake.yaml"),
        """
        query:
          max-rows: 100
          export-rows:
            analyst: 2000
        """);
    home = MedlakeHome.open(homeDirectory);
    LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources())
            .hospitals(2)
            .months(1)
            .rowsPerFile(1500)
            .seed(9)
            .build(),
        rows -> {});
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      ingest.ingest(ingest.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
    }
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform
          .users()
          .add("ada", Role.ANALYST, Optional.empty(), "correct horse battery".toCharArray());
      analystToken = platform.tokens().create("ada", "test", Duration.ofDays(1)).secret();
    }
    server = MedlakeServer.start(home, 0);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void aDownloadHoldsMoreRowsThanAQueryAnswerMay() throws Exception {
    HttpResponse<String> answer = post("/api/v1/sql", "{\"sql\": \"" + ROWS_OF_H001 + "\"}");
    assertThat(answer.statusCode()).as("a query answer is bound by query.max-rows").isEqualTo(422);
    assertThat(JSON.readTree(answer.body()).get("code").asText()).isEqualTo("QUERY_LIMIT_EXCEEDED");

    JsonNode totals =
        JSON.readTree(
                post(
                        "/api/v1/sql",
                        "{\"sql\": \"SELECT count(*), sum(value_numeric), count(value_text)"
                            + " FROM lab_results WHERE hospital_id = 'H001'\"}")
                    .body())
            .get("result")
            .get("rows")
            .get(0);
    long expectedRows = totals.get(0).asLong();
    assertThat(expectedRows).isGreaterThan(100).isLessThanOrEqualTo(2000);

    HttpResponse<String> csv =
        post("/api/v1/exports", "{\"sql\": \"" + ROWS_OF_H001 + "\", \"format\": \"csv\"}");
    assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
    assertThat(csv.headers().firstValue("X-Row-Cap")).hasValue("2000");
    assertThat(csv.headers().firstValue("Content-Length"))
        .hasValue(
            String.valueOf(csv.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
    List<List<String>> records = new ArrayList<>();
    try (var reader = de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(csv.body())) {
      reader.forEach(record -> records.add(record.getFields()));
    }
    assertThat(records.get(0))
        .containsExactly("patient_key", "test_code", "value_numeric", "value_text", "collected_at");
    assertThat(records).hasSize((int) expectedRows + 1);
    double sum =
        records.stream()
            .skip(1)
            .filter(record -> !record.get(2).isEmpty())
            .mapToDouble(record -> Double.parseDouble(record.get(2)))
            .sum();
    assertThat(sum)
        .isCloseTo(
            totals.get(1).asDouble(), org.assertj.core.data.Offset.offset(1e-6 * Math.abs(sum)));
    assertThat(records.stream().skip(1).filter(record -> !record.get(3).isEmpty()).count())
        .isEqualTo(totals.get(2).asLong());

    JsonNode json =
        JSON.readTree(
            post("/api/v1/exports", "{\"sql\": \"" + ROWS_OF_H001 + "\", \"format\": \"json\"}")
                .body());
    assertThat(json.get("columns").get(4).get("name").asText()).isEqualTo("collected_at");
    assertThat(json.get("rows")).hasSize((int) expectedRows);
    assertThat(json.get("rows").get(0).get(0).asText()).isEqualTo(records.get(1).get(0));

    HttpResponse<byte[]> parquet =
        http.send(
            request(
                "/api/v1/exports", "{\"sql\": \"" + ROWS_OF_H001 + "\", \"format\": \"parquet\"}"),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(parquet.statusCode()).isEqualTo(200);
    Path file = directory.resolve("rows.parquet");
    Files.write(file, parquet.body());
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet rows =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT count(*), sum(value_numeric), typeof(any_value(collected_at)) FROM read_parquet('"
                        + file
                        + "')")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(expectedRows);
      assertThat(rows.getDouble(2))
          .isCloseTo(
              totals.get(1).asDouble(), org.assertj.core.data.Offset.offset(1e-6 * Math.abs(sum)));
      assertThat(rows.getString(3)).isEqualTo("TIMESTAMP");
    }
  }

  @Test
  void aDownloadOverTheCapIsRefusedWholeAndLeavesNoSpool() throws Exception {
    HttpResponse<String> refused =
        post("/api/v1/exports", "{\"sql\": \"SELECT * FROM lab_results\", \"format\": \"csv\"}");
    assertThat(refused.statusCode()).isEqualTo(422);
    JsonNode error = JSON.readTree(refused.body());
    assertThat(error.get("code").asText()).isEqualTo("EXPORT_TOO_LARGE");
    assertThat(error.get("message").asText())
        .contains("more than 2000 rows")
        .contains("query.export-rows");
    try (var files = Files.list(home.temporary())) {
      assertThat(files.filter(path -> path.getFileName().toString().startsWith("export-")))
          .isEmpty();
    }
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest request(String path, String body) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + analystToken)
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }
}
