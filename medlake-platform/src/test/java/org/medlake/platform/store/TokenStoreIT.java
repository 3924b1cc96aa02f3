package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;
import org.medlake.testkit.MutableClock;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {PlatformDatabases.SQLITE, PlatformDatabases.POSTGRESQL})
class TokenStoreIT {
  @Parameter String kind;

  private static final Instant START = Instant.parse("2026-03-01T08:00:00Z");
  private static final Duration DAY = Duration.ofDays(1);

  @TempDir Path directory;

  private final MutableClock clock = new MutableClock(START);
  private PlatformDatabases databases;
  private PlatformDatabase database;
  private TokenStore tokens;
  private User bob;

  @BeforeEach
  void open() {
    databases = PlatformDatabases.create(kind, directory);
    database = databases.open(clock);
    tokens = database.tokens();
    bob =
        database
            .users()
            .add("bob", Role.ANALYST, Optional.empty(), "correct horse battery".toCharArray());
    database
        .users()
        .add("up", Role.UPLOADER, Optional.of("h1"), "correct horse battery".toCharArray());
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void createsTokenThatAuthenticatesItsUser() {
    IssuedToken issued = tokens.create("bob", "notebook", DAY);

    assertThat(issued.token())
        .isEqualTo(
            new ApiToken(
                issued.token().id(), "bob", "notebook", START, START.plus(DAY), Optional.empty()));
    assertThat(issued.secret()).matches("mlk_" + issued.token().id() + "_[A-Za-z0-9_-]{43}");
    assertThat(issued.toString()).doesNotContain(issued.secret());
    assertThat(tokens.authenticate(issued.secret())).contains(bob);
  }

  @Test
  void storesOnlyTheSha256OfTheSecret() throws Exception {
    IssuedToken issued = tokens.create("bob", "notebook", DAY);
    // the random part after "mlk_<id>_": base64url, so it may itself contain '_' (cutting at the
    // last '_' took a short tail that a stored id or hash could contain by chance)
    String random = issued.secret().substring(("mlk_" + issued.token().id() + "_").length());
    assertThat(random).hasSize(43);

    List<List<String>> rows = databases.query("SELECT * FROM api_tokens");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0))
        .noneMatch(
            value -> value != null && (value.contains(issued.secret()) || value.contains(random)));
    assertThat(databases.query("SELECT secret_sha256 FROM api_tokens"))
        .containsExactly(List.of(JdbcTokenStore.sha256(issued.secret())));
  }

  @Test
  void rejectsWrongOrMalformedSecrets() {
    IssuedToken issued = tokens.create("bob", "notebook", DAY);
    String secret = issued.secret();
    char last = secret.charAt(secret.length() - 1);
    String tampered = secret.substring(0, secret.length() - 1) + (last == 'A' ? 'B' : 'A');

    assertThat(tokens.authenticate(tampered)).isEmpty();
    assertThat(tokens.authenticate("mlk_0000000000000000" + secret.substring(20))).isEmpty();
    assertThat(tokens.authenticate("")).isEmpty();
    assertThat(tokens.authenticate("Bearer " + secret)).isEmpty();
    assertThat(tokens.authenticate(secret)).contains(bob);
  }

  @Test
  void listsTokensPerUserOldestFirst() {
    IssuedToken first = tokens.create("bob", "first", DAY);
    clock.advance(Duration.ofMinutes(1));
    IssuedToken uploads = tokens.create("up", "uploads", DAY);
    clock.advance(Duration.ofMillis(1));
    IssuedToken second = tokens.create("bob", "second", DAY);

    assertThat(tokens.list(Optional.of("bob"))).containsExactly(first.token(), second.token());
    assertThat(tokens.list(Optional.of("up"))).containsExactly(uploads.token());
    assertThat(tokens.list(Optional.empty()))
        .containsExactly(first.token(), uploads.token(), second.token());
    assertThat(tokens.list(Optional.of("nobody"))).isEmpty();
  }

  @Test
  void revokedTokensDoNotAuthenticate() {
    IssuedToken revoked = tokens.create("bob", "old", DAY);
    IssuedToken kept = tokens.create("bob", "new", DAY);
    clock.advance(Duration.ofHours(1));

    tokens.revoke(revoked.token().id());
    clock.advance(Duration.ofHours(1));
    tokens.revoke(revoked.token().id());

    assertThat(tokens.authenticate(revoked.secret())).isEmpty();
    assertThat(tokens.authenticate(kept.secret())).contains(bob);
    assertThat(tokens.list(Optional.of("bob")))
        .filteredOn(token -> token.id().equals(revoked.token().id()))
        .singleElement()
        .extracting(ApiToken::revokedAt)
        .isEqualTo(Optional.of(START.plus(Duration.ofHours(1))));
    assertThatThrownBy(() -> tokens.revoke("0123456789abcdef"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("token '0123456789abcdef' does not exist");
  }

  @Test
  void expiredTokensDoNotAuthenticate() {
    IssuedToken issued = tokens.create("bob", "short", Duration.ofHours(2));

    clock.advance(Duration.ofHours(2).minusNanos(1000));
    assertThat(tokens.authenticate(issued.secret())).contains(bob);

    clock.advance(Duration.ofNanos(1000));
    assertThat(tokens.authenticate(issued.secret())).isEmpty();
    assertThat(issued.token().activeAt(clock.instant())).isFalse();
  }

  @Test
  void tokensOfDisabledUsersDoNotAuthenticate() {
    IssuedToken issued = tokens.create("bob", "notebook", DAY);

    database.users().disable("bob");

    assertThat(tokens.authenticate(issued.secret())).isEmpty();
    assertThatThrownBy(() -> tokens.create("bob", "another", DAY))
        .isInstanceOf(ValidationException.class)
        .hasMessage("user 'bob' is disabled and cannot get a token");
  }

  @Test
  void rejectsUnknownUsersAndNonPositiveValidity() {
    assertThatThrownBy(() -> tokens.create("carol", "x", DAY))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("user 'carol' does not exist");
    assertThatThrownBy(() -> tokens.create("bob", "x", Duration.ZERO))
        .isInstanceOf(ValidationException.class)
        .hasMessage("token validity must be positive (got PT0S)");
    assertThatThrownBy(() -> tokens.create("bob", "x", Duration.ofHours(-1)))
        .isInstanceOf(ValidationException.class)
        .hasMessage("token validity must be positive (got PT-1H)");
    assertThat(tokens.list(Optional.empty())).isEmpty();
  }

  @Test
  void tokensSurviveReopening() {
    IssuedToken issued = tokens.create("bob", "notebook", DAY);
    database.close();

    try (PlatformDatabase reopened = databases.open(clock)) {
      assertThat(reopened.tokens().authenticate(issued.secret())).contains(bob);
      assertThat(reopened.tokens().list(Optional.empty())).containsExactly(issued.token());
    }
  }
}
