package org.medlake.platform.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.db.SqliteFiles;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.testkit.PostgresServer;

/**
 * The run ledger on both platform databases: every field survives a round trip, and the layouts the
 * ledger created itself before Flyway (the first one, with its runs, and a later one beside the
 * server's migrated tables) gain the missing columns when the ledger opens them (V3, V4).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunLedgerIT {
  /** The ingest_runs table as the first layout created it. */
  private static final String FIRST_LAYOUT =
      "CREATE TABLE ingest_runs (id TEXT PRIMARY KEY, source_file TEXT NOT NULL, source_id TEXT NOT NULL,"
          + " sha256 TEXT NOT NULL, hospital_id TEXT NOT NULL, month TEXT NOT NULL, status TEXT NOT NULL,"
          + " started_at TEXT NOT NULL, rows_read BIGINT NOT NULL, rows_accepted BIGINT NOT NULL,"
          + " rows_rejected BIGINT NOT NULL, rows_filtered BIGINT NOT NULL, bytes_in BIGINT NOT NULL,"
          + " bytes_out BIGINT NOT NULL, duration_ms BIGINT NOT NULL, snapshot_id BIGINT, message TEXT NOT NULL,"
          + " CHECK (rows_read = rows_accepted + rows_rejected))";

  private static final String OLD_RUN =
      "INSERT INTO ingest_runs VALUES ('run-old', 'landing/h1/2024-01/a.csv', 'h1', 'abc', 'H1',"
          + " '2024-01', 'SUCCEEDED', '2024-02-01T00:00:00Z', 3, 2, 1, 0, 10, 5, 7, 42, '')";

  private PostgresServer postgres;
  private int databases;

  @TempDir Path directory;

  @BeforeAll
  void startPostgres() throws Exception {
    postgres = PostgresServer.start();
  }

  @AfterAll
  void stopPostgres() throws Exception {
    postgres.close();
  }

  Stream<String> databases() {
    return Stream.of("sqlite", "postgresql");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void newFieldsSurviveARoundTripAndOldRunsReadWithEmptyOnes(String kind) throws Exception {
    try (Connection connection = firstLayout(kind);
        Statement statement = connection.createStatement()) {
      statement.execute(FIRST_LAYOUT);
      statement.execute(OLD_RUN);
    }
    Map<String, Long> unmapped = new LinkedHashMap<>();
    for (int code = 1; code <= 25; code++) {
      unmapped.put("LOC" + code, (long) code);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    IngestRun held =
        new IngestRun(
            "run-held",
            "landing/h1/2024-01/b.csv",
            "h1",
            "def",
            "H1",
            "2024-01",
            RunStatus.HELD,
            now,
            10,
            2,
            8,
            1,
            Map.of("INVALID_CODE", 8L),
            100,
            0,
            50,
            null,
            "held: 8 of 10 rows rejected",
            Map.of("UNMAPPED_CODE", 2L, "UNIT_NOT_CONVERTED", 1L),
            unmapped,
            "mapping-sha",
            null);
    try (RunLedger ledger = open(kind)) {
      IngestRun old = ledger.find("run-old").orElseThrow();
      assertThat(old.rowsRead()).isEqualTo(3);
      assertThat(old.flaggedByReason()).isEmpty();
      assertThat(old.unmappedCodes()).isEmpty();
      assertThat(old.mappingSha256()).isEmpty();
      assertThat(old.supersededBy()).isNull();

      ledger.record(held);
      IngestRun read = ledger.find("run-held").orElseThrow();
      assertThat(read).isEqualTo(held);
      // the 20 most frequent codes, most first
      assertThat(read.unmappedCodes()).hasSize(IngestRun.UNMAPPED_CODES_KEPT);
      assertThat(read.unmappedCodes().keySet()).startsWith("LOC25", "LOC24").doesNotContain("LOC5");
      assertThat(ledger.openHolds()).extracting(IngestRun::id).containsExactly("run-held");
      assertThat(ledger.latestSucceeded("H1", "2024-01")).map(IngestRun::id).contains("run-old");

      IngestRun approved = held.superseded("run-new", "approved by alice: committed as run-new");
      ledger.record(approved);
      assertThat(ledger.find("run-held").orElseThrow()).isEqualTo(approved);
      assertThat(approved.supersededBy()).isEqualTo("run-new");
      assertThat(approved.message())
          .isEqualTo("held: 8 of 10 rows rejected; approved by alice: committed as run-new");
      assertThat(ledger.openHolds()).isEmpty();
    }
    // opening it again finds the columns there
    try (RunLedger ledger = open(kind)) {
      assertThat(ledger.list()).extracting(IngestRun::id).containsExactly("run-old", "run-held");
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aLayoutOfLaterColumnsBesideMigratedServerTablesGainsTheRest(String kind) throws Exception {
    // a home whose server had migrated V1 and V2 while the ledger kept its own table, of the layout
    // with the counts but before held runs (no mapping_sha256, superseded_by, owner)
    try (Connection connection = firstLayout(kind);
        Statement statement = connection.createStatement()) {
      statement.execute(FIRST_LAYOUT);
      statement.execute(
          "ALTER TABLE ingest_runs ADD COLUMN flagged_by_reason TEXT NOT NULL DEFAULT '{}'");
      statement.execute(
          "ALTER TABLE ingest_runs ADD COLUMN unmapped_codes TEXT NOT NULL DEFAULT '{}'");
      statement.execute(OLD_RUN.replace("'')", "'', '{\"UNMAPPED_CODE\":1}', '{}')"));
    }
    migrateServerTablesOnly(kind);
    try (RunLedger ledger = open(kind)) {
      IngestRun old = ledger.find("run-old").orElseThrow();
      assertThat(old.flaggedByReason()).containsExactly(Map.entry("UNMAPPED_CODE", 1L));
      assertThat(old.mappingSha256()).isEmpty();
      Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
      IngestRun running =
          new IngestRun(
              "run-new",
              "landing/h1/2024-02/a.csv",
              "h1",
              "ghi",
              "H1",
              "2024-02",
              RunStatus.RUNNING,
              now,
              0,
              0,
              0,
              0,
              Map.of(),
              0,
              0,
              0,
              null,
              "",
              Map.of(),
              Map.of(),
              "mapping-sha",
              null);
      ledger.record(running);
      assertThat(ledger.find("run-new")).contains(running);
      assertThat(ledger.withChecksum("ghi")).containsExactly(running);
      // the process that recorded it is alive: not interrupted
      assertThat(ledger.interrupted()).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aFreshDatabaseGetsTheLedgerFromTheMigrations(String kind) throws Exception {
    firstLayout(kind).close();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    IngestRun run =
        new IngestRun(
            "run-1",
            "landing/h1/2024-01/a.csv",
            "h1",
            "abc",
            "H1",
            "2024-01",
            RunStatus.SUCCEEDED,
            now,
            5,
            4,
            1,
            0,
            Map.of("INVALID_DATE", 1L),
            10,
            5,
            7,
            99L,
            "",
            Map.of(),
            Map.of(),
            "mapping-sha",
            null);
    try (RunLedger ledger = open(kind)) {
      assertThat(ledger.list()).isEmpty();
      ledger.record(run);
      assertThat(ledger.latestSucceeded("H1", "2024-01")).contains(run);
    }
    try (RunLedger ledger = open(kind)) {
      assertThat(ledger.list()).containsExactly(run);
    }
  }

  /**
   * V1 and V2 by Flyway, as the server migrated them before the ledger's tables were migrations.
   */
  private void migrateServerTablesOnly(String kind) {
    var flyway =
        org.flywaydb.core.Flyway.configure(RunLedgerIT.class.getClassLoader())
            .table(PlatformDatabase.SCHEMA_HISTORY_TABLE)
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .target("2");
    if (kind.equals("sqlite")) {
      flyway
          .dataSource("jdbc:sqlite:" + sqliteFile, null, null)
          .locations(PlatformDatabase.SQLITE_MIGRATIONS);
    } else {
      flyway
          .dataSource(url, PostgresServer.USER, "")
          .locations(PlatformDatabase.POSTGRESQL_MIGRATIONS);
    }
    flyway.load().migrate();
  }

  private String url;
  private Path sqliteFile;

  /** A new, empty database of the kind, connected. */
  private Connection firstLayout(String kind) throws Exception {
    if (kind.equals("sqlite")) {
      sqliteFile = directory.resolve("platform-" + databases++ + ".db");
      return SqliteFiles.open(sqliteFile);
    }
    url = postgres.createDatabase("platform_" + databases++);
    Properties properties = new Properties();
    properties.setProperty("user", PostgresServer.USER);
    return DriverManager.getConnection(url, properties);
  }

  private RunLedger open(String kind) throws Exception {
    if (kind.equals("sqlite")) {
      return RunLedger.open(sqliteFile);
    }
    Path root = directory.resolve("home-" + databases);
    java.nio.file.Files.createDirectories(root);
    java.nio.file.Files.writeString(
        root.resolve("medlake.yaml"),
        "platform:\n  jdbc-url: " + url + "\n  jdbc-user: " + PostgresServer.USER + "\n");
    return RunLedger.open(MedlakeHome.open(root));
  }
}
