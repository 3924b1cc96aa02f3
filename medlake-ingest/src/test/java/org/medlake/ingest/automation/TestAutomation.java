package org.medlake.ingest.automation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.automation.CompletenessCheck.MissingDelivery;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * The watcher, webhooks and completeness check wired together as medlake watch and the server run
 * them.
 */
class TestAutomation {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;
  private final List<JsonNode> hooks = new CopyOnWriteArrayList<>();
  private HttpServer receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          hooks.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void deliveredFilesAreIngestedAndAnnouncedAndAMissingDeliveryIsReported() throws Exception {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        watch:
          settle-seconds: 1
          rescan-seconds: 1
        schedules:
          completeness-check: ""
          maintenance: ""
        webhooks:
          urls: ["http://127.0.0.1:%d/hook"]
          initial-backoff-millis: 10
        """
            .formatted(receiver.getAddress().getPort()));
    MedlakeHome home = MedlakeHome.open(root);
    GenerationReport report =
        LabDataGenerator.generate(
            GeneratorOptions.builder(directory.resolve("staging"), home.sources())
                .hospitals(2)
                .months(1)
                .rowsPerFile(1_000)
                .seed(3)
                .build(),
            written -> {});
    List<IngestRun> observed = new CopyOnWriteArrayList<>();
    try (Automation automation =
        Automation.start(
            home,
            new Automation.Observer() {
              @Override
              public void runFinished(IngestRun run) {
                observed.add(run);
              }
            })) {
      // only the first hospital delivers
      GeneratedFile delivered =
          report.files().stream()
              .filter(file -> file.hospitalId().equals(report.files().get(0).hospitalId()))
              .findFirst()
              .orElseThrow();
      Path target =
          home.landing()
              .resolve(delivered.source())
              .resolve(delivered.month().toString())
              .resolve("lab.csv");
      Files.createDirectories(target.getParent());
      Files.copy(delivered.path(), target);
      waitUntil(() -> hooks.size() >= 1 && observed.size() >= 1);
      assertThat(observed).hasSize(1);
      assertThat(observed.get(0).status()).isEqualTo(RunStatus.SUCCEEDED);

      List<MissingDelivery> missing = automation.checkCompleteness(delivered.month());
      String otherHospital =
          report.files().stream()
              .map(GeneratedFile::hospitalId)
              .filter(id -> !id.equals(delivered.hospitalId()))
              .findFirst()
              .orElseThrow();
      assertThat(missing).extracting(MissingDelivery::hospitalId).containsExactly(otherHospital);
      assertThat(automation.checkCompleteness(delivered.month().plusMonths(1))).hasSize(2);
      waitUntil(() -> hooks.size() >= 4);
    }
    assertThat(hooks.get(0).get("event").asText()).isEqualTo("run.finished");
    assertThat(hooks.get(0).at("/data/rows_read").asLong())
        .isEqualTo(report.files().get(0).dataRows());
    assertThat(hooks.subList(1, 4))
        .extracting(hook -> hook.get("event").asText())
        .containsOnly("delivery.missing");
    try (RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      assertThat(ledger.list()).hasSize(1);
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    await("condition met in time")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }
}
