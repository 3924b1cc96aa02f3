package org.medlake.server.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.server.limits.LimitsServer.PASSWORD;
import static org.medlake.server.limits.LimitsServer.assertError;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The login throttle and the session lifetime over real HTTP. */
class TestLimitsLogin {
  @TempDir Path directory;

  @Test
  void anAccountBeyondItsAttemptsIsRefusedEvenWithTheRightPassword() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory,
        "login-attempts-per-15-minutes-per-account: 3", "login-attempts-per-15-minutes-per-ip: 100")) {
      for (int i = 0; i < 3; i++) {
        assertError(server.login("ada", "wrong password " + i), 401, "UNAUTHENTICATED");
      }
      HttpResponse<String> refused = server.login("ada", PASSWORD);
      assertThat(assertError(refused, 429, "RATE_LIMITED").get("message").asText())
          .isEqualTo("Too many login attempts for the account 'ada'");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("300");
      assertError(server.login("ADA", PASSWORD), 429, "RATE_LIMITED");
      assertThat(server.login("bob", PASSWORD).statusCode()).as("other accounts are not locked").isEqualTo(200);

      server.clock().advance(Duration.ofMinutes(5));
      assertThat(server.login("ada", PASSWORD).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aSuccessfulLoginClearsTheAccountsAttempts() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory,
        "login-attempts-per-15-minutes-per-account: 2", "login-attempts-per-15-minutes-per-ip: 100")) {
      assertError(server.login("ada", "wrong password"), 401, "UNAUTHENTICATED");
      assertThat(server.login("ada", PASSWORD).statusCode()).isEqualTo(200);
      assertError(server.login("ada", "wrong password"), 401, "UNAUTHENTICATED");
      assertThat(server.login("ada", PASSWORD).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anAddressSprayingAccountsIsRefusedAndSuccessDoesNotClearIt() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory,
        "login-attempts-per-15-minutes-per-account: 100", "login-attempts-per-15-minutes-per-ip: 3")) {
      assertError(server.login("ada", "spring2026spring"), 401, "UNAUTHENTICATED");
      assertThat(server.login("bob", PASSWORD).statusCode()).isEqualTo(200);
      assertError(server.login("cyd", "spring2026spring"), 401, "UNAUTHENTICATED");
      HttpResponse<String> refused = server.login("dee", PASSWORD);
      assertThat(assertError(refused, 429, "RATE_LIMITED").get("message").asText()).isEqualTo("Too many login attempts from 127.0.0.1");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("300");
      assertThat(server.getAs("dee", "/api/v1/me").statusCode()).as("API tokens are not logins").isEqualTo(200);
    }
  }

  @Test
  void sessionsLastTheConfiguredHours() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory, "session-hours: 1")) {
      HttpResponse<String> login = server.login("ada", PASSWORD);
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      assertThat(server.send(server.request("/api/v1/me").header("Cookie", cookie).GET()).statusCode()).isEqualTo(200);
      server.clock().advance(Duration.ofMinutes(61));
      assertThat(server.send(server.request("/api/v1/me").header("Cookie", cookie).GET()).statusCode()).isEqualTo(401);
    }
  }
}
