package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;

/** The OpenAPI document is the contract: it lists exactly the served routes, and only its public operations answer anonymous callers. */
class TestOpenApiContract {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void documentAndRoutesAgreeAndEveryProtectedOperationRefusesAnonymousCallers() throws Exception {
    try (MedlakeServer server = MedlakeServer.start(MedlakeHome.open(directory.resolve("home")), 0)) {
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> served = http.send(HttpRequest.newBuilder(uri(server, "/api/openapi.json")).GET().build(),
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
          String concrete = path.getKey().replace("{name}", "lab_results").replace("{id}", "run-x");
          HttpRequest.Builder request = HttpRequest.newBuilder(uri(server, concrete));
          request = operation.getKey().equals("get") ? request.GET()
              : request.method(operation.getKey().toUpperCase(Locale.ROOT), HttpRequest.BodyPublishers.ofString("{}"));
          HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).as(route).isEqualTo(401);
          assertThat(JSON.readTree(response.body()).get("code").asText()).as(route).isEqualTo("UNAUTHENTICATED");
        }
      }
      assertThat(documented).isEqualTo(server.routes());
      assertThat(publicOperations).containsExactly("GET /api/openapi.json", "GET /health", "GET /metrics", "POST /api/v1/login");
    }
  }

  private static URI uri(MedlakeServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
