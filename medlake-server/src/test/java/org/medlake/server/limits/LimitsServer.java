package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.server.http.MedlakeServer;
import org.medlake.testkit.MutableClock;

/**
 * A real server on a random port over an empty home, with a {@code server:} section of the test's
 * choosing, a few users with API tokens, and a clock the test moves.
 */
final class LimitsServer implements AutoCloseable {
  static final String PASSWORD = "correct horse battery";
  static final List<String> USERS = List.of("ada", "bob", "cyd", "dee");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MedlakeServer server;
  private final MedlakeHome home;
  private final MutableClock clock;
  private final Map<String, String> tokens;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LimitsServer(
      MedlakeServer server, MedlakeHome home, MutableClock clock, Map<String, String> tokens) {
    this.server = server;
    this.home = home;
    this.clock = clock;
    this.tokens = Map.copyOf(tokens);
  }

  /**
   * Starts a server whose medlake.yaml has {@code serverSection} (YAML lines) under {@code
   * server:}.
   */
  static LimitsServer start(Path directory, String... serverSection) throws IOException {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    StringBuilder yaml = new StringBuilder("server:\n");
    for (String line : serverSection) {
      yaml.append("  ").append(line).append('\n');
    }
    Files.writeString(root.resolve("medlake.yaml"), serverSection.length == 0 ? "" : yaml);
    MedlakeHome home = MedlakeHome.open(root);
    Map<String, String> tokens = new HashMap<>();
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      for (String user : USERS) {
        platform.users().add(user, Role.ANALYST, Optional.empty(), PASSWORD.toCharArray());
        tokens.put(user, platform.tokens().create(user, "test", Duration.ofDays(1)).secret());
      }
    }
    MutableClock clock = new MutableClock(Instant.now());
    return new LimitsServer(MedlakeServer.start(home, 0, clock), home, clock, tokens);
  }

  /** The server's platform database, opened again as the CLI would while the server runs. */
  PlatformDatabase platform() {
    return PlatformDatabase.open(home.platformDatabase());
  }

  /** Runs {@code sql} on the platform database directly (changes no store method offers). */
  void execute(String sql) throws Exception {
    try (java.sql.Connection connection =
            java.sql.DriverManager.getConnection("jdbc:sqlite:" + home.platformDatabase());
        java.sql.Statement statement = connection.createStatement()) {
      statement.executeUpdate(sql);
    }
  }

  MutableClock clock() {
    return clock;
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .timeout(Duration.ofSeconds(30));
  }

  HttpResponse<String> get(String path) throws Exception {
    return send(request(path).GET());
  }

  HttpResponse<String> getAs(String user, String path) throws Exception {
    return send(request(path).header("Authorization", "Bearer " + tokens.get(user)).GET());
  }

  HttpResponse<String> login(String user, String password) throws Exception {
    return post(
        "/api/v1/login", JSON.writeValueAsString(Map.of("name", user, "password", password)));
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Asserts the API's error body with {@code status} and {@code code}, and returns it. */
  static JsonNode assertError(HttpResponse<String> response, int status, String code)
      throws IOException {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.get("code").asText()).isEqualTo(code);
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("details").isObject()).isTrue();
    return error;
  }

  @Override
  public void close() {
    server.close();
  }
}
