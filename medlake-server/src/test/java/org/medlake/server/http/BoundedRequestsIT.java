package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.security.Role;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * No single request pushes the server past its heap (issue 17, point 2): the server runs in a child
 * JVM with {@value #HEAP} of heap that exits on OutOfMemoryError; each path is driven against it
 * (string amplification over SQL, results and values over their byte limits in memory and in
 * downloads, a rejects report several times the heap), and the server must answer /health after
 * each one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BoundedRequestsIT {
  private static final String HEAP = "-Xmx128m";

  /**
   * Rejected rows in the big report: about 250 bytes each, 100 MB of CSV, most of the child's heap.
   */
  private static final int REJECTED_ROWS = 400_000;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Process server;
  private int port;
  private String adminToken;
  private String analystToken;
  private String bigRun;
  private String header;
  private Path landing;

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    Path homeDirectory = directory.resolve("home");
    Files.createDirectories(homeDirectory);
    Files.writeString(
        homeDirectory.resolve("medlake.yaml"),
        """
        ingest:
          hold:
            max-rejected-share: 1
        query:
          max-result-bytes: 100KB
          max-cell-bytes: 15KB
          max-export-bytes: 150KB
        """);
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources())
            .hospitals(1)
            .months(1)
            .rowsPerFile(2000)
            .seed(17)
            .build(),
        rows -> {});
    Path delivery;
    try (Stream<Path> files = Files.walk(home.landing())) {
      delivery = files.filter(path -> path.toString().endsWith(".csv")).findFirst().orElseThrow();
    }
    header = Files.readAllLines(delivery).get(0);
    landing = home.landing();
    // the generator's file plus many lines no mapping accepts (too few fields): all rejected, kept
    // in the rejects table
    try (Writer writer =
        Files.newBufferedWriter(delivery, StandardCharsets.UTF_8, StandardOpenOption.APPEND)) {
      String filler = "x".repeat(220);
      for (int i = 0; i < REJECTED_ROWS; i++) {
        writer.write("garbage-" + i + "-" + filler + "\n");
      }
    }
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      List<IngestRun> runs =
          ingest.ingest(
              ingest.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
      bigRun = runs.get(0).id();
      assertThat(runs.get(0).rowsRejected()).isGreaterThanOrEqualTo(REJECTED_ROWS);
    }
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform
          .users()
          .add("adm", Role.ADMIN, Optional.empty(), "correct horse battery".toCharArray());
      adminToken = platform.tokens().create("adm", "test", Duration.ofDays(1)).secret();
      platform
          .users()
          .add("ada", Role.ANALYST, Optional.empty(), "correct horse battery".toCharArray());
      analystToken = platform.tokens().create("ada", "test", Duration.ofDays(1)).secret();
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    server =
        new ProcessBuilder(
                java.toString(),
                HEAP,
                "-XX:+ExitOnOutOfMemoryError",
                "-cp",
                System.getProperty("java.class.path"),
                BoundedHeapServer.class.getName(),
                homeDirectory.toString())
            .redirectError(directory.resolve("server.err").toFile())
            .start();
    BufferedReader output =
        new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = output.readLine()) != null && !line.startsWith("PORT ")) {
      // log lines before the port
    }
    assertThat(line).as("the server started (see server.err)").isNotNull();
    port = Integer.parseInt(line.substring(5).trim());
  }

  @AfterAll
  void stop() throws Exception {
    if (server != null) {
      server.getOutputStream().close();
      if (!server.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        server.destroy();
      }
    }
  }

  @Test
  void aHugePadIsRefusedAtOnceInOneLine() throws Exception {
    for (String sql :
        List.of(
            "SELECT lpad('x', 2000000000, 'y')",
            "SELECT rpad(test_code, 2000000000, 'y') FROM lab_results",
            "SELECT length(lpad('x', CAST(value_numeric AS INTEGER) * 100000000, 'y')) FROM lab_results")) {
      HttpResponse<String> answer = post("/api/v1/sql", analystToken, "{\"sql\": \"" + sql + "\"}");
      assertLimit(answer, "over the limit", "constant width");
      assertHealthy();
      HttpResponse<String> export =
          post("/api/v1/exports", analystToken, "{\"sql\": \"" + sql + "\", \"format\": \"csv\"}");
      assertLimit(export, "over the limit", "constant width");
      assertHealthy();
    }
  }

  @Test
  void resultsAndValuesOverTheirByteLimitsAreRefused() throws Exception {
    // 2000 rows of ~400 bytes: under query.max-rows, over query.max-result-bytes (100 KB)
    assertLimit(
        post("/api/v1/sql", analystToken, "{\"sql\": \"SELECT * FROM lab_results\"}"),
        "query.max-result-bytes");
    // one value of 20 000 characters: over query.max-cell-bytes (15 KB)
    assertLimit(
        post(
            "/api/v1/sql",
            analystToken,
            "{\"sql\": \"SELECT lpad(test_code, 10000, '0') || lpad(test_code, 10000, '0') FROM lab_results LIMIT 1\"}"),
        "query.max-cell-bytes");
    // a streamed download over query.max-export-bytes (150 KB), though under its row cap
    assertLimit(
        post(
            "/api/v1/exports",
            analystToken,
            "{\"sql\": \"SELECT * FROM lab_results\", \"format\": \"csv\"}"),
        "query.max-export-bytes");
    // structured queries and their exports are read the same way: ~2000 groups with long names,
    // over 100 KB
    String structured =
        "{\"table\": \"lab_results\", \"group_by\": [{\"column\": \"patient_key\"}, {\"column\": \"encounter_key\"},"
            + " {\"column\": \"test_name\"}], \"aggregates\": [{\"function\": \"count\"}], \"limit\": 5000}";
    assertLimit(
        post("/api/v1/query", analystToken, "{\"query\": " + structured + "}"),
        "query.max-result-bytes");
    assertLimit(
        post(
            "/api/v1/exports",
            analystToken,
            "{\"query\": " + structured + ", \"format\": \"csv\"}"),
        "query.max-result-bytes");
    // small answers still work
    HttpResponse<String> small =
        post(
            "/api/v1/sql",
            analystToken,
            "{\"sql\": \"SELECT test_code, count(*) FROM lab_results GROUP BY 1\"}");
    assertThat(small.statusCode()).as(small.body()).isEqualTo(200);
    assertHealthy();
  }

  @Test
  void aRejectsReportLargerThanTheHeapIsStreamed() throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + port + "/api/v1/runs/" + bigRun + "/rejects-report"))
            .header("Authorization", "Bearer " + adminToken)
            .GET()
            .build();
    HttpResponse<InputStream> answer =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(answer.statusCode()).isEqualTo(200);
    long bytes = 0;
    long lines = 0;
    try (BufferedReader reader =
        new BufferedReader(new InputStreamReader(answer.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        bytes += line.length() + 2;
        lines++;
      }
    }
    assertThat(lines).isGreaterThan(REJECTED_ROWS);
    assertThat(bytes).as("the report is larger than the server's heap").isGreaterThan(100_000_000L);
    HttpResponse<String> summary =
        get("/api/v1/runs/" + bigRun + "/rejects-report?format=summary", adminToken);
    assertThat(summary.statusCode()).isEqualTo(200);
    assertThat(summary.body()).contains(REJECTED_ROWS + " row(s)");
    assertHealthy();
    System.out.println(
        "BoundedRequestsIT: rejects report "
            + bytes
            + " bytes, "
            + lines
            + " lines; server "
            + HEAP
            + ", "
            + residentMemory());
  }

  @Test
  void anUploadOfOnlyRejectedRowsIsHeldAndItsReportStreamed(@TempDir Path directory)
      throws Exception {
    // no row accepted: the run is held, its rejects are read back from uncommitted files for the
    // report next to the file
    Path upload = directory.resolve("upload.csv");
    try (Writer writer = Files.newBufferedWriter(upload, StandardCharsets.UTF_8)) {
      writer.write(header + "\n");
      String filler = "y".repeat(220);
      for (int i = 0; i < REJECTED_ROWS; i++) {
        writer.write("rejected-" + i + "-" + filler + "\n");
      }
    }
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + port + "/api/v1/uploads?hospital=H001&month=2024-02"))
                .header("Authorization", "Bearer " + adminToken)
                .POST(HttpRequest.BodyPublishers.ofFile(upload))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertHealthy();
    assertThat(AcceptedUploads.ended(port, adminToken, answer).get("status").asText())
        .isEqualTo("HELD");
    assertHealthy();
    Path report;
    try (Stream<Path> files = Files.walk(landing)) {
      report =
          files
              .filter(
                  path ->
                      path.toString().contains("2024-02")
                          && path.toString().endsWith(".rejects.csv"))
              .findFirst()
              .orElseThrow();
    }
    long lines;
    try (Stream<String> reportLines = Files.lines(report)) {
      lines = reportLines.count();
    }
    assertThat(lines).isEqualTo(REJECTED_ROWS + 1L);
    System.out.println(
        "BoundedRequestsIT: held upload's report "
            + Files.size(report)
            + " bytes; server "
            + HEAP
            + ", "
            + residentMemory());
  }

  private void assertLimit(HttpResponse<String> answer, String... anyOf) throws Exception {
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
    JsonNode error = JSON.readTree(answer.body());
    assertThat(error.get("code").asText()).isEqualTo("QUERY_LIMIT_EXCEEDED");
    assertThat(error.get("message").asText()).doesNotContain("\n").containsAnyOf(anyOf);
  }

  private void assertHealthy() throws Exception {
    assertThat(server.isAlive())
        .as("the server is still running (it exits on OutOfMemoryError)")
        .isTrue();
    HttpResponse<String> health = get("/health", null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("ok");
  }

  /** The child's peak and current resident memory, as the kernel reports them. */
  private String residentMemory() throws Exception {
    List<String> fields = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/" + server.pid() + "/status"))) {
      if (line.startsWith("VmHWM") || line.startsWith("VmRSS")) {
        fields.add(line.replaceAll("\\s+", " "));
      }
    }
    return String.join(", ", fields);
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String token, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
