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
import java.time.Duration;
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
 * Malformed requests, token lifetimes, formula cells and compression, over real HTTP (issue 17,
 * point 4).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerInputsOutputsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";

  private MedlakeServer server;
  private MedlakeHome home;
  private String adminToken;
  private String analystToken;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    Path homeDirectory = directory.resolve("home");
    Files.createDirectories(homeDirectory);
    Files.writeString(
        homeDirectory.resolve("medlake.yaml"),
        """
        server:
          max-token-days: 30
        """);
    home = MedlakeHome.open(homeDirectory);
    LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources())
            .hospitals(1)
            .months(1)
            .rowsPerFile(400)
            .seed(17)
            .dirtyFraction(0.05)
            .build(),
        rows -> {});
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      ingest.ingest(ingest.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
    }
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform.users().add("adm", Role.ADMIN, Optional.empty(), PASSWORD.toCharArray());
      adminToken = platform.tokens().create("adm", "test", Duration.ofDays(1)).secret();
      platform.users().add("ada", Role.ANALYST, Optional.empty(), PASSWORD.toCharArray());
      analystToken = platform.tokens().create("ada", "test", Duration.ofDays(1)).secret();
    }
    server = MedlakeServer.start(home, 0);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void malformedRequestsAre400InTheOneErrorShape() throws Exception {
    String run = JSON.readTree(get("/api/v1/runs", adminToken).body()).get(0).get("id").asText();
    List<HttpResponse<String>> answers =
        List.of(
            post("/api/v1/users", adminToken, "{\"name\": \"x\", "),
            post("/api/v1/tokens", adminToken, "not json"),
            post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 1e15}"),
            post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 1.5}"),
            post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 0}"),
            post(
                "/api/v1/sql",
                analystToken,
                "{\"sql\": \"SELECT 1\", \"as_of\": \"12345678901234567890\"}"),
            post(
                "/api/v1/sql",
                analystToken,
                "{\"sql\": \"SELECT 1\", \"as_of\": 12345678901234567890}"),
            get("/api/v1/runs/" + run + "/rejects?limit=abc", adminToken),
            get("/api/v1/runs/" + run + "/rejects?limit=-5", adminToken),
            get("/api/v1/runs/" + run + "/rejects?limit=0", adminToken));
    for (HttpResponse<String> answer : answers) {
      assertThat(answer.statusCode())
          .as(answer.request().uri() + " " + answer.body())
          .isEqualTo(400);
      JsonNode error = JSON.readTree(answer.body());
      assertThat(error.fieldNames())
          .toIterable()
          .as(answer.body())
          .containsExactly("code", "message", "details");
      assertThat(error.get("message").asText()).doesNotContain("\n");
    }
    assertThat(answers.get(2).body()).contains("days");
    assertThat(answers.get(8).body()).contains("limit");
    assertThat(get("/api/v1/runs/" + run + "/rejects?limit=3", adminToken).statusCode())
        .isEqualTo(200);
  }

  @Test
  void tokenLifetimeIsCappedByConfiguration() throws Exception {
    HttpResponse<String> over =
        post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 31}");
    assertThat(over.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(over.body()).get("message").asText())
        .contains("'days'")
        .contains("server.max-token-days")
        .contains("30");
    assertThat(post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 30}").statusCode())
        .isEqualTo(201);
    HttpResponse<String> byDefault = post("/api/v1/tokens", adminToken, "{\"user\": \"ada\"}");
    assertThat(byDefault.statusCode())
        .as("the default 90 days is lowered to the cap")
        .isEqualTo(201);
    JsonNode token = JSON.readTree(byDefault.body()).get("token");
    assertThat(
            Duration.between(
                java.time.Instant.parse(token.get("createdAt").asText()),
                java.time.Instant.parse(token.get("expiresAt").asText())))
        .isEqualTo(Duration.ofDays(30));
  }

  @Test
  void formulaCellsAreNeutralisedInEveryCsvTheServerWrites() throws Exception {
    String sql =
        "SELECT ' =1+1' AS spaced, '\n=2+2' AS newline, '@SUM(A1:A9)' AS at, 'plain' AS plain, '\tx' AS tab";
    HttpResponse<String> export =
        post(
            "/api/v1/exports",
            analystToken,
            JSON.writeValueAsString(java.util.Map.of("sql", sql, "format", "csv")));
    assertThat(export.statusCode()).as(export.body()).isEqualTo(200);
    try (var reader = de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(export.body())) {
      assertThat(reader.stream().skip(1).findFirst().orElseThrow().getFields())
          .containsExactly("' =1+1", "'\n=2+2", "'@SUM(A1:A9)", "plain", "'\tx");
    }
    org.medlake.core.ledger.IngestRun run;
    try (var ledger = org.medlake.platform.store.RunLedger.open(home)) {
      run = ledger.list().get(0);
    }
    var report =
        org.medlake.ingest.pipeline.RejectsReport.of(
            run,
            List.of(
                new org.medlake.ingest.ledger.RejectedRows.Row(2, List.of("BAD"), "@SUM(A1:A9),x"),
                new org.medlake.ingest.ledger.RejectedRows.Row(3, List.of("BAD"), " =1+1,x")));
    java.io.StringWriter csv = new java.io.StringWriter();
    report.writeCsv(csv);
    try (var reader = de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(csv.toString())) {
      assertThat(reader.stream().skip(1).map(record -> record.getField(2)).toList())
          .containsExactly("'@SUM(A1:A9),x", "' =1+1,x");
    }
  }

  @Test
  void compressedExportsAreComplete() throws Exception {
    String sql =
        "SELECT patient_key, test_code, collected_at FROM lab_results ORDER BY patient_key, test_code, collected_at";
    HttpResponse<byte[]> gzipped =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/exports"))
                .header("Authorization", "Bearer " + analystToken)
                .header("Accept-Encoding", "gzip")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(java.util.Map.of("sql", sql, "format", "csv"))))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(gzipped.statusCode()).isEqualTo(200);
    assertThat(gzipped.headers().firstValue("Content-Encoding")).contains("gzip");
    gzipped
        .headers()
        .firstValueAsLong("Content-Length")
        .ifPresent(length -> assertThat(length).isEqualTo(gzipped.body().length));
    String text;
    try (var body =
        new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped.body()))) {
      text = new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
    long rows =
        JSON.readTree(
                post("/api/v1/sql", analystToken, "{\"sql\": \"SELECT count(*) FROM lab_results\"}")
                    .body())
            .get("result")
            .get("rows")
            .get(0)
            .get(0)
            .asLong();
    assertThat(text.length())
        .as("well over the 1500-byte compression threshold")
        .isGreaterThan(10_000);
    assertThat(text.lines().count()).isEqualTo(rows + 1);
    HttpResponse<String> plain =
        post(
            "/api/v1/exports",
            analystToken,
            JSON.writeValueAsString(java.util.Map.of("sql", sql, "format", "csv")));
    assertThat(plain.body()).isEqualTo(text);
    assertThat(plain.headers().firstValueAsLong("Content-Length"))
        .hasValue((long) plain.body().length());
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String token, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
