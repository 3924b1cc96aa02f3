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

/** The server over real HTTP on a random port, on ingested generated data. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MedlakeServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";

  private MedlakeServer server;
  private String analystToken;
  private String viewerToken;
  private String revokedToken;
  private String uploaderToken;
  private String adminToken;
  private Path directory;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    this.directory = directory;
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources())
            .hospitals(2)
            .months(1)
            .rowsPerFile(1500)
            .seed(4)
            .build(),
        rows -> {});
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      ingest.ingest(ingest.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
    }
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform.users().add("ada", Role.ANALYST, Optional.empty(), PASSWORD.toCharArray());
      platform.users().add("vic", Role.VIEWER, Optional.empty(), PASSWORD.toCharArray());
      platform.users().add("upl", Role.UPLOADER, Optional.of("H002"), PASSWORD.toCharArray());
      uploaderToken = platform.tokens().create("upl", "test", Duration.ofDays(1)).secret();
      platform.users().add("adm", Role.ADMIN, Optional.empty(), PASSWORD.toCharArray());
      adminToken = platform.tokens().create("adm", "test", Duration.ofDays(1)).secret();
      analystToken = platform.tokens().create("ada", "test", Duration.ofDays(1)).secret();
      viewerToken = platform.tokens().create("vic", "test", Duration.ofDays(1)).secret();
      var revoked = platform.tokens().create("ada", "revoked", Duration.ofDays(1));
      platform.tokens().revoke(revoked.token().id());
      revokedToken = revoked.secret();
    }
    java.nio.file.Files.createDirectories(home.queries());
    java.nio.file.Files.writeString(
        home.queries().resolve("per-hospital.yaml"),
        """
        name: per-hospital-rows
        title: Per hospital, not for viewers
        sql: SELECT hospital_id, count(*) AS n FROM lab_results GROUP BY ALL
        aggregate-only: refused
        """);
    server = MedlakeServer.start(home, 0);
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void viewersAreListedOnlyTheQueriesTheyMayRun() throws Exception {
    List<String> analyst = new java.util.ArrayList<>();
    JSON.readTree(get("/api/v1/queries", analystToken).body())
        .forEach(query -> analyst.add(query.get("name").asText()));
    List<String> viewer = new java.util.ArrayList<>();
    JSON.readTree(get("/api/v1/queries", viewerToken).body())
        .forEach(query -> viewer.add(query.get("name").asText()));
    assertThat(analyst).contains("per-hospital-rows", "monthly-volume", "delivery-completeness");
    assertThat(viewer)
        .contains("monthly-volume", "delivery-completeness")
        .doesNotContain("per-hospital-rows");
    assertThat(
            post("/api/v1/queries/per-hospital-rows/run", viewerToken, null, null, "{}")
                .statusCode())
        .isEqualTo(400);
  }

  @Test
  void healthAnswersWithSecurityHeaders() throws Exception {
    HttpResponse<String> response = get("/health", null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Security-Policy"))
        .hasValueSatisfying(value -> assertThat(value).contains("frame-ancestors 'none'"));
    assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(response.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    post(
        "/api/v1/sql", analystToken, null, null, "{\"sql\": \"SELECT count(*) FROM lab_results\"}");
    String metrics = get("/metrics", null).body();
    assertThat(metrics)
        .contains(
            "medlake_http_requests_seconds_count{method=\"GET\",route=\"/health\",status=\"200\"}")
        .contains("medlake_query_cache_total")
        .contains("medlake_query_bytes_scanned_total")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void anonymousAndRevokedCallersAreRefusedWithTheErrorBody() throws Exception {
    for (String token : new String[] {null, revokedToken, "mlk_not_a_token"}) {
      HttpResponse<String> response = get("/api/v1/tables", token);
      assertThat(response.statusCode()).isEqualTo(401);
      JsonNode error = JSON.readTree(response.body());
      assertThat(error.get("code").asText()).isEqualTo("UNAUTHENTICATED");
      assertThat(error.has("message")).isTrue();
      assertThat(error.has("details")).isTrue();
    }
  }

  @Test
  void sessionLoginNeedsTheCsrfTokenForStateChangingRequests() throws Exception {
    HttpResponse<String> wrong =
        post(
            "/api/v1/login",
            null,
            null,
            null,
            "{\"name\": \"ada\", \"password\": \"nope nope nope\"}");
    assertThat(wrong.statusCode()).isEqualTo(401);
    HttpResponse<String> login =
        post(
            "/api/v1/login",
            null,
            null,
            null,
            "{\"name\": \"ada\", \"password\": \"" + PASSWORD + "\"}");
    assertThat(login.statusCode()).isEqualTo(200);
    String setCookie = login.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(setCookie).contains("HttpOnly").contains("SameSite=Strict");
    String cookie = setCookie.split(";")[0];
    String csrf = JSON.readTree(login.body()).get("csrf_token").asText();
    HttpResponse<String> me =
        send(HttpRequest.newBuilder(uri("/api/v1/me")).header("Cookie", cookie).GET());
    assertThat(JSON.readTree(me.body()).get("role").asText()).isEqualTo("analyst");
    String sql =
        "{\"sql\": \"SELECT count(*) AS n FROM lab_results WHERE collected_at < TIMESTAMP '2024-03-01 00:00:00'\"}";
    assertThat(post("/api/v1/sql", null, cookie, null, sql).statusCode()).isEqualTo(403);
    HttpResponse<String> withCsrf = post("/api/v1/sql", null, cookie, csrf, sql);
    assertThat(withCsrf.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(withCsrf.body()).get("result").get("rows").get(0).get(0).asLong())
        .isEqualTo(3000);
    HttpResponse<String> relogin =
        post(
            "/api/v1/login",
            null,
            cookie,
            null,
            "{\"name\": \"ada\", \"password\": \"" + PASSWORD + "\"}");
    assertThat(relogin.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0])
        .as("a new session id at login")
        .isNotEqualTo(cookie);
    assertThat(
            send(HttpRequest.newBuilder(uri("/api/v1/me")).header("Cookie", cookie).GET())
                .statusCode())
        .isEqualTo(401);
  }

  @Test
  void largeJsonAnswersAreGzippedForClientsThatAcceptIt() throws Exception {
    String plain = get("/api/openapi.json", null).body();
    HttpResponse<byte[]> gzipped =
        http.send(
            HttpRequest.newBuilder(uri("/api/openapi.json"))
                .header("Accept-Encoding", "gzip")
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(plain.length()).isGreaterThan(1500);
    assertThat(gzipped.headers().firstValue("Content-Encoding")).contains("gzip");
    try (java.util.zip.GZIPInputStream body =
        new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzipped.body()))) {
      assertThat(new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
          .isEqualTo(plain);
    }
    assertThat(get("/api/openapi.json", null).headers().firstValue("Content-Encoding")).isEmpty();
  }

  @Test
  void predefinedRunsTakeAnEmptyBodyAndRefuseOneThatIsNotAJsonObject() throws Exception {
    assertThat(
            post("/api/v1/queries/monthly-volume/run", analystToken, null, null, "").statusCode())
        .isEqualTo(200);
    assertThat(
            post("/api/v1/queries/monthly-volume/run", analystToken, null, null, " \r\n")
                .statusCode())
        .isEqualTo(200);
    HttpResponse<String> broken =
        post("/api/v1/queries/monthly-volume/run", analystToken, null, null, "{\"parameters\": ");
    assertThat(broken.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(broken.body()).get("message").asText())
        .startsWith("The request body is not valid JSON");
    HttpResponse<String> array =
        post("/api/v1/queries/monthly-volume/run", analystToken, null, null, "[]");
    assertThat(array.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(array.body()).get("message").asText())
        .isEqualTo("The request body must be a JSON object");
  }

  @Test
  void rolesShapeWhatTheApiAnswers() throws Exception {
    String sql = "{\"sql\": \"SELECT hospital_id, count(*) FROM lab_results GROUP BY ALL\"}";
    assertThat(post("/api/v1/sql", viewerToken, null, null, sql).statusCode()).isEqualTo(403);
    HttpResponse<String> refused =
        post(
            "/api/v1/sql",
            analystToken,
            null,
            null,
            "{\"sql\": \"SELECT * FROM read_csv('/etc/passwd')\"}");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("QUERY_REFUSED");
    assertThat(JSON.readTree(get("/api/v1/tables", viewerToken).body())).hasSize(1);

    HttpResponse<String> viewer =
        post(
            "/api/v1/queries/value-distribution/run",
            viewerToken,
            null,
            null,
            "{\"parameters\": {\"test\": \"718-7\", \"bins\": 60}}");
    assertThat(viewer.statusCode()).as(viewer.body()).isEqualTo(200);
    assertThat(JSON.readTree(viewer.body()).get("suppressed_cells").asInt()).isPositive();
    HttpResponse<String> analyst =
        post(
            "/api/v1/queries/value-distribution/run",
            analystToken,
            null,
            null,
            "{\"parameters\": {\"test\": \"718-7\", \"bins\": 60}}");
    assertThat(JSON.readTree(analyst.body()).get("suppressed_cells").asInt()).isZero();

    HttpResponse<String> structured =
        post(
            "/api/v1/query",
            viewerToken,
            null,
            null,
            "{\"query\": {\"table\": \"lab_results\", \"group_by\": [{\"column\": \"hospital_id\"}], \"aggregates\": [{\"function\": \"count\"}], \"limit\": 10}}");
    assertThat(structured.statusCode()).as(structured.body()).isEqualTo(200);
    assertThat(JSON.readTree(structured.body()).get("result").get("columns")).hasSize(3);
    // issue 17 (a): grouped by identifiers, exact times and raw values, a viewer's "aggregate" was
    // row-level data
    HttpResponse<String> rowLevel =
        post(
            "/api/v1/query",
            viewerToken,
            null,
            null,
            "{\"query\": {\"table\": \"lab_results\", \"group_by\": [{\"column\": \"patient_key\"}, {\"column\": \"collected_at\"},"
                + " {\"column\": \"value_numeric\"}], \"aggregates\": [{\"function\": \"count\"}], \"limit\": 10}}");
    assertThat(rowLevel.statusCode()).as(rowLevel.body()).isEqualTo(400);
    assertThat(JSON.readTree(rowLevel.body()).get("code").asText()).isEqualTo("QUERY_REFUSED");
    assertThat(JSON.readTree(rowLevel.body()).get("message").asText())
        .endsWith("not by patient_key")
        .doesNotContain("\n");
    HttpResponse<String> typo =
        post(
            "/api/v1/query",
            analystToken,
            null,
            null,
            "{\"query\": {\"table\": \"lab_results\", \"filters\": [{\"column\": \"valu\", \"op\": \"=\", \"values\": [1]}], \"limit\": 10}}");
    assertThat(typo.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(typo.body()).get("message").asText())
        .contains("did you mean value_numeric?");
    HttpResponse<String> estimate =
        post(
            "/api/v1/sql",
            analystToken,
            null,
            null,
            "{\"sql\": \"SELECT count(*) FROM lab_results WHERE hospital_id = 'H001'\", \"dry_run\": true}");
    assertThat(JSON.readTree(estimate.body()).get("files").asLong()).isEqualTo(1);
  }

  @Test
  void adminsReadTheRejectsOverSqlOthersAreToldWhyAndNobodyReachesTheVault() throws Exception {
    String count = "{\"sql\": \"SELECT count(*) AS n FROM lab_results_rejects\"}";
    HttpResponse<String> admin = post("/api/v1/sql", adminToken, null, null, count);
    assertThat(admin.statusCode()).as(admin.body()).isEqualTo(200);
    long stored = 0;
    for (JsonNode table : JSON.readTree(get("/api/v1/tables", adminToken).body())) {
      if (table.get("name").asText().equals("lab_results_rejects")) {
        stored = table.get("rows").asLong();
      }
    }
    assertThat(JSON.readTree(admin.body()).get("result").get("rows").get(0).get(0).asLong())
        .isEqualTo(stored);

    HttpResponse<String> analyst = post("/api/v1/sql", analystToken, null, null, count);
    assertThat(analyst.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(analyst.body()).get("code").asText()).isEqualTo("QUERY_REFUSED");
    assertThat(JSON.readTree(analyst.body()).get("message").asText())
        .isEqualTo("Table 'lab_results_rejects' is readable by admins only, not by role analyst");
    assertThat(post("/api/v1/sql", viewerToken, null, null, count).statusCode()).isEqualTo(403);
    assertThat(post("/api/v1/sql", uploaderToken, null, null, count).statusCode()).isEqualTo(403);
    HttpResponse<String> export =
        post(
            "/api/v1/exports",
            analystToken,
            null,
            null,
            "{\"sql\": \"SELECT raw_line FROM lab_results_rejects\", \"format\": \"csv\"}");
    assertThat(export.statusCode()).isEqualTo(400);

    for (String vault :
        List.of(
            "SELECT * FROM id_links",
            "SELECT * FROM 'vault.db'",
            "SELECT * FROM sqlite_scan('vault.db', 'id_links')")) {
      HttpResponse<String> refused =
          post(
              "/api/v1/sql",
              adminToken,
              null,
              null,
              JSON.writeValueAsString(java.util.Map.of("sql", vault)));
      assertThat(refused.statusCode()).as(vault).isEqualTo(400);
      assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("QUERY_REFUSED");
    }
  }

  @Test
  void uploadersUploadForTheirHospitalAndSeeOnlyItsRunsAndRejects() throws Exception {
    var generated =
        LabDataGenerator.generate(
            GeneratorOptions.builder(
                    directory.resolve("upload"), directory.resolve("upload-sources"))
                .hospitals(2)
                .months(1)
                .start(java.time.YearMonth.of(2024, 3))
                .rowsPerFile(800)
                .seed(8)
                .dirtyFraction(0.05)
                .gzip()
                .build(),
            rows -> {});
    Path h002 =
        generated.files().stream()
            .filter(file -> file.hospitalId().equals("H002"))
            .findFirst()
            .orElseThrow()
            .path();
    HttpResponse<String> upload =
        send(
            HttpRequest.newBuilder(uri("/api/v1/uploads?month=2024-03"))
                .header("Authorization", "Bearer " + uploaderToken)
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(h002)));
    JsonNode run = AcceptedUploads.ended(server.port(), uploaderToken, upload);
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.get("rows_rejected").asLong()).isPositive();
    assertThat(run.get("source_file").asText())
        .contains("upload-")
        .doesNotContain(h002.getFileName().toString());

    JsonNode runs = JSON.readTree(get("/api/v1/runs", uploaderToken).body());
    assertThat(runs).isNotEmpty();
    runs.forEach(each -> assertThat(each.get("hospital_id").asText()).isEqualTo("H002"));
    HttpResponse<String> rejects =
        get("/api/v1/runs/" + run.get("id").asText() + "/rejects?limit=5", uploaderToken);
    assertThat(JSON.readTree(rejects.body())).hasSize(5);
    // the layout of the file's rows, to show rejects under the file's header: its column names
    // (from the landed, gzipped file) and the column of each mapped field
    JsonNode layout =
        JSON.readTree(
            get("/api/v1/runs/" + run.get("id").asText() + "/rejects-layout", uploaderToken)
                .body());
    String firstLine;
    try (var lines =
        new java.io.BufferedReader(
            new java.io.InputStreamReader(
                new java.util.zip.GZIPInputStream(Files.newInputStream(h002)),
                java.nio.charset.StandardCharsets.UTF_8))) {
      firstLine = lines.readLine();
    }
    List<String> header = new java.util.ArrayList<>();
    layout.get("header").forEach(name -> header.add(name.asText()));
    assertThat(String.join(layout.get("delimiter").asText(), header)).isEqualTo(firstLine);
    assertThat(header).contains(layout.get("field_columns").get("patient-id").asText());
    // the rejects report: downloadable by the uploader, and written next to the landing file
    HttpResponse<String> report =
        get("/api/v1/runs/" + run.get("id").asText() + "/rejects-report", uploaderToken);
    assertThat(report.statusCode()).isEqualTo(200);
    assertThat(report.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/csv"));
    try (var reader = de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(report.body())) {
      assertThat(reader.stream().count()).isEqualTo(run.get("rows_rejected").asLong() + 1);
    }
    Path landed = directory.resolve("home").resolve(run.get("source_file").asText());
    assertThat(Files.readString(landed.resolveSibling(landed.getFileName() + ".rejects.csv")))
        .isEqualTo(report.body());
    HttpResponse<String> summary =
        get(
            "/api/v1/runs/" + run.get("id").asText() + "/rejects-report?format=summary",
            uploaderToken);
    assertThat(summary.body())
        .contains("rejected " + run.get("rows_rejected").asLong())
        .contains("line ");
    assertThat(
            get(
                    "/api/v1/runs/" + run.get("id").asText() + "/rejects-report?format=xml",
                    uploaderToken)
                .statusCode())
        .isEqualTo(400);
    // the job counts its run right after recording it
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofMinutes(1))
        .untilAsserted(
            () ->
                assertThat(get("/metrics", null).body())
                    .containsPattern("medlake_ingest_runs_total\\{status=\"SUCCEEDED\"\\} [1-9]")
                    .contains("medlake_ingest_rows_total{outcome=\"rejected\"}"));
    String otherHospitalRun = null;
    for (JsonNode each : JSON.readTree(get("/api/v1/runs", adminToken).body())) {
      if (each.get("hospital_id").asText().equals("H001")) {
        otherHospitalRun = each.get("id").asText();
      }
    }
    assertThat(get("/api/v1/runs/" + otherHospitalRun, adminToken).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/runs/" + otherHospitalRun, uploaderToken).statusCode()).isEqualTo(404);
    assertThat(
            get("/api/v1/runs/" + otherHospitalRun + "/rejects-report", uploaderToken).statusCode())
        .isEqualTo(404);
    assertThat(
            get("/api/v1/runs/" + otherHospitalRun + "/rejects-layout", uploaderToken).statusCode())
        .isEqualTo(404);
    assertThat(get("/api/v1/runs", viewerToken).statusCode()).isEqualTo(403);
    HttpResponse<String> otherHospital =
        send(
            HttpRequest.newBuilder(uri("/api/v1/uploads?month=2024-03&hospital=H001"))
                .header("Authorization", "Bearer " + uploaderToken)
                .POST(HttpRequest.BodyPublishers.ofString("x")));
    assertThat(otherHospital.statusCode()).isEqualTo(403);
    assertThat(get("/api/v1/tables", uploaderToken).statusCode()).isEqualTo(403);
  }

  @Test
  void exportsInEveryFormatReadBackAndNeutraliseFormulas() throws Exception {
    String sql =
        "SELECT hospital_id, count(*) AS n, '=HYPERLINK(\\\"x\\\")' AS formula, '+1' AS plus, -2.5 AS negative"
            + " FROM lab_results WHERE collected_at < TIMESTAMP '2024-03-01 00:00:00' GROUP BY hospital_id ORDER BY hospital_id";
    String body = "{\"sql\": \"" + sql + "\", \"format\": \"%s\"}";
    HttpResponse<String> csv =
        post("/api/v1/exports", analystToken, null, null, body.formatted("csv"));
    assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/csv");
    assertThat(csv.headers().firstValue("X-Row-Cap")).hasValue("1000000");
    List<List<String>> records = new java.util.ArrayList<>();
    try (var reader = de.siegmar.fastcsv.reader.CsvReader.builder().ofCsvRecord(csv.body())) {
      reader.forEach(record -> records.add(record.getFields()));
    }
    assertThat(records).hasSize(3);
    assertThat(records.get(0)).containsExactly("hospital_id", "n", "formula", "plus", "negative");
    assertThat(records.get(1)).containsExactly("H001", "1500", "'=HYPERLINK(\"x\")", "'+1", "-2.5");

    HttpResponse<String> json =
        post("/api/v1/exports", analystToken, null, null, body.formatted("json"));
    assertThat(JSON.readTree(json.body()).get("rows")).hasSize(2);

    HttpResponse<byte[]> parquet =
        http.send(
            HttpRequest.newBuilder(uri("/api/v1/exports"))
                .header("Authorization", "Bearer " + analystToken)
                .POST(HttpRequest.BodyPublishers.ofString(body.formatted("parquet")))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertThat(parquet.statusCode()).isEqualTo(200);
    Path file = directory.resolve("export.parquet");
    java.nio.file.Files.write(file, parquet.body());
    try (var connection = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        var rows =
            connection
                .createStatement()
                .executeQuery("SELECT sum(n), min(formula) FROM read_parquet('" + file + "')")) {
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(3000);
      assertThat(rows.getString(2)).isEqualTo("=HYPERLINK(\"x\")");
    }
    HttpResponse<String> viewer =
        post("/api/v1/exports", viewerToken, null, null, body.formatted("csv"));
    assertThat(viewer.statusCode()).isEqualTo(403);
  }

  @Test
  void loginsQueriesAndRefusalsAreAuditedWithoutTheQueryText() throws Exception {
    post(
        "/api/v1/login",
        null,
        null,
        null,
        "{\"name\": \"vic\", \"password\": \"wrong password 1\"}");
    post(
        "/api/v1/sql",
        analystToken,
        null,
        null,
        "{\"sql\": \"SELECT count(*) FROM lab_results WHERE patient_key = 'p-secret-literal'\"}");
    post(
        "/api/v1/sql",
        analystToken,
        null,
        null,
        "{\"sql\": \"SELECT * FROM read_text('/etc/passwd')\"}");
    assertThat(get("/api/v1/audit", analystToken).statusCode()).isEqualTo(403);
    JsonNode failedLogins =
        JSON.readTree(get("/api/v1/audit?action=login_failed&actor=vic", adminToken).body());
    assertThat(failedLogins).isNotEmpty();
    assertThat(failedLogins.get(0).get("outcome").asText()).isEqualToIgnoringCase("refused");
    String sqlEvents = get("/api/v1/audit?action=sql&actor=ada&limit=50", adminToken).body();
    assertThat(sqlEvents)
        .doesNotContain("p-secret-literal")
        .doesNotContain("read_text")
        .contains("sql_sha256");
    JsonNode events = JSON.readTree(sqlEvents);
    assertThat(events.findValuesAsText("outcome")).contains("OK", "REFUSED");
    JsonNode ok = null;
    for (JsonNode event : events) {
      if (event.get("outcome").asText().equals("OK")) {
        ok = event;
      }
    }
    assertThat(ok.get("actor").asText()).isEqualTo("ada");
    assertThat(ok.get("details").get("bytes_scanned").asLong()).isPositive();
    assertThat(ok.get("details").has("snapshot_ids")).isTrue();
  }

  @Test
  void adminsManageUsersAndTokensOthersCannot() throws Exception {
    String user =
        "{\"name\": \"newbie\", \"role\": \"viewer\", \"password\": \"a long enough password\"}";
    assertThat(post("/api/v1/users", analystToken, null, null, user).statusCode()).isEqualTo(403);
    assertThat(post("/api/v1/users", adminToken, null, null, user).statusCode()).isEqualTo(201);
    assertThat(post("/api/v1/users", adminToken, null, null, user).statusCode()).isEqualTo(400);
    HttpResponse<String> token =
        post("/api/v1/tokens", adminToken, null, null, "{\"user\": \"newbie\", \"days\": 1}");
    assertThat(token.statusCode()).isEqualTo(201);
    String secret = JSON.readTree(token.body()).get("secret").asText();
    String id = JSON.readTree(token.body()).get("token").get("id").asText();
    assertThat(get("/api/v1/me", secret).statusCode()).isEqualTo(200);
    assertThat(get("/api/v1/tokens?user=newbie", adminToken).body())
        .contains(id)
        .doesNotContain(secret);
    assertThat(post("/api/v1/tokens/" + id + "/revoke", adminToken, null, null, "").statusCode())
        .isEqualTo(204);
    assertThat(get("/api/v1/me", secret).statusCode()).isEqualTo(401);
    assertThat(post("/api/v1/users/newbie/disable", adminToken, null, null, "").statusCode())
        .isEqualTo(204);
    assertThat(
            post(
                    "/api/v1/login",
                    null,
                    null,
                    null,
                    "{\"name\": \"newbie\", \"password\": \"a long enough password\"}")
                .statusCode())
        .isEqualTo(401);
    assertThat(get("/api/v1/audit?action=admin", adminToken).body())
        .contains("add user newbie")
        .contains("revoke token " + id);
  }

  @Test
  void missingDeliveriesAreListedPerHospitalAndAnUploaderSeesOnlyItsOwn() throws Exception {
    String delivered = GeneratorOptions.DEFAULT_START.toString();
    assertThat(
            JSON.readTree(get("/api/v1/deliveries/missing?month=" + delivered, adminToken).body()))
        .isEmpty();
    JsonNode missing =
        JSON.readTree(get("/api/v1/deliveries/missing?month=2020-01", adminToken).body());
    assertThat(missing)
        .extracting(each -> each.get("hospital_id").asText())
        .containsExactlyInAnyOrder("H001", "H002");
    assertThat(missing)
        .allSatisfy(
            each -> {
              assertThat(each.get("month").asText()).isEqualTo("2020-01");
              assertThat(each.get("source_id").asText()).isNotBlank();
            });
    assertThat(JSON.readTree(get("/api/v1/deliveries/missing?month=2020-01", uploaderToken).body()))
        .extracting(each -> each.get("hospital_id").asText())
        .containsExactly("H002");
    // without a month: last month, which nobody delivered for in this test
    String lastMonth = java.time.YearMonth.now(java.time.ZoneOffset.UTC).minusMonths(1).toString();
    assertThat(JSON.readTree(get("/api/v1/deliveries/missing", adminToken).body()))
        .extracting(each -> each.get("month").asText())
        .containsOnly(lastMonth)
        .hasSize(2);
    HttpResponse<String> bad = get("/api/v1/deliveries/missing?month=2020-13", adminToken);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("message").asText())
        .isEqualTo("'month' must be YYYY-MM (query parameter)");
  }

  @Test
  void everyEndpointAnswersEveryRoleAsTheRolesAllow() throws Exception {
    java.util.Map<String, String> tokens = new java.util.LinkedHashMap<>();
    tokens.put("admin", adminToken);
    tokens.put("analyst", analystToken);
    tokens.put("viewer", viewerToken);
    tokens.put("uploader", uploaderToken);
    String structured =
        "{\"query\": {\"table\": \"lab_results\", \"group_by\": [{\"column\": \"hospital_id\"}],"
            + " \"aggregates\": [{\"function\": \"count\"}], \"limit\": 10}}";
    String sql = "{\"sql\": \"SELECT count(*) FROM lab_results\"}";
    String export = "{\"sql\": \"SELECT count(*) AS n FROM lab_results\", \"format\": \"csv\"}";
    // endpoint -> roles that may use it (in the order admin, analyst, viewer, uploader)
    List<Object[]> matrix =
        List.of(
            new Object[] {"GET", "/api/v1/me", null, "1111"},
            new Object[] {"GET", "/api/v1/tables", null, "1110"},
            new Object[] {"GET", "/api/v1/tables/lab_results", null, "1110"},
            new Object[] {"GET", "/api/v1/tables/lab_results/partitions", null, "1110"},
            new Object[] {"GET", "/api/v1/tables/lab_results/snapshots", null, "1110"},
            new Object[] {"GET", "/api/v1/queries", null, "1110"},
            new Object[] {"POST", "/api/v1/queries/monthly-volume/run", "{}", "1110"},
            new Object[] {"POST", "/api/v1/query", structured, "1110"},
            new Object[] {"POST", "/api/v1/sql", sql, "1100"},
            new Object[] {"POST", "/api/v1/exports", export, "1100"},
            new Object[] {"GET", "/api/v1/runs", null, "1001"},
            new Object[] {"GET", "/api/v1/deliveries/missing", null, "1001"},
            new Object[] {"GET", "/api/v1/users", null, "1000"},
            new Object[] {"GET", "/api/v1/tokens", null, "1000"},
            new Object[] {"GET", "/api/v1/audit", null, "1000"});
    for (Object[] row : matrix) {
      int index = 0;
      for (var role : tokens.entrySet()) {
        boolean allowed = ((String) row[3]).charAt(index++) == '1';
        HttpResponse<String> response =
            row[0].equals("GET")
                ? get((String) row[1], role.getValue())
                : post((String) row[1], role.getValue(), null, null, (String) row[2]);
        assertThat(response.statusCode())
            .as(row[0] + " " + row[1] + " as " + role.getKey() + ": " + response.body())
            .isEqualTo(allowed ? 200 : 403);
      }
    }
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return send(request);
  }

  private HttpResponse<String> post(
      String path, String token, String cookie, String csrf, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    if (csrf != null) {
      request.header("X-CSRF-Token", csrf);
    }
    return send(request);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
