package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.security.Role;
import org.medlake.testkit.PostgresServer;

/** Users, tokens and the audit log in a real PostgreSQL platform database, migrated by Flyway. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformDatabaseOnPostgresIT {
  private PostgresServer postgres;
  private String url;
  private MedlakeHome home;

  @BeforeAll
  void start(@TempDir Path directory) throws Exception {
    postgres = PostgresServer.start();
    url = postgres.createDatabase("platform");
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    Files.writeString(
        root.resolve("medlake.yaml"),
        """
        platform:
          jdbc-url: %s
          jdbc-user: %s
        """
            .formatted(url, PostgresServer.USER));
    home = MedlakeHome.open(root);
  }

  @AfterAll
  void stop() throws Exception {
    postgres.close();
  }

  @Test
  void serversStartingAtOnceMigrateOnceAndShareUsersTokensAndAudit() throws Exception {
    // four servers open a fresh database at once: one migrates, the others wait and find it
    // migrated

    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<PlatformDatabase>> opened = new ArrayList<>();
    for (int server = 0; server < 4; server++) {
      opened.add(pool.submit(() -> PlatformDatabase.open(home)));
    }
    List<PlatformDatabase> databases = new ArrayList<>();
    for (Future<PlatformDatabase> database : opened) {
      databases.add(database.get());
    }
    pool.shutdown();
    try (Connection connection = DriverManager.getConnection(url, PostgresServer.USER, "");
        Statement statement = connection.createStatement();
        var rows =
            statement.executeQuery(
                "SELECT count(*) FROM "
                    + PlatformDatabase.SCHEMA_HISTORY_TABLE
                    + " WHERE success")) {
      rows.next();
      // V1 to V6
      assertThat(rows.getInt(1)).isEqualTo(6);
    }

    PlatformDatabase first = databases.get(0);
    PlatformDatabase second = databases.get(1);
    first.users().add("ada", Role.ANALYST, Optional.empty(), "correct horse battery".toCharArray());
    assertThat(second.users().authenticate("ada", "correct horse battery".toCharArray()))
        .map(User::name)
        .contains("ada");
    assertThat(second.users().authenticate("ada", "wrong".toCharArray())).isEmpty();

    IssuedToken token = first.tokens().create("ada", "notebook", Duration.ofDays(1));
    assertThat(second.tokens().authenticate(token.secret())).map(User::name).contains("ada");
    second.tokens().revoke(token.token().id());
    assertThat(first.tokens().authenticate(token.secret())).isEmpty();

    AuditLog audit = first.audit();
    Instant at = Instant.parse("2026-01-02T03:04:05.123456Z");
    List<AuditEvent> events = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      events.add(
          AuditEvent.builder()
              .at(at.plusSeconds(i))
              .actor("ada")
              .role(Role.ANALYST)
              .action(AuditAction.QUERY)
              .target("coverage")
              .outcome(AuditOutcome.OK)
              .detail("bytes_scanned", 1000L * i)
              .build());
    }
    audit.recordAll(events);
    List<AuditEvent> found = second.audit().search(AuditQuery.builder().actor("ada").build());
    assertThat(found).hasSize(3);
    assertThat(found.get(0).at()).isEqualTo(at.plusSeconds(2));
    assertThat(found.get(0).details()).containsEntry("bytes_scanned", 2000L);

    try (Connection connection = DriverManager.getConnection(url, PostgresServer.USER, "");
        Statement statement = connection.createStatement()) {
      assertThatThrownBy(() -> statement.executeUpdate("UPDATE audit_events SET actor = 'eve'"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("audit_events is append-only");
      assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM audit_events"))
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("audit_events is append-only");
    }
    databases.forEach(PlatformDatabase::close);
  }
}
