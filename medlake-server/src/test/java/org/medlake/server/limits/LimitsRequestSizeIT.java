package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.server.limits.LimitsServer.assertError;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The request-size limit over real HTTP. */
class LimitsRequestSizeIT {
  @TempDir Path directory;

  @Test
  void aBodyLargerThanTheLimitIsRefusedFromItsContentLength() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory, "max-request-bytes: 1KB")) {
      String large = "{\"name\": \"ada\", \"password\": \"" + "x".repeat(2000) + "\"}";
      JsonNode error = assertError(server.post("/api/v1/login", large), 413, "PAYLOAD_TOO_LARGE");
      assertThat(error.get("message").asText())
          .isEqualTo(
              "The request body has " + large.length() + " bytes; at most 1000 are accepted");
      assertThat(error.get("details").get("max_request_bytes").asLong()).isEqualTo(1000);
      assertError(server.post("/api/v1/sql", large), 413, "PAYLOAD_TOO_LARGE");

      String small = "{\"name\": \"ada\", \"password\": \"" + "x".repeat(900) + "\"}";
      assertError(server.post("/api/v1/login", small), 401, "UNAUTHENTICATED");
      // Uploads bound their bodies themselves, so the request reaches authentication.
      assertError(server.post("/api/v1/uploads", large), 401, "UNAUTHENTICATED");
    }
  }

  @Test
  void aBodyWithoutContentLengthIsRefused() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory)) {
      byte[] body =
          "{\"name\": \"ada\", \"password\": \"whatever it is\"}".getBytes(StandardCharsets.UTF_8);
      HttpRequest.Builder chunked =
          server
              .request("/api/v1/login")
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
      assertThat(assertError(server.send(chunked), 411, "LENGTH_REQUIRED").get("message").asText())
          .isEqualTo("A request body needs a Content-Length header");
    }
  }
}
