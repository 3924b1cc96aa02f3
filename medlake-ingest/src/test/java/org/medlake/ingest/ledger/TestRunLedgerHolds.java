package org.medlake.ingest.ledger;

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
import org.medlake.core.ledger.RunLedger;
import org.medlake.core.ledger.RunStatus;
import org.medlake.testkit.PostgresServer;

/**
 * The run ledger's fields for held runs, flags and unmapped codes, on both platform databases:
 * every field survives a round trip, and a database of the first layout (with its runs) gains the
 * new columns when a ledger opens it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TestRunLedgerHolds {
  /** The ingest_runs table as the first layout created it. */
  private static final String FIRST_LAYOUT =
      "CREATE TABLE ingest_runs (id TEXT PRIMARY KEY, source_file TEXT NOT NULL, source_id TEXT NOT NULL,"
          + " sha256 TEXT NOT NULL, hospital_id TEXT NOT NULL, month TEXT NOT NULL, status TEXT NOT NULL,"
          + " started_at TEXT NOT NULL, rows_read BIGINT NOT NULL, rows_accepted BIGINT NOT NULL,"
          + " rows_rejected BIGINT NOT NULL, rows_filtered BIGINT NOT NULL, bytes_in BIGINT NOT NULL,"
          + " bytes_out BIGINT NOT NULL, duration_ms BIGINT NOT NULL, snapshot_id BIGINT, message TEXT NOT NULL,"
          + " CHECK (rows_read = rows_accepted + rows_rejected))";
  private static final String OLD_RUN = "INSERT INTO ingest_runs VALUES ('run-old', 'landing/h1/2024-01/a.csv', 'h1', 'abc', 'H1',"
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
    try (Connection connection = firstLayout(kind); Statement statement = connection.createStatement()) {
      statement.execute(FIRST_LAYOUT);
      statement.execute(OLD_RUN);
    }
    Map<String, Long> unmapped = new LinkedHashMap<>();
    for (int code = 1; code <= 25; code++) {
      unmapped.put("LOC" + code, (long) code);
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    IngestRun held = new IngestRun("run-held", "landing/h1/2024-01/b.csv", "h1", "def", "H1", "2024-01", RunStatus.HELD, now, 10, 2, 8, 1,
        Map.of("INVALID_CODE", 8L), 100, 0, 50, null, "held: 8 of 10 rows rejected", Map.of("UNMAPPED_CODE", 2L, "UNIT_NOT_CONVERTED", 1L),
        unmapped, "mapping-sha", null);
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
      assertThat(approved.message()).isEqualTo("held: 8 of 10 rows rejected; approved by alice: committed as run-new");
      assertThat(ledger.openHolds()).isEmpty();
    }
    // opening it again finds the columns there
    try (RunLedger ledger = open(kind)) {
      assertThat(ledger.list()).extracting(IngestRun::id).containsExactly("run-old", "run-held");
    }
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
    java.nio.file.Files.writeString(root.resolve("medlake.yaml"),
        "platform:\n  jdbc-url: " + url + "\n  jdbc-user: " + PostgresServer.USER + "\n");
    return RunLedger.open(MedlakeHome.open(root));
  }
}
