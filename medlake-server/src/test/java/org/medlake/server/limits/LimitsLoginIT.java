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
class LimitsLoginIT {
  @TempDir Path directory;

  @Test
  void anAccountBeyondItsAttemptsFromOneClientIsRefusedThereEvenWithTheRightPassword()
      throws Exception {
    try (LimitsServer server =
        LimitsServer.start(
            directory,
            "login-attempts-per-15-minutes-per-account: 3",
            "login-attempts-per-15-minutes-per-ip: 100")) {
      for (int i = 0; i < 3; i++) {
        assertError(server.login("ada", "wrong password " + i), 401, "UNAUTHENTICATED");
      }
      HttpResponse<String> refused = server.login("ada", PASSWORD);
      assertThat(assertError(refused, 429, "RATE_LIMITED").get("message").asText())
          .isEqualTo("Too many login attempts for the account 'ada' from 127.0.0.1");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("300");
      assertError(server.login("ADA", PASSWORD), 429, "RATE_LIMITED");
      assertThat(server.login("bob", PASSWORD).statusCode())
          .as("other accounts are not locked")
          .isEqualTo(200);

      server.clock().advance(Duration.ofMinutes(5));
      assertThat(server.login("ada", PASSWORD).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void failuresFromOneClientDoNotLockTheAccountForOtherClients() throws Exception {
    try (LimitsServer server =
        LimitsServer.start(
            directory,
            "allow-list: [\"0.0.0.0/0\"]",
            "trusted-proxies: [\"127.0.0.1/32\"]",
            "login-attempts-per-15-minutes-per-account: 3",
            "login-attempts-per-15-minutes-per-ip: 100")) {
      String attacker = "203.0.113.7";
      for (int i = 0; i < 3; i++) {
        assertError(login(server, attacker, "ada", "wrong password " + i), 401, "UNAUTHENTICATED");
      }
      assertThat(
              assertError(login(server, attacker, "ada", PASSWORD), 429, "RATE_LIMITED")
                  .get("message")
                  .asText())
          .isEqualTo("Too many login attempts for the account 'ada' from 203.0.113.7");
      assertThat(login(server, "198.51.100.9", "ada", PASSWORD).statusCode())
          .as("ada from her own client")
          .isEqualTo(200);
      assertError(login(server, attacker, "ada", PASSWORD), 429, "RATE_LIMITED");
    }
  }

  private static HttpResponse<String> login(
      LimitsServer server, String client, String user, String password) throws Exception {
    return server.send(
        server
            .request("/api/v1/login")
            .header("X-Forwarded-For", client)
            .header("Content-Type", "application/json")
            .POST(
                java.net.http.HttpRequest.BodyPublishers.ofString(
                    "{\"name\": \"" + user + "\", \"password\": \"" + password + "\"}")));
  }

  @Test
  void aSuccessfulLoginClearsTheAccountsAttempts() throws Exception {
    try (LimitsServer server =
        LimitsServer.start(
            directory,
            "login-attempts-per-15-minutes-per-account: 2",
            "login-attempts-per-15-minutes-per-ip: 100")) {
      assertError(server.login("ada", "wrong password"), 401, "UNAUTHENTICATED");
      assertThat(server.login("ada", PASSWORD).statusCode()).isEqualTo(200);
      assertError(server.login("ada", "wrong password"), 401, "UNAUTHENTICATED");
      assertThat(server.login("ada", PASSWORD).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void anAddressSprayingAccountsIsRefusedAndSuccessDoesNotClearIt() throws Exception {
    try (LimitsServer server =
        LimitsServer.start(
            directory,
            "login-attempts-per-15-minutes-per-account: 100",
            "login-attempts-per-15-minutes-per-ip: 3")) {
      assertError(server.login("ada", "spring2026spring"), 401, "UNAUTHENTICATED");
      assertThat(server.login("bob", PASSWORD).statusCode()).isEqualTo(200);
      assertError(server.login("cyd", "spring2026spring"), 401, "UNAUTHENTICATED");
      HttpResponse<String> refused = server.login("dee", PASSWORD);
      assertThat(assertError(refused, 429, "RATE_LIMITED").get("message").asText())
          .isEqualTo("Too many login attempts from 127.0.0.1");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("300");
      assertThat(server.getAs("dee", "/api/v1/me").statusCode())
          .as("API tokens are not logins")
          .isEqualTo(200);
    }
  }

  @Test
  void sessionsLastTheConfiguredHours() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory, "session-hours: 1")) {
      HttpResponse<String> login = server.login("ada", PASSWORD);
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      assertThat(
              server.send(server.request("/api/v1/me").header("Cookie", cookie).GET()).statusCode())
          .isEqualTo(200);
      server.clock().advance(Duration.ofMinutes(61));
      assertThat(
              server.send(server.request("/api/v1/me").header("Cookie", cookie).GET()).statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void disablingDeletingOrChangingAUserEndsTheirSessionsAtOnce() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory)) {
      String ada = sessionCookie(server, "ada");
      String bob = sessionCookie(server, "bob");
      String cyd = sessionCookie(server, "cyd");
      String dee = sessionCookie(server, "dee");
      for (String cookie : new String[] {ada, bob, cyd, dee}) {
        assertThat(me(server, cookie).statusCode()).isEqualTo(200);
      }
      try (org.medlake.platform.store.PlatformDatabase platform = server.platform()) {
        platform.users().disable("ada");
      }
      server.execute("UPDATE users SET role = 'admin' WHERE name = 'bob'");
      server.execute("UPDATE users SET role = 'viewer' WHERE name = 'cyd'");
      assertError(me(server, ada), 401, "UNAUTHENTICATED");
      assertError(me(server, bob), 401, "UNAUTHENTICATED");
      assertError(me(server, cyd), 401, "UNAUTHENTICATED");
      assertThat(me(server, dee).statusCode()).as("other users' sessions go on").isEqualTo(200);
      server.execute("DELETE FROM api_tokens WHERE user_name = 'dee'");
      server.execute("DELETE FROM users WHERE name = 'dee'");
      assertError(me(server, dee), 401, "UNAUTHENTICATED");

      server.execute("UPDATE users SET role = 'analyst' WHERE name = 'bob'");
      assertError(me(server, bob), 401, "UNAUTHENTICATED");
      assertThat(me(server, sessionCookie(server, "bob")).statusCode())
          .as("a new login gets a new session")
          .isEqualTo(200);
    }
  }

  @Test
  void beyondMaxSessionsALoginEndsTheOldestSession() throws Exception {
    try (LimitsServer server = LimitsServer.start(directory, "max-sessions: 2")) {
      String ada = sessionCookie(server, "ada");
      String bob = sessionCookie(server, "bob");
      String cyd = sessionCookie(server, "cyd");
      assertError(me(server, ada), 401, "UNAUTHENTICATED");
      assertThat(me(server, bob).statusCode()).isEqualTo(200);
      assertThat(me(server, cyd).statusCode()).isEqualTo(200);
      String bobAgain = sessionCookie(server, "bob");
      assertError(me(server, bob), 401, "UNAUTHENTICATED");
      assertThat(me(server, cyd).statusCode()).isEqualTo(200);
      assertThat(me(server, bobAgain).statusCode()).isEqualTo(200);
    }
  }

  private static String sessionCookie(LimitsServer server, String user) throws Exception {
    HttpResponse<String> login = server.login(user, PASSWORD);
    assertThat(login.statusCode()).isEqualTo(200);
    return login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
  }

  private static HttpResponse<String> me(LimitsServer server, String cookie) throws Exception {
    return server.send(server.request("/api/v1/me").header("Cookie", cookie).GET());
  }
}
