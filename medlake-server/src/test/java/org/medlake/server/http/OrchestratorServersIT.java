package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.security.Role;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.GlucoseSource;
import org.medlake.testkit.PostgresServer;

/**
 * Two servers behind one load balancer, as the Terraform module's {@code server_count} tasks: one
 * home, one PostgreSQL platform database. Triggers for one source and month that reach both at once
 * start one run, and every answer names it.
 */
class OrchestratorServersIT {
  private static final String PASSWORD = "correct horse battery";
  private static final int TRIGGERS = 16;

  private final AirflowCalls calls = new AirflowCalls();

  @TempDir Path directory;

  @Test
  void concurrentTriggersOnTwoServersStartOneRun() throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      Path root = Files.createDirectories(directory.resolve("home"));
      Files.writeString(
          root.resolve("medlake.yaml"),
          """
          platform:
            jdbc-url: %s
            jdbc-user: %s
          """
              .formatted(postgres.createDatabase("medlake"), PostgresServer.USER));
      MedlakeHome home = MedlakeHome.open(root);
      Files.writeString(home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING);
      Path month = Files.createDirectories(home.landing().resolve("h009").resolve("2024-01"));
      Files.writeString(month.resolve("delivery.csv"), GlucoseSource.csv(1, 10));
      String token;
      try (PlatformDatabase platform = PlatformDatabase.open(home)) {
        platform.users().add("airflow", Role.ADMIN, Optional.empty(), PASSWORD.toCharArray());
        token = platform.tokens().create("airflow", "dag", Duration.ofDays(1)).secret();
      }

      List<HttpResponse<String>> answers = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      try (MedlakeServer first = MedlakeServer.start(home, 0);
          MedlakeServer second = MedlakeServer.start(home, 0)) {
        CyclicBarrier start = new CyclicBarrier(TRIGGERS);
        ExecutorService executor = Executors.newFixedThreadPool(TRIGGERS);
        try {
          List<Future<HttpResponse<String>>> futures = new ArrayList<>();
          for (int i = 0; i < TRIGGERS; i++) {
            MedlakeServer server = i % 2 == 0 ? first : second;
            futures.add(
                executor.submit(
                    () -> {
                      start.await();
                      return calls.trigger(server, token, "h009", "2024-01");
                    }));
          }
          for (Future<HttpResponse<String>> future : futures) {
            answers.add(future.get());
          }
        } finally {
          executor.shutdownNow();
        }
        assertThat(answers)
            .allSatisfy(answer -> assertThat(answer.statusCode()).as(answer.body()).isIn(200, 202));
        assertThat(answers).filteredOn(answer -> answer.statusCode() == 202).hasSize(1);
        for (HttpResponse<String> answer : answers) {
          ids.add(AirflowCalls.JSON.readTree(answer.body()).get("id").asText());
        }
        assertThat(ids).containsOnly(ids.get(0));
        // either server reports the run until it is done
        assertThat(calls.sense(second, token, ids.get(0)).get("state").asText())
            .isEqualTo("succeeded");
        assertThat(calls.sense(first, token, ids.get(0)).get("state").asText())
            .isEqualTo("succeeded");
      }
      try (PlatformDatabase platform = PlatformDatabase.open(home)) {
        assertThat(platform.runs().list())
            .filteredOn(run -> run.sourceId().equals("h009") && run.month().equals("2024-01"))
            .extracting(IngestRun::id)
            .containsExactly(ids.get(0));
      }
    }
  }
}
