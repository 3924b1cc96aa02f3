package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.security.Role;
import org.medlake.platform.store.Concurrently.Outcome;

class TestPlatformDatabaseMigrations {
  private static final String HISTORY =
      "SELECT version, type, script, success, installed_on FROM "
          + PlatformDatabase.SCHEMA_HISTORY_TABLE
          + " ORDER BY installed_rank";

  @TempDir Path directory;

  @Test
  void migratesEmptyDatabase() throws Exception {
    Path file = directory.resolve("platform.db");
    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      assertThat(database.users().list()).isEmpty();
    }

    assertThat(SqliteFiles.tables(file))
        .containsExactly(
            "api_tokens",
            "audit_events",
            "dashboard_versions",
            "dashboards",
            "ingest_run_reasons",
            "ingest_runs",
            PlatformDatabase.SCHEMA_HISTORY_TABLE,
            "sqlite_sequence",
            "users");
    assertThat(SqliteFiles.query(file, HISTORY))
        .extracting(row -> row.subList(0, 4))
        .containsExactly(
            List.of("1", "SQL", "V1__users_and_api_tokens.sql", "1"),
            List.of("2", "SQL", "V2__audit_log.sql", "1"),
            List.of("3", "SQL", "V3__ingest_runs.sql", "1"),
            List.of("4", "JDBC", IngestRunsMigration.class.getName(), "1"),
            List.of("5", "SQL", "V5__dashboards.sql", "1"),
            List.of("6", "SQL", "V6__audit_dashboard_action.sql", "1"));
  }

  @Test
  void migratesDatabaseThatAlreadyHasIngestTables() throws Exception {
    Path file = directory.resolve("platform.db");
    SqliteFiles.execute(file, SqliteFiles.RUN_LEDGER_DDL);
    SqliteFiles.execute(
        file,
        List.of(
            "INSERT INTO ingest_runs VALUES ('run-1', 'a.csv', 'src', 'abc', 'h1', '2024-01', 'SUCCEEDED',"
                + " '2024-02-01T00:00:00Z', 3, 2, 1, 0, 10, 5, 7, 42, 'ok')"));

    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      database
          .users()
          .add("alice", Role.ADMIN, Optional.empty(), "correct horse battery".toCharArray());
    }

    assertThat(SqliteFiles.tables(file))
        .containsExactly(
            "api_tokens",
            "audit_events",
            "dashboard_versions",
            "dashboards",
            "ingest_run_reasons",
            "ingest_runs",
            PlatformDatabase.SCHEMA_HISTORY_TABLE,
            "sqlite_sequence",
            "users");
    assertThat(SqliteFiles.query(file, HISTORY))
        .extracting(row -> row.subList(0, 4))
        .containsExactly(
            List.of("0", "BASELINE", "tables created outside Flyway", "1"),
            List.of("1", "SQL", "V1__users_and_api_tokens.sql", "1"),
            List.of("2", "SQL", "V2__audit_log.sql", "1"),
            List.of("3", "SQL", "V3__ingest_runs.sql", "1"),
            List.of("4", "JDBC", IngestRunsMigration.class.getName(), "1"),
            List.of("5", "SQL", "V5__dashboards.sql", "1"),
            List.of("6", "SQL", "V6__audit_dashboard_action.sql", "1"));
    assertThat(SqliteFiles.query(file, "SELECT id, rows_read FROM ingest_runs"))
        .containsExactly(List.of("run-1", "3"));
    // the run of the first layout reads back through the ledger, its later columns filled in
    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      IngestRun run = database.runs().find("run-1").orElseThrow();
      assertThat(run.rowsRead()).isEqualTo(3);
      assertThat(run.flaggedByReason()).isEmpty();
      assertThat(run.unmappedCodes()).isEmpty();
      assertThat(run.mappingSha256()).isEmpty();
      assertThat(run.supersededBy()).isNull();
    }
  }

  @Test
  void reopeningDoesNotRunMigrationsAgain() throws Exception {
    Path file = directory.resolve("platform.db");
    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      database
          .users()
          .add("alice", Role.ADMIN, Optional.empty(), "correct horse battery".toCharArray());
    }
    List<List<String>> history = SqliteFiles.query(file, HISTORY);

    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      assertThat(database.users().find("alice")).isPresent();
    }
    try (PlatformDatabase database = PlatformDatabase.open(file)) {
      assertThat(database.users().list()).extracting(User::name).containsExactly("alice");
    }

    assertThat(SqliteFiles.query(file, HISTORY)).isEqualTo(history);
  }

  @RepeatedTest(10)
  void concurrentFirstOpensMigrateOnce(RepetitionInfo repetition) throws Exception {
    // the server and a CLI command may open a fresh installation at the same moment
    Path file = directory.resolve("platform.db");
    boolean ingestTablesExist = repetition.getCurrentRepetition() % 2 == 0;
    if (ingestTablesExist) {
      SqliteFiles.execute(file, SqliteFiles.RUN_LEDGER_DDL);
    }

    List<Outcome<Boolean>> outcomes =
        Concurrently.run(
            4,
            () -> {
              try (PlatformDatabase database = PlatformDatabase.open(file)) {
                return database.users().list().isEmpty();
              }
            });

    assertThat(outcomes).allMatch(Outcome::succeeded);
    assertThat(SqliteFiles.query(file, HISTORY))
        .extracting(row -> row.get(0))
        .containsExactlyElementsOf(
            ingestTablesExist
                ? List.of("0", "1", "2", "3", "4", "5", "6")
                : List.of("1", "2", "3", "4", "5", "6"));
  }
}
