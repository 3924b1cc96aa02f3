package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.GlucoseSource;
import org.medlake.testkit.S3Server;

/**
 * The orchestrators' trigger with the landing zone in an object store ({@code
 * ingest.landing-location}, as the AWS deployment's landing bucket): the Airflow DAG's calls over
 * real HTTP against an s3proxy bucket.
 */
class OrchestratorLandingBucketIT {
  private static final String PASSWORD = "correct horse battery";

  private final AirflowCalls calls = new AirflowCalls();

  @TempDir Path directory;

  @Test
  void theTriggerIngestsTheMonthsLastObjectAndRefusesAnEmptyMonthNamingTheLocation()
      throws Exception {
    try (S3Server s3 = S3Server.start(directory.resolve("s3"), "landing")) {
      Path root = Files.createDirectories(directory.resolve("home"));
      Files.writeString(
          root.resolve("medlake.yaml"),
          """
          catalog:
            s3:
              endpoint: %s
              path-style-access: true
          ingest:
            landing-location: s3://landing/deliveries/
          """
              .formatted(s3.endpoint()));
      MedlakeHome home = MedlakeHome.open(root);
      Files.writeString(home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING);
      String token;
      try (PlatformDatabase platform = PlatformDatabase.open(home)) {
        platform.users().add("airflow", Role.ADMIN, Optional.empty(), PASSWORD.toCharArray());
        token = platform.tokens().create("airflow", "dag", Duration.ofDays(1)).secret();
      }
      // the first delivery, then a resubmission: the later key is the month's delivery
      deliver(s3, "deliveries/h009/2024-01/a-first.csv", GlucoseSource.csv(1, 3));
      deliver(s3, "deliveries/h009/2024-01/b-resubmission.csv", GlucoseSource.csv(1, 10));
      // a key that only starts like the month's prefix is not the month's
      deliver(s3, "deliveries/h009/2024-01-late/c.csv", GlucoseSource.csv(1, 2));

      try (MedlakeServer server = MedlakeServer.start(home, 0)) {
        HttpResponse<String> triggered = calls.trigger(server, token, "h009", "2024-01");
        assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
        JsonNode queued = AirflowCalls.JSON.readTree(triggered.body());
        String runId = queued.get("id").asText();
        assertThat(queued.get("source_file").asText())
            .isEqualTo("s3://landing/deliveries/h009/2024-01/b-resubmission.csv");

        JsonNode done = calls.sense(server, token, runId);
        assertThat(done.get("state").asText()).as(done.toString()).isEqualTo("succeeded");
        JsonNode run =
            AirflowCalls.JSON.readTree(calls.get(server, token, "/api/v1/runs/" + runId).body());
        assertThat(run.get("rows_accepted").asLong()).as(run.toString()).isEqualTo(10);

        HttpResponse<String> again = calls.trigger(server, token, "h009", "2024-01");
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(AirflowCalls.JSON.readTree(again.body()).get("id").asText()).isEqualTo(runId);

        AirflowCalls.assertError(
            calls.trigger(server, token, "h009", "2024-02"),
            404,
            "No delivery in s3://landing/deliveries/h009/2024-02/");
      }
    }
  }

  private void deliver(S3Server s3, String key, String csv) throws Exception {
    Path file = Files.createTempFile(directory, "delivery", ".csv");
    Files.writeString(file, csv);
    s3.put("landing", key, file);
  }
}
