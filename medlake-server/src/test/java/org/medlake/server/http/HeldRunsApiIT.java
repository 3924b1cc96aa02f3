package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.GlucoseSource;

/**
 * Held runs over real HTTP: a much smaller resubmission uploaded by a hospital is held and shown
 * with its reason; only an admin can approve it, the approval is audited and commits the file.
 */
class HeldRunsApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "correct horse battery";

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path directory;

  @Test
  void aHeldUploadIsShownWithItsReasonAndOnlyAnAdminCanApproveIt() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    Files.writeString(home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING);
    Path first = Files.writeString(directory.resolve("first.csv"), rows(1, 10));
    try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
      assertThat(
              ingest
                  .ingest(new IngestService.Delivery(first, "h009", YearMonth.of(2024, 1)))
                  .status()
                  .name())
          .isEqualTo("SUCCEEDED");
    }
    String adminToken;
    String uploaderToken;
    String analystToken;
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform.users().add("adm", Role.ADMIN, Optional.empty(), PASSWORD.toCharArray());
      platform.users().add("upl", Role.UPLOADER, Optional.of("H009"), PASSWORD.toCharArray());
      platform.users().add("ada", Role.ANALYST, Optional.empty(), PASSWORD.toCharArray());
      adminToken = platform.tokens().create("adm", "test", Duration.ofDays(1)).secret();
      uploaderToken = platform.tokens().create("upl", "test", Duration.ofDays(1)).secret();
      analystToken = platform.tokens().create("ada", "test", Duration.ofDays(1)).secret();
    }
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      // the hospital resubmits the month with 3 of its 10 rows
      HttpResponse<String> upload =
          send(
              server,
              HttpRequest.newBuilder(uri(server, "/api/v1/uploads?month=2024-01"))
                  .header("Authorization", "Bearer " + uploaderToken)
                  .POST(HttpRequest.BodyPublishers.ofString(rows(50, 3))));
      JsonNode held = AcceptedUploads.ended(server.port(), uploaderToken, upload);
      String heldId = held.get("id").asText();
      assertThat(held.get("status").asText()).isEqualTo("HELD");
      String reason =
          "held: 3 rows accepted would replace 10 stored rows of H009/2024-01 (30.0 %, less than ingest.hold.min-kept-share"
              + " 50.0 %); fix the mapping and re-run, or medlake runs approve "
              + heldId;
      assertThat(held.get("message").asText()).isEqualTo(reason);
      assertThat(held.get("snapshot_id").isNull()).isTrue();
      assertThat(held.get("superseded_by").isNull()).isTrue();
      assertThat(held.get("flagged_by_reason").isObject()).isTrue();
      assertThat(held.get("unmapped_codes").isObject()).isTrue();
      assertThat(held.get("mapping_sha256").asText()).hasSize(64);
      assertThat(storedRows(server, adminToken)).isEqualTo(10);

      // listed and shown to the hospital and to admins
      for (String token : new String[] {uploaderToken, adminToken}) {
        JsonNode listed = find(JSON.readTree(get(server, "/api/v1/runs", token).body()), heldId);
        assertThat(listed.get("status").asText()).isEqualTo("HELD");
        assertThat(listed.get("message").asText()).isEqualTo(reason);
        assertThat(
                JSON.readTree(get(server, "/api/v1/runs/" + heldId, token).body())
                    .get("status")
                    .asText())
            .isEqualTo("HELD");
      }

      // only an admin approves
      assertThat(post(server, "/api/v1/runs/" + heldId + "/approve", uploaderToken).statusCode())
          .isEqualTo(403);
      assertThat(post(server, "/api/v1/runs/" + heldId + "/approve", analystToken).statusCode())
          .isEqualTo(403);
      assertThat(storedRows(server, adminToken)).isEqualTo(10);
      HttpResponse<String> approval =
          post(server, "/api/v1/runs/" + heldId + "/approve", adminToken);
      assertThat(approval.statusCode()).as(approval.body()).isEqualTo(201);
      JsonNode approved = JSON.readTree(approval.body());
      assertThat(approved.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(approved.get("message").asText())
          .isEqualTo("approved by adm (held as " + heldId + ")");
      // the server reads a table's new snapshot within a second
      awaitStoredRows(server, adminToken, 3);
      JsonNode settled = JSON.readTree(get(server, "/api/v1/runs/" + heldId, adminToken).body());
      assertThat(settled.get("status").asText()).isEqualTo("HELD");
      assertThat(settled.get("superseded_by").asText()).isEqualTo(approved.get("id").asText());

      // nothing is held any more; an unknown run is not found
      HttpResponse<String> again = post(server, "/api/v1/runs/" + heldId + "/approve", adminToken);
      assertThat(again.statusCode()).isEqualTo(409);
      assertThat(JSON.readTree(again.body()).get("code").asText()).isEqualTo("RUN_NOT_HELD");
      assertThat(post(server, "/api/v1/runs/run-nope/approve", adminToken).statusCode())
          .isEqualTo(404);

      // every attempt is in the audit log, the refused ones too
      JsonNode events =
          JSON.readTree(get(server, "/api/v1/audit?action=admin&limit=50", adminToken).body());
      String attempts = "approve run " + heldId;
      assertThat(
              events.findValues("target").stream().map(JsonNode::asText).filter(attempts::equals))
          .hasSize(4);
      JsonNode ok = null;
      for (JsonNode event : events) {
        if (event.get("target").asText().equals(attempts)
            && event.get("outcome").asText().equals("OK")) {
          ok = event;
        }
      }
      assertThat(ok.get("actor").asText()).isEqualTo("adm");
      assertThat(ok.get("details").get("run_id").asText()).isEqualTo(approved.get("id").asText());
      assertThat(events.findValuesAsText("actor")).contains("upl", "ada");
    }
  }

  /** {@code count} valid rows of distinct patients from {@code first}, with the header. */
  private static String rows(int first, int count) {
    return GlucoseSource.csv(first, count);
  }

  private long storedRows(MedlakeServer server, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(server, "/api/v1/sql"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"sql\": \"SELECT count(*) FROM lab_results WHERE hospital_id = 'H009'\"}"));
    HttpResponse<String> response = send(server, request);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).get("result").get("rows").get(0).get(0).asLong();
  }

  private void awaitStoredRows(MedlakeServer server, String token, long expected) throws Exception {
    await(expected + " rows stored")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> storedRows(server, token) == expected);
  }

  private static JsonNode find(JsonNode runs, String id) {
    for (JsonNode run : runs) {
      if (run.get("id").asText().equals(id)) {
        return run;
      }
    }
    throw new AssertionError("no run " + id + " in " + runs);
  }

  private HttpResponse<String> get(MedlakeServer server, String path, String token)
      throws Exception {
    return send(
        server,
        HttpRequest.newBuilder(uri(server, path)).header("Authorization", "Bearer " + token).GET());
  }

  private HttpResponse<String> post(MedlakeServer server, String path, String token)
      throws Exception {
    return send(
        server,
        HttpRequest.newBuilder(uri(server, path))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody()));
  }

  private HttpResponse<String> send(MedlakeServer server, HttpRequest.Builder request)
      throws Exception {
    return http.send(
        request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(MedlakeServer server, String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }
}
