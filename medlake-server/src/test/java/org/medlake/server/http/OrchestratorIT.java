package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.GlucoseSource;

/**
 * Exactly the calls of the Airflow DAG in docs/deploy.md ("Orchestrators"), over real HTTP against
 * the real server: the HttpOperator's trigger ({@code POST /api/v1/runs/trigger} with the JSON body
 * and the bearer header, the run id taken from the answer) and the HttpSensor's poke ({@code GET
 * /api/v1/runs/{id}/status}, its response_check passing on {@code succeeded} and failing the task
 * on {@code failed}).
 */
class OrchestratorIT {
  private static final ObjectMapper JSON = AirflowCalls.JSON;
  private static final String PASSWORD = "correct horse battery";

  private final AirflowCalls calls = new AirflowCalls();

  @TempDir Path directory;
  private MedlakeHome home;
  private String adminToken;
  private String uploaderToken;
  private String otherUploaderToken;

  @BeforeEach
  void home() throws Exception {
    home = MedlakeHome.open(directory.resolve("home"));
    Files.writeString(home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING);
    try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
      platform.users().add("airflow", Role.ADMIN, Optional.empty(), PASSWORD.toCharArray());
      platform.users().add("upl", Role.UPLOADER, Optional.of("H009"), PASSWORD.toCharArray());
      platform.users().add("other", Role.UPLOADER, Optional.of("H001"), PASSWORD.toCharArray());
      adminToken = platform.tokens().create("airflow", "dag", Duration.ofDays(1)).secret();
      uploaderToken = platform.tokens().create("upl", "dag", Duration.ofDays(1)).secret();
      otherUploaderToken = platform.tokens().create("other", "dag", Duration.ofDays(1)).secret();
    }
  }

  @Test
  void aTriggerIsIdempotentPerSourceAndMonthAndTheSensorSeesTheOutcome() throws Exception {
    land("2024-01", "delivery.csv", GlucoseSource.csv(1, 10));
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      HttpResponse<String> triggered = trigger(server, adminToken, "h009", "2024-01");
      assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
      JsonNode queued = JSON.readTree(triggered.body());
      String runId = queued.get("id").asText();
      assertThat(queued.get("status").asText()).isEqualTo("QUEUED");
      assertThat(queued.get("source_file").asText()).isEqualTo("landing/h009/2024-01/delivery.csv");
      assertThat(triggered.headers().firstValue("Location")).hasValue("/api/v1/runs/" + runId);

      // a retry of the trigger task while the run is on its way joins it
      HttpResponse<String> again = trigger(server, adminToken, "h009", "2024-01");
      assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
      assertThat(JSON.readTree(again.body()).get("id").asText()).isEqualTo(runId);

      JsonNode done = sense(server, adminToken, runId);
      assertThat(done.get("state").asText()).isEqualTo("succeeded");
      assertThat(done.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(done.get("done").asBoolean()).isTrue();
      assertThat(done.get("reason").isNull()).isTrue();
      assertThat(done.get("snapshot_id").isIntegralNumber()).isTrue();

      // once it succeeded, the same source and month (same file) is that run, not a new one
      HttpResponse<String> after = trigger(server, uploaderToken, "h009", "2024-01");
      assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
      assertThat(JSON.readTree(after.body()).get("id").asText()).isEqualTo(runId);
      assertThat(JSON.readTree(after.body()).get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(runs(server)).isEqualTo(1);

      // the hospital's own uploader senses too; another hospital's uploader gets nothing
      assertThat(sense(server, uploaderToken, runId).get("state").asText()).isEqualTo("succeeded");
      assertThat(status(server, otherUploaderToken, runId).statusCode()).isEqualTo(404);
      HttpResponse<String> foreign = trigger(server, otherUploaderToken, "h009", "2024-01");
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(JSON.readTree(foreign.body()).get("message").asText())
          .isEqualTo("You trigger runs for hospital H001 only");
    }
  }

  @Test
  void aHeldRunIsFailedWithItsReasonAndARetryStartsANewRun() throws Exception {
    land("2024-01", "a-delivery.csv", GlucoseSource.csv(1, 10));
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      String first =
          JSON.readTree(trigger(server, adminToken, "h009", "2024-01").body()).get("id").asText();
      assertThat(sense(server, adminToken, first).get("state").asText()).isEqualTo("succeeded");

      // the hospital delivers a much smaller replacement: a new file, so a new run, held
      land("2024-01", "b-resubmission.csv", GlucoseSource.csv(50, 3));
      HttpResponse<String> replaced = trigger(server, adminToken, "h009", "2024-01");
      assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(202);
      String held = JSON.readTree(replaced.body()).get("id").asText();
      assertThat(held).isNotEqualTo(first);
      JsonNode failed = sense(server, adminToken, held);
      assertThat(failed.get("state").asText()).isEqualTo("failed");
      assertThat(failed.get("status").asText()).isEqualTo("HELD");
      assertThat(failed.get("done").asBoolean()).isTrue();
      assertThat(failed.get("snapshot_id").isNull()).isTrue();
      assertThat(failed.get("reason").asText())
          .isEqualTo(
              "held: 3 rows accepted would replace 10 stored rows of H009/2024-01 (30.0 %, less"
                  + " than ingest.hold.min-kept-share 50.0 %); fix the mapping and re-run, or"
                  + " medlake runs approve "
                  + held);

      // a retry after a held (or failed) run runs the file again: held again, under a new id
      HttpResponse<String> retried = trigger(server, adminToken, "h009", "2024-01");
      assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
      String retry = JSON.readTree(retried.body()).get("id").asText();
      assertThat(retry).isNotIn(first, held);
      assertThat(sense(server, adminToken, retry).get("status").asText()).isEqualTo("HELD");
      assertThat(sense(server, adminToken, held).get("superseded_by").asText()).isEqualTo(retry);
    }
  }

  @Test
  void aFileThatCannotBeReadFailsWithItsReasonAndACorrectedFileSucceeds() throws Exception {
    land("2024-02", "a-delivery.csv", "patient,value\nP1,5\n");
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      String failedId =
          JSON.readTree(trigger(server, adminToken, "h009", "2024-02").body()).get("id").asText();
      JsonNode failed = sense(server, adminToken, failedId);
      assertThat(failed.get("state").asText()).isEqualTo("failed");
      assertThat(failed.get("status").asText()).isEqualTo("FAILED");
      assertThat(failed.get("reason").asText()).isNotBlank().doesNotContain("\n");

      land("2024-02", "b-corrected.csv", GlucoseSource.csv(1, 12, YearMonth.of(2024, 2)));
      HttpResponse<String> retried = trigger(server, adminToken, "h009", "2024-02");
      assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
      String retry = JSON.readTree(retried.body()).get("id").asText();
      JsonNode done = sense(server, adminToken, retry);
      assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("succeeded");
    }
  }

  @Test
  void aTriggerWithoutADeliveryOrSourceIsRefusedWithOneLine() throws Exception {
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      assertError(
          trigger(server, adminToken, "h009", "2024-03"),
          404,
          "No delivery in landing/h009/2024-03/");
      assertError(trigger(server, adminToken, "h404", "2024-03"), 404, "No source mapping 'h404'");
      assertError(trigger(server, adminToken, "h009", "March"), 400, "'month' must be YYYY-MM");
      assertError(
          post(server, adminToken, "/api/v1/runs/trigger", "{\"month\": \"2024-03\"}"),
          400,
          "'source' is required");
      // an HttpSensor keeps poking on a 404: a run id it cannot know yet
      assertError(status(server, adminToken, "run-nope"), 404, "No ingestion run 'run-nope'");
    }
  }

  private HttpResponse<String> trigger(
      MedlakeServer server, String token, String source, String month) throws Exception {
    return calls.trigger(server, token, source, month);
  }

  private HttpResponse<String> post(MedlakeServer server, String token, String path, String body)
      throws Exception {
    return calls.post(server, token, path, body);
  }

  private HttpResponse<String> status(MedlakeServer server, String token, String runId)
      throws Exception {
    return calls.status(server, token, runId);
  }

  private JsonNode sense(MedlakeServer server, String token, String runId) {
    return calls.sense(server, token, runId);
  }

  private long runs(MedlakeServer server) throws Exception {
    return JSON.readTree(calls.get(server, adminToken, "/api/v1/runs").body()).size();
  }

  private void land(String month, String name, String csv) throws Exception {
    Path monthDirectory = home.landing().resolve(GlucoseSource.NAME).resolve(month);
    Files.createDirectories(monthDirectory);
    Files.writeString(monthDirectory.resolve(name), csv);
  }

  private static void assertError(HttpResponse<String> response, int status, String message)
      throws Exception {
    AirflowCalls.assertError(response, status, message);
  }
}
