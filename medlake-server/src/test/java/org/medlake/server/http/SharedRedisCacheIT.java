package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.PlatformDatabase;
import org.medlake.testkit.RedisServer;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/** Two servers on one home share their answers through one real Redis. */
class SharedRedisCacheIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path directory;

  @Test
  void anAnswerComputedByOneServerIsServedCachedByTheOther() throws Exception {
    try (RedisServer redis =
        RedisServer.start(Files.createDirectories(directory.resolve("redis")))) {
      Path homeDirectory = Files.createDirectories(directory.resolve("home"));
      Files.writeString(
          homeDirectory.resolve("medlake.yaml"), "query:\n  redis-url: " + redis.url() + "\n");
      MedlakeHome home = MedlakeHome.open(homeDirectory);
      LabDataGenerator.generate(
          GeneratorOptions.builder(home.landing(), home.sources())
              .hospitals(1)
              .months(1)
              .rowsPerFile(600)
              .seed(12)
              .build(),
          rows -> {});
      try (IngestService ingest = IngestService.open(home, ProgressListener.NONE)) {
        ingest.ingest(ingest.discover(List.of(home.landing()), Optional.empty(), Optional.empty()));
      }
      String token;
      try (PlatformDatabase platform = PlatformDatabase.open(home.platformDatabase())) {
        platform
            .users()
            .add("ada", Role.ANALYST, Optional.empty(), "correct horse battery".toCharArray());
        token = platform.tokens().create("ada", "test", Duration.ofDays(1)).secret();
      }
      try (MedlakeServer first = MedlakeServer.start(home, 0);
          MedlakeServer second = MedlakeServer.start(home, 0)) {
        var one = run(first, token);
        var two = run(second, token);
        assertThat(one.get("cached").asBoolean()).isFalse();
        assertThat(two.get("cached").asBoolean()).isTrue();
        assertThat(two.get("result")).isEqualTo(one.get("result"));
      }
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode run(MedlakeServer server, String token)
      throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + server.port()
                                + "/api/v1/queries/monthly-volume/run"))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
