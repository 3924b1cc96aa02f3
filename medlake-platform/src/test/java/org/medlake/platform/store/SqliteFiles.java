package org.medlake.platform.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct SQL on a platform database file, to look at (and tamper with) what the stores and the
 * audit log wrote.
 */
public final class SqliteFiles {
  /**
   * The statements {@code org.medlake.platform.store.RunLedger#open} runs (server must not depend
   * on ingest).
   */
  static final List<String> RUN_LEDGER_DDL =
      List.of(
          "CREATE TABLE IF NOT EXISTS ingest_runs (id TEXT PRIMARY KEY, source_file TEXT NOT NULL, source_id TEXT NOT NULL,"
              + " sha256 TEXT NOT NULL, hospital_id TEXT NOT NULL, month TEXT NOT NULL, status TEXT NOT NULL,"
              + " started_at TEXT NOT NULL, rows_read INTEGER NOT NULL, rows_accepted INTEGER NOT NULL,"
              + " rows_rejected INTEGER NOT NULL, rows_filtered INTEGER NOT NULL, bytes_in INTEGER NOT NULL,"
              + " bytes_out INTEGER NOT NULL, duration_ms INTEGER NOT NULL, snapshot_id INTEGER, message TEXT NOT NULL,"
              + " CHECK (rows_read = rows_accepted + rows_rejected))",
          "CREATE INDEX IF NOT EXISTS ingest_runs_sha ON ingest_runs (sha256)",
          "CREATE TABLE IF NOT EXISTS ingest_run_reasons (run_id TEXT NOT NULL REFERENCES ingest_runs (id),"
              + " reason TEXT NOT NULL, rows INTEGER NOT NULL, PRIMARY KEY (run_id, reason))");

  private SqliteFiles() {}

  /**
   * Connections like the server's own: WAL mode and a busy timeout, so that concurrent writers
   * wait.
   */
  public static org.medlake.platform.store.ConnectionSource connections(Path file) {
    return () ->
        DriverManager.getConnection("jdbc:sqlite:" + file + "?journal_mode=WAL&busy_timeout=60000");
  }

  public static void execute(Path file, String sql) throws SQLException {
    execute(file, List.of(sql));
  }

  public static void execute(Path file, List<String> statements) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  /**
   * Every row of the query, each as a list of its column values rendered as text (null stays null).
   */
  public static List<List<String>> query(Path file, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      ResultSetMetaData metadata = rows.getMetaData();
      List<List<String>> result = new ArrayList<>();
      while (rows.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= metadata.getColumnCount(); column++) {
          row.add(rows.getString(column));
        }
        result.add(row);
      }
      return result;
    }
  }

  public static List<String> tables(Path file) throws SQLException {
    return query(file, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").stream()
        .map(row -> row.get(0))
        .toList();
  }
}
