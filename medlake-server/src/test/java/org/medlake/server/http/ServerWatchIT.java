package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.RunStatus;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * With watch.enabled the server ingests files dropped into the landing zone and reports them in
 * /metrics.
 */
class ServerWatchIT {
  @TempDir Path directory;

  @Test
  void aFileDroppedIntoTheLandingZoneIsIngestedByTheServer() throws Exception {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        watch:
          enabled: true
          settle-seconds: 1
          rescan-seconds: 1
        schedules:
          completeness-check: ""
          maintenance: ""
        """);
    MedlakeHome home = MedlakeHome.open(root);
    GeneratedFile generated =
        LabDataGenerator.generate(
                GeneratorOptions.builder(directory.resolve("staging"), home.sources())
                    .hospitals(1)
                    .months(1)
                    .rowsPerFile(700)
                    .seed(2)
                    .dirtyFraction(0.05)
                    .build(),
                rows -> {})
            .files()
            .get(0);
    HttpClient http = HttpClient.newHttpClient();
    Path target =
        home.landing()
            .resolve(generated.source())
            .resolve(generated.month().toString())
            .resolve("delivery.csv");
    try (MedlakeServer server = MedlakeServer.start(home, 0)) {
      Files.createDirectories(target.getParent());
      Files.copy(generated.path(), target);
      URI metrics = URI.create("http://127.0.0.1:" + server.port() + "/metrics");
      String scrape =
          await("ingested in time")
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofMillis(100))
              .until(
                  () ->
                      http.send(
                              HttpRequest.newBuilder(metrics).build(),
                              HttpResponse.BodyHandlers.ofString())
                          .body(),
                  body -> body.contains("medlake_ingest_runs_total{status=\"SUCCEEDED\"} 1.0"));
      assertThat(scrape)
          .contains("medlake_ingest_lag_seconds_count 1")
          .contains("medlake_ingest_rejects_total{reason=");
      assertThat(target.resolveSibling("delivery.csv.rejects.txt")).exists();
    }
    try (RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      assertThat(ledger.list())
          .singleElement()
          .satisfies(
              run -> {
                assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
                assertThat(run.rowsRead()).isEqualTo(generated.dataRows());
                assertThat(run.sourceFile()).isEqualTo(home.root().relativize(target).toString());
              });
    }
  }
}
