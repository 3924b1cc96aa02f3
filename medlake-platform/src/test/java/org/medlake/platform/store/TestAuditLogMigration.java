package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestAuditLogMigration {
  private static final String HISTORY =
      "SELECT version, script, success FROM "
          + PlatformDatabase.SCHEMA_HISTORY_TABLE
          + " ORDER BY installed_rank";
  private static final String AUDIT_OBJECTS =
      "SELECT type, name FROM sqlite_master WHERE tbl_name = 'audit_events' ORDER BY type, name";

  @TempDir Path directory;

  @Test
  void createsTheTableIndexesAndTriggers() throws Exception {
    Path file = directory.resolve("platform.db");
    PlatformDatabase.open(file).close();

    assertThat(SqliteFiles.query(file, AUDIT_OBJECTS))
        .containsExactly(
            List.of("index", "audit_events_actor_at"),
            List.of("index", "audit_events_at"),
            List.of("table", "audit_events"),
            List.of("trigger", "audit_events_no_delete"),
            List.of("trigger", "audit_events_no_update"));
    assertThat(SqliteFiles.query(file, HISTORY))
        .containsExactly(
            List.of("1", "V1__users_and_api_tokens.sql", "1"),
            List.of("2", "V2__audit_log.sql", "1"),
            List.of("3", "V3__ingest_runs.sql", "1"),
            List.of("4", IngestRunsMigration.class.getName(), "1"),
            List.of("5", "V5__dashboards.sql", "1"),
            List.of("6", "V6__audit_dashboard_action.sql", "1"));
  }

  @Test
  void reopeningKeepsHistoryAndEvents() throws Exception {
    Path file = directory.resolve("platform.db");
    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      database.audit().record(login("alice"));
    }
    List<List<String>> history = SqliteFiles.query(file, HISTORY);

    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      database.audit().record(login("bob"));
      assertThat(database.audit().search(AuditQuery.builder().build()))
          .extracting(AuditEvent::actor)
          .containsExactly("bob", "alice");
    }

    assertThat(SqliteFiles.query(file, HISTORY)).isEqualTo(history).hasSize(6);
  }

  @Test
  void upgradesDatabaseCreatedBeforeTheAuditLog() throws Exception {
    // a database of the release that had only V1, with a user in it
    Path file = directory.resolve("platform.db");
    Flyway.configure(TestAuditLogMigration.class.getClassLoader())
        .dataSource("jdbc:sqlite:" + file, null, null)
        .locations("classpath:db/platform/sqlite")
        .table(PlatformDatabase.SCHEMA_HISTORY_TABLE)
        .target("1")
        .load()
        .migrate();
    SqliteFiles.execute(
        file,
        "INSERT INTO users VALUES ('alice', 'admin', NULL, 'hash', 1, '2026-01-01T00:00:00.000000Z')");
    assertThat(SqliteFiles.query(file, HISTORY)).extracting(row -> row.get(0)).containsExactly("1");

    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      database.audit().record(login("alice"));
      assertThat(database.users().find("alice")).isPresent();
      assertThat(database.audit().search(AuditQuery.builder().build()))
          .extracting(AuditEvent::actor)
          .containsExactly("alice");
    }

    assertThat(SqliteFiles.query(file, HISTORY))
        .containsExactly(
            List.of("1", "V1__users_and_api_tokens.sql", "1"),
            List.of("2", "V2__audit_log.sql", "1"),
            List.of("3", "V3__ingest_runs.sql", "1"),
            List.of("4", IngestRunsMigration.class.getName(), "1"),
            List.of("5", "V5__dashboards.sql", "1"),
            List.of("6", "V6__audit_dashboard_action.sql", "1"));
  }

  @Test
  void addingTheDashboardActionKeepsEveryEventAndTheAppendOnlyTriggers() throws Exception {
    // a database of the release before dashboards had their own audit action, with events in it
    Path file = directory.resolve("platform.db");
    Flyway.configure(TestAuditLogMigration.class.getClassLoader())
        .dataSource("jdbc:sqlite:" + file, null, null)
        .locations(PlatformDatabase.COMMON_MIGRATIONS, PlatformDatabase.SQLITE_MIGRATIONS)
        .javaMigrations(new IngestRunsMigration())
        .table(PlatformDatabase.SCHEMA_HISTORY_TABLE)
        .target("5")
        .load()
        .migrate();
    SqliteFiles.execute(
        file,
        List.of(
            "INSERT INTO audit_events (at, actor, action, outcome, details) VALUES"
                + " ('2026-01-01T00:00:00Z', 'alice', 'login', 'ok', '{}')",
            "INSERT INTO audit_events (at, actor, action, target, outcome, details) VALUES"
                + " ('2026-01-01T00:00:01Z', 'alice', 'admin', 'save dashboard 1', 'ok', '{\"version\": 1}')"));
    List<List<String>> before = SqliteFiles.query(file, "SELECT * FROM audit_events ORDER BY id");

    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      database
          .audit()
          .record(
              AuditEvent.builder()
                  .at(Instant.parse("2026-03-01T08:00:00Z"))
                  .actor("alice")
                  .action(AuditAction.DASHBOARD)
                  .target("save dashboard 2")
                  .outcome(AuditOutcome.OK)
                  .build());
    }

    List<List<String>> after = SqliteFiles.query(file, "SELECT * FROM audit_events ORDER BY id");
    assertThat(after.subList(0, 2)).isEqualTo(before);
    assertThat(after.get(2)).contains("3", "dashboard", "save dashboard 2");
    assertThat(SqliteFiles.query(file, AUDIT_OBJECTS))
        .containsExactly(
            List.of("index", "audit_events_actor_at"),
            List.of("index", "audit_events_at"),
            List.of("table", "audit_events"),
            List.of("trigger", "audit_events_no_delete"),
            List.of("trigger", "audit_events_no_update"));
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> SqliteFiles.execute(file, List.of("DELETE FROM audit_events"))))
        .hasMessageContaining("append-only");
  }

  private static AuditEvent login(String actor) {
    return AuditEvent.builder()
        .at(Instant.parse("2026-03-01T08:00:00Z"))
        .actor(actor)
        .action(AuditAction.LOGIN)
        .outcome(AuditOutcome.OK)
        .build();
  }
}
