package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
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
 * The Flight SQL endpoint of a real server, through real clients: the Arrow Flight SQL JDBC driver
 * (what DBeaver, Tableau and Superset load) and the Java Flight SQL client. Answers equal the HTTP
 * API's for the same query and role, refusals carry the HTTP API's one-line reason, and both are
 * audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FlightSqlIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";
  private static final String PER_HOSPITAL =
      "SELECT hospital_id, count(*) AS n, avg(value_numeric) AS mean, count(DISTINCT test_code)"
          + " AS tests FROM lab_results GROUP BY hospital_id ORDER BY hospital_id";

  private MedlakeServer server;
  private String analystToken;
  private String viewerToken;
  private String adminToken;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    Path root = Files.createDirectories(directory.resolve("home"));
    // admins' budget is tiny here, so that a refused scan can be compared over both interfaces
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        query:
          budgets:
            admin: 1KB
        flight:
          port: 0
        """);
    MedlakeHome home = MedlakeHome.open(root);
    LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources())
            .hospitals(2)
            .months(1)
            .rowsPerFile(1500)
            .seed(7)
            .build(),
        rows -> {});
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      ingest.ingest(ingest.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
    }
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform.users().add("ada", Role.ANALYST, Optional.empty(), PASSWORD.toCharArray());
      platform.users().add("vic", Role.VIEWER, Optional.empty(), PASSWORD.toCharArray());
      platform.users().add("adm", Role.ADMIN, Optional.empty(), PASSWORD.toCharArray());
      analystToken = platform.tokens().create("ada", "test", Duration.ofDays(1)).secret();
      viewerToken = platform.tokens().create("vic", "test", Duration.ofDays(1)).secret();
      adminToken = platform.tokens().create("adm", "test", Duration.ofDays(1)).secret();
    }
    server = MedlakeServer.start(home, 0);
    assertThat(server.flightPort()).isPresent();
  }

  @AfterAll
  void stop() {
    server.close();
  }

  @Test
  void theJdbcDriverWithATokenGetsTheHttpApisAnswer() throws Exception {
    List<List<String>> overHttp = httpRows(PER_HOSPITAL, analystToken);
    assertThat(overHttp).hasSize(2);
    // the driver class docs/connect.md names for DBeaver and Tableau serves the URL
    assertThat(DriverManager.getDriver(jdbcUrl("token=" + analystToken)))
        .isInstanceOf(org.apache.arrow.driver.jdbc.ArrowFlightJdbcDriver.class);
    try (Connection connection = DriverManager.getConnection(jdbcUrl("token=" + analystToken));
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(PER_HOSPITAL)) {
      assertThat(rows.getMetaData().getColumnLabel(2)).isEqualTo("n");
      assertThat(jdbcRows(rows)).isEqualTo(overHttp);
    }
    // counted in the server's query metrics beside the HTTP API's kinds
    assertThat(
            http.send(
                    HttpRequest.newBuilder(uri("/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains("medlake_query_bytes_scanned_total{kind=\"flight-sql\"}");
  }

  @Test
  void theJdbcDriverWithAPasswordGetsTheHttpApisAnswer() throws Exception {
    String sql = "SELECT test_code, count(*) AS n FROM lab_results GROUP BY 1 ORDER BY 1";
    try (Connection connection =
            DriverManager.getConnection(
                jdbcUrl("user=ada&password=" + PASSWORD.replace(" ", "%20")));
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      assertThat(jdbcRows(rows)).isEqualTo(httpRows(sql, analystToken)).isNotEmpty();
    }
  }

  @Test
  void theJavaFlightSqlClientWithAPasswordGetsTheHttpApisAnswer() throws Exception {
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator,
                    Location.forGrpcInsecure("127.0.0.1", server.flightPort().getAsInt()))
                .build()) {
      CredentialCallOption bearer = client.authenticateBasicToken("ada", PASSWORD).orElseThrow();
      assertThat(flightRows(new FlightSqlClient(client), PER_HOSPITAL, bearer))
          .isEqualTo(httpRows(PER_HOSPITAL, analystToken));
    }
  }

  @Test
  void theDriversMetadataListsTheTablesAndColumnsTheRoleMayQuery() throws Exception {
    assertThat(tables(analystToken)).containsExactly("lab_results");
    assertThat(tables(adminToken)).containsExactlyInAnyOrder("lab_results", "lab_results_rejects");
    try (Connection connection = DriverManager.getConnection(jdbcUrl("token=" + analystToken));
        ResultSet columns = connection.getMetaData().getColumns(null, null, "lab_results", "%")) {
      List<String> names = new ArrayList<>();
      while (columns.next()) {
        names.add(columns.getString("COLUMN_NAME"));
      }
      assertThat(names).contains("hospital_id", "value_numeric", "collected_at");
    }
  }

  private List<String> tables(String token) throws SQLException {
    try (Connection connection = DriverManager.getConnection(jdbcUrl("token=" + token));
        ResultSet tables = connection.getMetaData().getTables(null, null, "%", null)) {
      List<String> names = new ArrayList<>();
      while (tables.next()) {
        names.add(tables.getString("TABLE_NAME"));
      }
      return names;
    }
  }

  @Test
  void refusalsCarryTheHttpApisOneLineReason() throws Exception {
    // role: viewers are aggregate-only and get no SQL; the guard; the role's tables; the budget
    List<String[]> cases =
        List.of(
            new String[] {viewerToken, "SELECT count(*) FROM lab_results"},
            new String[] {analystToken, "DELETE FROM lab_results"},
            new String[] {analystToken, "SELECT * FROM read_text('/etc/passwd')"},
            new String[] {analystToken, "SELECT count(*) FROM lab_results_rejects"},
            new String[] {adminToken, "SELECT * FROM lab_results"});
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient client =
            FlightClient.builder(
                    allocator,
                    Location.forGrpcInsecure("127.0.0.1", server.flightPort().getAsInt()))
                .build()) {
      FlightSqlClient sql = new FlightSqlClient(client);
      for (String[] refused : cases) {
        HttpResponse<String> overHttp = postSql(refused[1], refused[0]);
        assertThat(overHttp.statusCode()).as(refused[1]).isBetween(400, 499);
        String reason = JSON.readTree(overHttp.body()).get("message").asText();
        assertThat(reason).isNotBlank().doesNotContain("\n");
        CallOption token =
            new CredentialCallOption(
                headers -> headers.insert("authorization", "Bearer " + refused[0]));
        assertThatThrownBy(() -> sql.execute(refused[1], token))
            .as(refused[1])
            .isInstanceOfSatisfying(
                FlightRuntimeException.class,
                error -> assertThat(error.status().description()).isEqualTo(reason));
        try (Connection connection = DriverManager.getConnection(jdbcUrl("token=" + refused[0]));
            Statement statement = connection.createStatement()) {
          assertThatThrownBy(() -> statement.executeQuery(refused[1]))
              .isInstanceOf(SQLException.class)
              .hasMessageContaining(reason);
        }
      }
      assertThatThrownBy(
              () ->
                  sql.execute(
                      "SELECT 1",
                      new CredentialCallOption(
                          headers -> headers.insert("authorization", "Bearer mlk_not_a_token"))))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              error ->
                  assertThat(error.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED));
      assertThatThrownBy(() -> client.authenticateBasicToken("ada", "wrong password 12"))
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              error -> {
                assertThat(error.status().code()).isEqualTo(FlightStatusCode.UNAUTHENTICATED);
                assertThat(error.status().description()).isEqualTo("Wrong user name or password");
              });
    }
  }

  @Test
  void theDriverPinsASnapshotAndPricesAStatementAsTheHttpApiDoes() throws Exception {
    JsonNode snapshots =
        JSON.readTree(get("/api/v1/tables/lab_results/snapshots", analystToken).body());
    assertThat(snapshots.size()).isGreaterThanOrEqualTo(2);
    // the oldest snapshot holds the first delivery only
    String first = snapshots.get(0).get("snapshot_id").asText();
    for (JsonNode snapshot : snapshots) {
      if (snapshot
              .get("committed_at")
              .asText()
              .compareTo(snapshots.get(0).get("committed_at").asText())
          < 0) {
        first = snapshot.get("snapshot_id").asText();
      }
    }
    ObjectNode asOf = sqlBody(PER_HOSPITAL).put("as_of", first);
    List<List<String>> then = httpRows(asOf, analystToken);
    assertThat(then).isNotEqualTo(httpRows(PER_HOSPITAL, analystToken)).isNotEmpty();
    try (Connection connection =
            DriverManager.getConnection(
                jdbcUrl("token=" + analystToken + "&medlake-as-of=" + first));
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(PER_HOSPITAL)) {
      assertThat(jdbcRows(rows)).isEqualTo(then);
    }

    // a dry run answers the HTTP API's estimate as one row, and runs nothing
    JsonNode estimate =
        JSON.readTree(postSql(sqlBody(PER_HOSPITAL).put("dry_run", true), analystToken).body());
    try (Connection connection =
            DriverManager.getConnection(
                jdbcUrl("token=" + analystToken + "&medlake-dry-run=true"));
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(PER_HOSPITAL)) {
      assertThat(rows.next()).isTrue();
      for (String field :
          List.of("files", "total_files", "bytes", "projected_bytes", "budget_bytes")) {
        assertThat(rows.getLong(field)).as(field).isEqualTo(estimate.get(field).asLong());
      }
      assertThat(rows.getBoolean("full_scan")).isEqualTo(estimate.get("full_scan").asBoolean());
      assertThat(rows.getDouble("price_usd")).isEqualTo(estimate.get("price_usd").asDouble());
      assertThat(rows.next()).isFalse();
    }
    assertThat(estimate.get("projected_bytes").asLong()).isPositive();

    // a dry run is refused for what the run would be refused for, and a bad value is one line
    try (Connection connection =
            DriverManager.getConnection(
                jdbcUrl("token=" + analystToken + "&medlake-as-of=yesterday"));
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery(PER_HOSPITAL))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining(
              "medlake-as-of must be a snapshot id or a timestamp like 2024-06-30T12:00:00Z, not"
                  + " 'yesterday'");
    }
    try (Connection connection =
            DriverManager.getConnection(jdbcUrl("token=" + analystToken + "&medlake-dry-run=yes"));
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery(PER_HOSPITAL))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("medlake-dry-run must be true or false, not 'yes'");
      assertThatThrownBy(() -> statement.executeQuery("DELETE FROM lab_results"))
          .isInstanceOf(SQLException.class);
    }
  }

  @Test
  void statementsAndLoginsAreAuditedWithTheInterfaceAndWithoutTheQueryText() throws Exception {
    String secret = "SELECT count(*) AS n FROM lab_results WHERE patient_key = 'p-flight-literal'";
    try (Connection connection = DriverManager.getConnection(jdbcUrl("token=" + analystToken));
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(secret)) {
      assertThat(jdbcRows(rows)).isEqualTo(List.of(List.of("0")));
    }
    try (Connection connection =
            DriverManager.getConnection(
                jdbcUrl("user=vic&password=" + PASSWORD.replace(" ", "%20")));
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
    }
    String fingerprint = sha256(secret);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              JsonNode events =
                  JSON.readTree(get("/api/v1/audit?action=sql&limit=500", adminToken).body());
              JsonNode ok = find(events, "ada", "OK", fingerprint);
              assertThat(ok).isNotNull();
              assertThat(ok.get("details").get("interface").asText()).isEqualTo("flight-sql");
              assertThat(ok.get("details").has("snapshot_ids")).isTrue();
              assertThat(ok.get("role").asText()).isEqualToIgnoringCase("analyst");
              assertThat(find(events, "vic", "REFUSED", sha256("SELECT 1"))).isNotNull();
              assertThat(events.toString()).doesNotContain("p-flight-literal");
              JsonNode logins =
                  JSON.readTree(
                      get("/api/v1/audit?action=login&actor=vic&limit=50", adminToken).body());
              assertThat(logins.toString()).contains("flight-sql");
            });
  }

  private static JsonNode find(JsonNode events, String actor, String outcome, String sha256) {
    for (JsonNode event : events) {
      if (event.get("actor").asText().equals(actor)
          && event.get("outcome").asText().equals(outcome)
          && event.get("details").path("sql_sha256").asText().equals(sha256)
          && event.get("details").path("interface").asText().equals("flight-sql")) {
        return event;
      }
    }
    return null;
  }

  private static String sha256(String text) throws Exception {
    return java.util.HexFormat.of()
        .formatHex(
            java.security.MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private String jdbcUrl(String credentials) {
    return "jdbc:arrow-flight-sql://127.0.0.1:"
        + server.flightPort().getAsInt()
        + "/?useEncryption=false&"
        + credentials;
  }

  private static List<List<String>> jdbcRows(ResultSet rows) throws SQLException {
    List<List<String>> all = new ArrayList<>();
    int columns = rows.getMetaData().getColumnCount();
    while (rows.next()) {
      List<String> row = new ArrayList<>();
      for (int column = 1; column <= columns; column++) {
        row.add(text(rows.getObject(column)));
      }
      all.add(row);
    }
    return all;
  }

  private static List<List<String>> flightRows(
      FlightSqlClient client, String sql, CallOption option) throws Exception {
    FlightInfo info = client.execute(sql, option);
    List<List<String>> all = new ArrayList<>();
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket(), option)) {
      while (stream.next()) {
        VectorSchemaRoot root = stream.getRoot();
        for (int row = 0; row < root.getRowCount(); row++) {
          List<String> cells = new ArrayList<>();
          for (var vector : root.getFieldVectors()) {
            cells.add(text(vector.getObject(row)));
          }
          all.add(cells);
        }
      }
    }
    return all;
  }

  private List<List<String>> httpRows(String sql, String token) throws Exception {
    return httpRows(sqlBody(sql), token);
  }

  private List<List<String>> httpRows(ObjectNode body, String token) throws Exception {
    HttpResponse<String> response = postSql(body, token);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<List<String>> all = new ArrayList<>();
    for (JsonNode row : JSON.readTree(response.body()).get("result").get("rows")) {
      List<String> cells = new ArrayList<>();
      row.forEach(cell -> cells.add(text(cell)));
      all.add(cells);
    }
    return all;
  }

  /** One spelling per value, whichever client read it. */
  private static String text(Object value) {
    if (value == null || value instanceof JsonNode node && node.isNull()) {
      return "null";
    }
    if (value instanceof JsonNode node) {
      return node.isIntegralNumber()
          ? Long.toString(node.asLong())
          : node.isNumber() ? Double.toString(node.asDouble()) : node.asText();
    }
    if (value instanceof Number number && !(value instanceof Double)) {
      return Long.toString(number.longValue());
    }
    return value.toString();
  }

  private HttpResponse<String> postSql(String sql, String token) throws Exception {
    return postSql(sqlBody(sql), token);
  }

  private static ObjectNode sqlBody(String sql) {
    return JsonNodeFactory.instance.objectNode().put("sql", sql);
  }

  private HttpResponse<String> postSql(ObjectNode json, String token) throws Exception {
    String body = JSON.writeValueAsString(json);
    return http.send(
        HttpRequest.newBuilder(uri("/api/v1/sql"))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(60))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(60))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
