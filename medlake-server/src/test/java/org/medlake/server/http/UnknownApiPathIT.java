package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;

/**
 * An API path the server does not route answers the one JSON error body, as every other error does
 * (a client parsing {@code {code, message}} never meets Javalin's plain-text 404).
 */
class UnknownApiPathIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void anUnknownApiPathOrMethodAnswersTheJsonErrorBody() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    String token;
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform
          .users()
          .add("adm", Role.ADMIN, Optional.empty(), "correct horse battery".toCharArray());
      token = platform.tokens().create("adm", "test", Duration.ofDays(1)).secret();
    }
    HttpClient http = HttpClient.newHttpClient();
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      for (String[] call :
          new String[][] {
            {"GET", "/api/v1/nope"},
            {"GET", "/api/v2/runs"},
            {"POST", "/api/v1/nope/deeper"},
            {"DELETE", "/api/v1/runs"},
            {"GET", "/api/v1/runs/run-x/nope"}
          }) {
        HttpResponse<String> answer =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + call[1]))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "text/html")
                    .method(call[0], HttpRequest.BodyPublishers.noBody())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        String request = call[0] + " " + call[1];
        assertThat(answer.statusCode()).as(request + ": " + answer.body()).isEqualTo(404);
        assertThat(answer.headers().firstValue("Content-Type").orElse(""))
            .as(request)
            .startsWith("application/json");
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("code").asText()).isEqualTo("NOT_FOUND");
        assertThat(body.get("message").asText()).isEqualTo("No such endpoint: " + request);
        assertThat(body.get("details").isObject()).isTrue();
      }
    }
  }
}
