package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.NotFoundException;
import org.medlake.core.error.ValidationException;
import org.medlake.core.security.Role;
import org.medlake.platform.store.Concurrently.Outcome;
import org.medlake.testkit.MutableClock;

@ParameterizedClass(name = "{0}")
@ValueSource(strings = {PlatformDatabases.SQLITE, PlatformDatabases.POSTGRESQL})
class UserStoreIT {
  @Parameter String kind;

  private static final Instant START = Instant.parse("2026-03-01T08:00:00.123456789Z");
  private static final char[] PASSWORD = "correct horse battery".toCharArray();

  @TempDir Path directory;

  private PlatformDatabases databases;
  private PlatformDatabase database;
  private UserStore users;

  @BeforeEach
  void open() {
    databases = PlatformDatabases.create(kind, directory);
    database = databases.open(new MutableClock(START));
    users = database.users();
  }

  @AfterEach
  void close() {
    database.close();
  }

  @Test
  void addsListsAndFindsUsers() {
    User bob = users.add("bob", Role.ANALYST, Optional.empty(), PASSWORD);
    User uploader = users.add("st-mary.upload_1", Role.UPLOADER, Optional.of("st-mary"), PASSWORD);
    users.add("alice", Role.ADMIN, Optional.empty(), PASSWORD);

    assertThat(bob)
        .isEqualTo(
            new User(
                "bob",
                Role.ANALYST,
                Optional.empty(),
                true,
                Instant.parse("2026-03-01T08:00:00.123456Z")));
    assertThat(users.list())
        .extracting(User::name)
        .containsExactly("alice", "bob", "st-mary.upload_1");
    assertThat(users.find("bob")).contains(bob);
    assertThat(users.find("st-mary.upload_1")).contains(uploader);
    assertThat(users.find("carol")).isEmpty();
  }

  @Test
  void authenticatesWithThePassword() {
    User bob = users.add("bob", Role.VIEWER, Optional.empty(), PASSWORD);

    assertThat(users.authenticate("bob", PASSWORD)).contains(bob);
    assertThat(users.authenticate("bob", "correct horse batterY".toCharArray())).isEmpty();
    assertThat(users.authenticate("carol", PASSWORD)).isEmpty();
    assertThat(users.authenticate("Not A Valid Name", PASSWORD)).isEmpty();
  }

  @Test
  void storesOnlyTheArgon2idHash() throws Exception {
    users.add("bob", Role.VIEWER, Optional.empty(), PASSWORD);

    List<List<String>> rows = databases.query("SELECT * FROM users");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0))
        .noneMatch(value -> value != null && value.contains(new String(PASSWORD)));
    assertThat(rows.get(0).get(3)).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
  }

  @Test
  void disabledUsersDoNotAuthenticate() {
    users.add("bob", Role.ANALYST, Optional.empty(), PASSWORD);

    users.disable("bob");

    assertThat(users.authenticate("bob", PASSWORD)).isEmpty();
    assertThat(users.find("bob")).get().extracting(User::enabled).isEqualTo(false);
    assertThatThrownBy(() -> users.disable("carol"))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("user 'carol' does not exist");
  }

  @Test
  void rejectsInvalidNames() {
    for (String name : List.of("a", "Bob", "bob smith", "bob@example.org", "x".repeat(65), "")) {
      assertThatThrownBy(() -> users.add(name, Role.VIEWER, Optional.empty(), PASSWORD))
          .isInstanceOf(ValidationException.class)
          .hasMessage(
              "user name '"
                  + name
                  + "' is invalid: use 2 to 64 characters from a-z, 0-9, '.', '_' and '-'");
    }
    assertThat(users.add("x".repeat(64), Role.VIEWER, Optional.empty(), PASSWORD).name())
        .hasSize(64);
  }

  @Test
  void rejectsShortPasswords() {
    assertThatThrownBy(
            () -> users.add("bob", Role.VIEWER, Optional.empty(), "eleven char".toCharArray()))
        .isInstanceOf(ValidationException.class)
        .hasMessage("password must be at least 12 characters long (got 11)");
    // counted in characters, not UTF-16 units: four emoji are 4 characters
    assertThatThrownBy(
            () ->
                users.add(
                    "bob", Role.VIEWER, Optional.empty(), "\uD83D\uDE00".repeat(4).toCharArray()))
        .hasMessage("password must be at least 12 characters long (got 4)");
    assertThat(users.add("bob", Role.VIEWER, Optional.empty(), "twelve chars".toCharArray()).name())
        .isEqualTo("bob");
    assertThat(users.list()).extracting(User::name).containsExactly("bob");
  }

  @Test
  void onlyUploadersHaveAHospital() {
    assertThatThrownBy(() -> users.add("up", Role.UPLOADER, Optional.empty(), PASSWORD))
        .isInstanceOf(ValidationException.class)
        .hasMessage("user 'up' has role uploader and needs a hospital id");
    assertThatThrownBy(() -> users.add("ann", Role.ANALYST, Optional.of("h1"), PASSWORD))
        .isInstanceOf(ValidationException.class)
        .hasMessage("user 'ann' has role analyst and must not have a hospital id (got 'h1')");
    assertThatThrownBy(() -> users.add("root", Role.ADMIN, Optional.of("h1"), PASSWORD))
        .hasMessage("user 'root' has role admin and must not have a hospital id (got 'h1')");
    assertThatThrownBy(() -> users.add("up", Role.UPLOADER, Optional.of(" "), PASSWORD))
        .hasMessage("hospital id of user 'up' must not be blank");
    assertThat(users.list()).isEmpty();
  }

  @Test
  void rejectsDuplicateUsers() {
    users.add("bob", Role.ANALYST, Optional.empty(), PASSWORD);

    assertThatThrownBy(
            () -> users.add("bob", Role.ADMIN, Optional.empty(), "another password".toCharArray()))
        .isInstanceOf(ValidationException.class)
        .hasMessage("user 'bob' already exists")
        .extracting(e -> ((ValidationException) e).errorCode())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(users.authenticate("bob", PASSWORD))
        .get()
        .extracting(User::role)
        .isEqualTo(Role.ANALYST);
  }

  @RepeatedTest(3)
  void concurrentAddOfTheSameUserLetsOneWin() throws Exception {
    List<Outcome<User>> outcomes =
        Concurrently.run(2, () -> users.add("bob", Role.ANALYST, Optional.empty(), PASSWORD));

    assertThat(outcomes).filteredOn(Outcome::succeeded).hasSize(1);
    assertThat(outcomes)
        .filteredOn(outcome -> !outcome.succeeded())
        .singleElement()
        .extracting(Outcome::failure)
        .isInstanceOf(ValidationException.class)
        .hasFieldOrPropertyWithValue("message", "user 'bob' already exists");
    assertThat(users.list()).extracting(User::name).containsExactly("bob");
  }

  @Test
  void concurrentAddsOfDifferentUsersAllSucceed() throws Exception {
    int[] next = {0};
    List<Outcome<User>> outcomes =
        Concurrently.run(
            6,
            () -> {
              String name;
              synchronized (next) {
                name = "user" + next[0]++;
              }
              return users.add(name, Role.VIEWER, Optional.empty(), PASSWORD);
            });

    assertThat(outcomes).allMatch(Outcome::succeeded);
    assertThat(users.list()).hasSize(6);
  }
}
