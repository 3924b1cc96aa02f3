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
import org.medlake.ingest.generate.GeneratorOptions;
import org.medlake.ingest.generate.LabDataGenerator;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.server.auth.PlatformDatabase;

/** Malformed requests, token lifetimes, formula cells and compression, over real HTTP (issue 17, point 4). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestServerInputsOutputs {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";

  private MedlakeServer server;
  private String adminToken;
  private String analystToken;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    Path homeDirectory = directory.resolve("home");
    Files.createDirectories(homeDirectory);
    Files.writeString(homeDirectory.resolve("medlake.yaml"), """
        server:
          max-token-days: 30
        """);
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    LabDataGenerator.generate(GeneratorOptions.builder(home.landing(), home.sources())
        .hospitals(1).months(1).rowsPerFile(400).seed(17).dirtyFraction(0.05).build(), rows -> {});
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
    List<HttpResponse<String>> answers = List.of(
        post("/api/v1/users", adminToken, "{\"name\": \"x\", "),
        post("/api/v1/tokens", adminToken, "not json"),
        post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 1e15}"),
        post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 1.5}"),
        post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 0}"),
        post("/api/v1/sql", analystToken, "{\"sql\": \"SELECT 1\", \"as_of\": \"12345678901234567890\"}"),
        post("/api/v1/sql", analystToken, "{\"sql\": \"SELECT 1\", \"as_of\": 12345678901234567890}"),
        get("/api/v1/runs/" + run + "/rejects?limit=abc", adminToken),
        get("/api/v1/runs/" + run + "/rejects?limit=-5", adminToken),
        get("/api/v1/runs/" + run + "/rejects?limit=0", adminToken));
    for (HttpResponse<String> answer : answers) {
      assertThat(answer.statusCode()).as(answer.request().uri() + " " + answer.body()).isEqualTo(400);
      JsonNode error = JSON.readTree(answer.body());
      assertThat(error.fieldNames()).toIterable().as(answer.body()).containsExactly("code", "message", "details");
      assertThat(error.get("message").asText()).doesNotContain("\n");
    }
    assertThat(answers.get(2).body()).contains("days");
    assertThat(answers.get(8).body()).contains("limit");
    assertThat(get("/api/v1/runs/" + run + "/rejects?limit=3", adminToken).statusCode()).isEqualTo(200);
  }

  @Test
  void tokenLifetimeIsCappedByConfiguration() throws Exception {
    HttpResponse<String> over = post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 31}");
    assertThat(over.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(over.body()).get("message").asText()).contains("'days'").contains("server.max-token-days").contains("30");
    assertThat(post("/api/v1/tokens", adminToken, "{\"user\": \"ada\", \"days\": 30}").statusCode()).isEqualTo(201);
    HttpResponse<String> byDefault = post("/api/v1/tokens", adminToken, "{\"user\": \"ada\"}");
    assertThat(byDefault.statusCode()).as("the default 90 days is lowered to the cap").isEqualTo(201);
    JsonNode token = JSON.readTree(byDefault.body()).get("token");
    assertThat(Duration.between(java.time.Instant.parse(token.get("createdAt").asText()), java.time.Instant.parse(token.get("expiresAt").asText())))
        .isEqualTo(Duration.ofDays(30));
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String token, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
