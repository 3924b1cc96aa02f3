package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.server.limits.LimitsServer.assertError;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The allow-list and X-Forwarded-For over real HTTP; the test client is always 127.0.0.1. */
class LimitsAllowListIT {
  @TempDir Path directory;

  @Test
  void clientsOutsideTheListAreRefusedOnEveryPath() throws Exception {
    try (LimitsServer server =
        LimitsServer.start(directory, "allow-list: [\"10.0.0.0/8\", \"fd00::/8\"]")) {
      assertThat(assertError(server.get("/health"), 403, "FORBIDDEN").get("message").asText())
          .isEqualTo("Client address 127.0.0.1 is not in server.allow-list");
      assertError(server.get("/api/v1/tables"), 403, "FORBIDDEN");
      assertError(server.getAs("ada", "/api/v1/me"), 403, "FORBIDDEN");
      assertError(server.login("ada", LimitsServer.PASSWORD), 403, "FORBIDDEN");
      assertError(server.get("/no/such/page"), 403, "FORBIDDEN");
    }
  }

  @Test
  void theDefaultListAdmitsLocalhostAndIgnoresForwardedForFromUntrustedPeers() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory)) {
      assertThat(server.get("/health").statusCode()).isEqualTo(200);
      assertThat(
              server
                  .send(server.request("/health").header("X-Forwarded-For", "203.0.113.7"))
                  .statusCode())
          .as("127.0.0.1 is no trusted proxy, so its X-Forwarded-For is ignored")
          .isEqualTo(200);
    }
  }

  @Test
  void forwardedForNamesTheClientWhenThePeerIsATrustedProxy() throws Exception {
    try (LimitsServer server =
        LimitsServer.start(
            directory, "allow-list: [\"203.0.113.0/24\"]", "trusted-proxies: [\"127.0.0.1/32\"]")) {
      assertThat(
              server
                  .send(server.request("/health").header("X-Forwarded-For", "203.0.113.7"))
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              server
                  .send(
                      server
                          .request("/health")
                          .header("X-Forwarded-For", "198.51.100.9, 203.0.113.7"))
                  .statusCode())
          .as("what the client claims left of the proxy's entry is not read")
          .isEqualTo(200);
      assertThat(
              assertError(
                      server.send(
                          server
                              .request("/health")
                              .header("X-Forwarded-For", "203.0.113.7, 198.51.100.9")),
                      403,
                      "FORBIDDEN")
                  .get("message")
                  .asText())
          .isEqualTo("Client address 198.51.100.9 is not in server.allow-list");
      assertThat(assertError(server.get("/health"), 403, "FORBIDDEN").get("message").asText())
          .as("without the header the proxy itself is the client")
          .contains("127.0.0.1");
      assertThat(
              assertError(
                      server.send(server.request("/health").header("X-Forwarded-For", "unknown")),
                      400,
                      "BAD_REQUEST")
                  .get("message")
                  .asText())
          .isEqualTo("X-Forwarded-For entry 'unknown' is not an IP address");
    }
  }
}
