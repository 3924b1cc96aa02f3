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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;

/**
 * The OpenAPI document is the contract: it lists exactly the served routes (read from the running
 * Javalin instance), only its public operations answer anonymous callers, and each protected
 * operation admits exactly the roles its {@code x-roles} lists.
 */
class OpenApiContractIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void documentAndRoutesAgreeAndEveryProtectedOperationRefusesAnonymousCallers() throws Exception {
    try (MedlakeServer server =
        MedlakeServer.start(MedlakeHome.open(directory.resolve("home")), 0)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> served =
          http.send(
              HttpRequest.newBuilder(uri(server, "/api/openapi.json")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(served.statusCode()).isEqualTo(200);
      JsonNode document = JSON.readTree(served.body());
      assertThat(document.get("openapi").asText()).startsWith("3.");

      SortedSet<String> documented = new TreeSet<>();
      SortedSet<String> publicOperations = new TreeSet<>();
      for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
        for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
          String route = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
          documented.add(route);
          JsonNode security = operation.getValue().get("security");
          if (security != null && security.isEmpty()) {
            publicOperations.add(route);
            continue;
          }
          String concrete =
              path.getKey()
                  .replace("{name}", "lab_results")
                  .replace("{id}", "run-x")
                  .replace("{version}", "1")
                  .replace("{tile}", "tile-x");
          HttpRequest.Builder request = HttpRequest.newBuilder(uri(server, concrete));
          request =
              operation.getKey().equals("get")
                  ? request.GET()
                  : request.method(
                      operation.getKey().toUpperCase(Locale.ROOT),
                      HttpRequest.BodyPublishers.ofString("{}"));
          HttpResponse<String> response =
              http.send(request.build(), HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).as(route).isEqualTo(401);
          assertThat(JSON.readTree(response.body()).get("code").asText())
              .as(route)
              .isEqualTo("UNAUTHENTICATED");
        }
      }
      assertThat(documented).isEqualTo(server.routes());
      assertThat(publicOperations)
          .containsExactly(
              "GET /api/openapi.json", "GET /health", "GET /metrics", "POST /api/v1/login");
    }
  }

  @Test
  void everyProtectedOperationAdmitsExactlyTheRolesItsDocumentLists() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    Map<Role, String> tokens = new EnumMap<>(Role.class);
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      for (Role role : Role.values()) {
        String name = "u-" + role.key();
        platform
            .users()
            .add(
                name,
                role,
                role == Role.UPLOADER ? Optional.of("H009") : Optional.empty(),
                "correct horse battery".toCharArray());
        tokens.put(role, platform.tokens().create(name, "test", Duration.ofDays(1)).secret());
      }
    }
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      HttpClient http = HttpClient.newHttpClient();
      JsonNode document =
          JSON.readTree(
              http.send(
                      HttpRequest.newBuilder(uri(server, "/api/openapi.json")).GET().build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body());
      List<String> checked = new ArrayList<>();
      List<String> publicOperations = new ArrayList<>();
      for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
        for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
          String route = operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
          JsonNode security = operation.getValue().get("security");
          if (security != null && security.isEmpty()) {
            assertThat(operation.getValue().has("x-roles"))
                .as(route + " is public and lists no roles")
                .isFalse();
            publicOperations.add(route);
            continue;
          }
          assertThat(operation.getValue().path("x-roles").isArray())
              .as(route + " lists its roles in x-roles")
              .isTrue();
          TreeSet<String> admitted = new TreeSet<>();
          operation.getValue().get("x-roles").forEach(role -> admitted.add(role.asText()));
          // a body that every operation parses far enough to check the caller's role; no operation
          // changes anything with it
          String concrete =
              path.getKey()
                  .replace("{name}", "no-such-name")
                  .replace("{id}", "no-such-id")
                  .replace("{version}", "1")
                  .replace("{tile}", "no-such-tile");
          for (Role role : Role.values()) {
            HttpRequest.Builder request =
                HttpRequest.newBuilder(uri(server, concrete))
                    .header("Authorization", "Bearer " + tokens.get(role));
            request =
                operation.getKey().equals("get")
                    ? request.GET()
                    : request
                        .header("Content-Type", "application/json")
                        .method(
                            operation.getKey().toUpperCase(Locale.ROOT),
                            HttpRequest.BodyPublishers.ofString(
                                "{\"predefined\": \"no-such-query\"}"));
            HttpResponse<String> response =
                http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (admitted.contains(role.key())) {
              assertThat(response.statusCode())
                  .as(route + " as " + role.key() + ": " + response.body())
                  .isNotIn(401, 403);
            } else {
              assertThat(response.statusCode())
                  .as(route + " as " + role.key() + ": " + response.body())
                  .isEqualTo(403);
              assertThat(JSON.readTree(response.body()).get("code").asText())
                  .as(route)
                  .isEqualTo("FORBIDDEN");
            }
          }
          checked.add(route);
        }
      }
      assertThat(checked.size() + publicOperations.size()).isEqualTo(server.routes().size());
    }
  }

  private static URI uri(MedlakeServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
