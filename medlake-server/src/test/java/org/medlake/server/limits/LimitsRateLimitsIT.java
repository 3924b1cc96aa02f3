package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.server.limits.LimitsServer.assertError;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests per minute per user and per address over real HTTP; the test moves the server's clock.
 */
class LimitsRateLimitsIT {
  @TempDir Path directory;

  @Test
  void aUserBeyondTheLimitWaitsForTheBucketToRefill() throws Exception {
    try (LimitsServer server =
        LimitsServer.start(
            directory, "requests-per-minute-per-user: 3", "requests-per-minute-per-ip: 1000")) {
      for (int i = 0; i < 3; i++) {
        assertThat(server.getAs("ada", "/api/v1/me").statusCode()).isEqualTo(200);
      }
      HttpResponse<String> refused = server.getAs("ada", "/api/v1/me");
      JsonNode error = assertError(refused, 429, "RATE_LIMITED");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("20");
      assertThat(error.get("message").asText()).isEqualTo("Too many requests by the user ada");
      assertThat(error.get("details").get("retry_after_seconds").asLong()).isEqualTo(20);
      assertThat(server.getAs("bob", "/api/v1/me").statusCode())
          .as("another user has a bucket of its own")
          .isEqualTo(200);
      assertThat(server.get("/health").statusCode())
          .as("the per-user limit is for the API")
          .isEqualTo(200);

      server.clock().advance(Duration.ofSeconds(19));
      assertThat(server.getAs("ada", "/api/v1/me").headers().firstValue("Retry-After"))
          .as("rounded up")
          .hasValue("1");
      server.clock().advance(Duration.ofSeconds(1));
      assertThat(server.getAs("ada", "/api/v1/me").statusCode()).isEqualTo(200);
      assertError(server.getAs("ada", "/api/v1/me"), 429, "RATE_LIMITED");
    }
  }

  @Test
  void anAddressBeyondTheLimitIsRefusedOnEveryPathAuthenticatedOrNot() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory, "requests-per-minute-per-ip: 4")) {
      assertThat(server.get("/health").statusCode()).isEqualTo(200);
      assertThat(server.get("/health").statusCode()).isEqualTo(200);
      assertThat(server.get("/api/v1/tables").statusCode()).isEqualTo(401);
      assertThat(server.getAs("ada", "/api/v1/me").statusCode()).isEqualTo(200);
      HttpResponse<String> refused = server.get("/api/v1/tables");
      assertThat(assertError(refused, 429, "RATE_LIMITED").get("message").asText())
          .isEqualTo("Too many requests from 127.0.0.1");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("15");
      assertError(server.get("/health"), 429, "RATE_LIMITED");
      server.clock().advance(Duration.ofMinutes(1));
      for (int i = 0; i < 4; i++) {
        assertThat(server.get("/health").statusCode()).isEqualTo(200);
      }
    }
  }
}
