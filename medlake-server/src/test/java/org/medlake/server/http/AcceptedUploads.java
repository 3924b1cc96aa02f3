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
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An upload's answer (202, the QUEUED run, its Location) and its run followed through the API to
 * its end.
 */
final class AcceptedUploads {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> UNFINISHED = Set.of("QUEUED", "RUNNING");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private AcceptedUploads() {}

  /** The id of the run an upload answered with, after checking the 202 answer. */
  static String accepted(HttpResponse<String> upload) throws Exception {
    assertThat(upload.statusCode()).as(upload.body()).isEqualTo(202);
    JsonNode run = JSON.readTree(upload.body());
    String id = run.get("id").asText();
    assertThat(run.get("status").asText()).isEqualTo("QUEUED");
    assertThat(upload.headers().firstValue("Location")).contains("/api/v1/runs/" + id);
    return id;
  }

  /** The run as {@code GET /api/v1/runs/{id}} shows it once it is no longer QUEUED or RUNNING. */
  static JsonNode ended(int port, String token, String runId) {
    AtomicReference<JsonNode> ended = new AtomicReference<>();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              HttpResponse<String> answer =
                  HTTP.send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/api/v1/runs/" + runId))
                          .header("Authorization", "Bearer " + token)
                          .timeout(Duration.ofSeconds(30))
                          .GET()
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
              JsonNode run = JSON.readTree(answer.body());
              assertThat(run.get("status").asText()).isNotIn(UNFINISHED);
              ended.set(run);
            });
    return ended.get();
  }

  /** {@link #accepted} then {@link #ended}. */
  static JsonNode ended(int port, String token, HttpResponse<String> upload) throws Exception {
    return ended(port, token, accepted(upload));
  }
}
