package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The calls of the Airflow DAG in docs/deploy.md ("Orchestrators") over real HTTP: the
 * HttpOperator's trigger ({@code POST /api/v1/runs/trigger}, JSON body, bearer header) and the
 * HttpSensor's pokes ({@code GET /api/v1/runs/{id}/status}).
 */
final class AirflowCalls {
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The DAG's HttpOperator: POST, JSON body, bearer header. */
  HttpResponse<String> trigger(MedlakeServer server, String token, String source, String month)
      throws Exception {
    return post(
        server,
        token,
        "/api/v1/runs/trigger",
        JSON.writeValueAsString(Map.of("source", source, "month", month)));
  }

  HttpResponse<String> post(MedlakeServer server, String token, String path, String body)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(server, path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> status(MedlakeServer server, String token, String runId) throws Exception {
    return get(server, token, "/api/v1/runs/" + runId + "/status");
  }

  HttpResponse<String> get(MedlakeServer server, String token, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(server, path))
            .header("Authorization", "Bearer " + token)
            .GET()
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The DAG's HttpSensor: pokes until its response_check passes ({@code succeeded}) or fails the
   * task ({@code failed}); the final state is returned either way.
   */
  JsonNode sense(MedlakeServer server, String token, String runId) {
    AtomicReference<JsonNode> last = new AtomicReference<>();
    await("run " + runId + " done")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              HttpResponse<String> response = status(server, token, runId);
              assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
              JsonNode state = JSON.readTree(response.body());
              last.set(state);
              return state.get("done").asBoolean();
            });
    return last.get();
  }

  static void assertError(HttpResponse<String> response, int status, String message)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(JSON.readTree(response.body()).get("message").asText()).isEqualTo(message);
  }

  private static URI uri(MedlakeServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
