package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/** An access whose audit event cannot be written is refused, not answered. */
class AuditFailsClosedIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SQL = "{\"sql\": \"SELECT count(*) AS n FROM lab_results\"}";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void aQueryIsRefusedWhileTheAuditTableCannotBeWritten(@TempDir Path directory) throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources())
            .hospitals(1)
            .months(1)
            .rowsPerFile(200)
            .seed(4)
            .build(),
        rows -> {});
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      ingest.ingest(ingest.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
    }
    String token;
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform
          .users()
          .add("ada", Role.ANALYST, Optional.empty(), "correct horse battery".toCharArray());
      token = platform.tokens().create("ada", "test", Duration.ofDays(1)).secret();
    }
    try (MedlakeServer server = MedlakeServer.start(home, 0);
        Connection database =
            DriverManager.getConnection("jdbc:sqlite:" + home.platformDatabase())) {
      assertThat(sql(server, token).statusCode()).isEqualTo(200);
      long before = events(database);

      try (Statement statement = database.createStatement()) {
        // a real write failure: the table the audit inserts into is gone
        statement.execute("ALTER TABLE audit_events RENAME TO audit_events_away");
      }
      HttpResponse<String> refused = sql(server, token);
      assertThat(refused.statusCode()).isEqualTo(503);
      JsonNode error = JSON.readTree(refused.body());
      assertThat(error.get("code").asText()).isEqualTo("STORAGE_ERROR");
      assertThat(error.has("result")).as("no rows for an access that is not audited").isFalse();
      // a download writes its own body: it must be audited before the first byte
      HttpResponse<String> export =
          post(
              server,
              token,
              "/api/v1/exports",
              "{\"sql\": \"SELECT hospital_id, patient_key FROM lab_results\", \"format\": \"csv\"}");
      assertThat(export.statusCode()).isEqualTo(503);
      assertThat(export.body()).contains("STORAGE_ERROR").doesNotContain("patient_key");

      try (Statement statement = database.createStatement()) {
        statement.execute("ALTER TABLE audit_events_away RENAME TO audit_events");
      }
      assertThat(sql(server, token).statusCode()).isEqualTo(200);
      assertThat(
              post(
                      server,
                      token,
                      "/api/v1/exports",
                      "{\"sql\": \"SELECT count(*) FROM lab_results\"}")
                  .statusCode())
          .isEqualTo(200);
      assertThat(events(database)).as("the answered queries, each audited").isEqualTo(before + 1);
    }
  }

  private HttpResponse<String> sql(MedlakeServer server, String token) throws Exception {
    return post(server, token, "/api/v1/sql", SQL);
  }

  private HttpResponse<String> post(MedlakeServer server, String token, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static long events(Connection database) throws Exception {
    try (Statement statement = database.createStatement();
        ResultSet rows =
            statement.executeQuery("SELECT count(*) FROM audit_events WHERE action = 'sql'")) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
