package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * The one place errors become answers, over real HTTP: every code's status, one line, no server
 * path, details, Retry-After.
 */
class ErrorMapperIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path directory;
  private Javalin app;

  @BeforeEach
  void start() {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    app = Javalin.create(config -> config.showJavalinBanner = false);
    app.get(
        "/code/{code}",
        context -> {
          throw new MedlakeException(
              ErrorCode.valueOf(context.pathParam("code")),
              "Cannot read "
                  + home.root().resolve("landing/h001/a.csv")
                  + " or /srv/other/b.csv\nat line 2 of a stack");
        });
    app.get(
        "/wait",
        context -> {
          throw new MedlakeException(
              ErrorCode.RATE_LIMITED,
              "Too many requests",
              Map.of("retry_after_seconds", 2),
              Optional.of(Duration.ofMillis(1_500)),
              null);
        });
    app.get(
        "/bug",
        context -> {
          throw new IllegalStateException("secret detail of a bug");
        });
    new ErrorMapper(new PublicPaths(home)).install(app);
    app.start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  @Test
  void everyCodeAnswersItsStatusWithOneLineAndNoServerPath() throws Exception {
    for (ErrorCode code : ErrorCode.values()) {
      HttpResponse<String> answer = get("/code/" + code.name());
      assertThat(answer.statusCode()).as(code.name()).isEqualTo(code.httpStatus());
      JsonNode body = JSON.readTree(answer.body());
      assertThat(body.get("code").asText()).isEqualTo(code.name());
      assertThat(body.get("message").asText()).isEqualTo("Cannot read landing/h001/a.csv or b.csv");
      assertThat(body.get("details").isObject()).isTrue();
      assertThat(answer.headers().firstValue("Retry-After")).isEmpty();
    }
  }

  @Test
  void aWaitIsSentAsRetryAfterAndItsDetails() throws Exception {
    HttpResponse<String> answer = get("/wait");
    assertThat(answer.statusCode()).isEqualTo(429);
    assertThat(answer.headers().firstValue("Retry-After")).contains("2");
    assertThat(JSON.readTree(answer.body()).get("details").get("retry_after_seconds").asInt())
        .isEqualTo(2);
  }

  @Test
  void anythingElseIsAnInternalErrorThatNamesNoCause() throws Exception {
    HttpResponse<String> answer = get("/bug");
    assertThat(answer.statusCode()).isEqualTo(500);
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.get("code").asText()).isEqualTo("INTERNAL_ERROR");
    assertThat(body.get("message").asText()).isEqualTo("Internal error; see the server log");
    assertThat(answer.body()).doesNotContain("secret");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
