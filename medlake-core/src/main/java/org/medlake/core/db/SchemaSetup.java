package org.medlake.core.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs {@code CREATE ... IF NOT EXISTS} statements of a component that creates its own tables. On
 * PostgreSQL two sessions running the same {@code CREATE TABLE IF NOT EXISTS} at once can both
 * pass the check and one fails on the catalog's unique index, so there the statements run in one
 * transaction under an advisory lock. SQLite serializes them itself, but a connection that
 * meets a new database file being set up by another (its switch to WAL, its first tables) can get
 * {@code SQLITE_BUSY} at once, without its busy timeout (seen about once in 160 concurrent
 * first opens): there a statement is retried, which {@code IF NOT EXISTS} makes safe.
 */
public final class SchemaSetup {
  private SchemaSetup() {}

  private static final int BUSY_ATTEMPTS = 50;

  /**
   * A connection to the SQLite database {@code file} (created if missing) in WAL mode with a busy
   * timeout. The switch to WAL is a statement of its own, retried while busy: given in the URL, it
   * runs inside the driver's connect, where a concurrent first open of the same file fails it at once.
   */
  public static Connection openSqlite(java.nio.file.Path file) throws SQLException {
    Connection connection = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file + "?busy_timeout=60000");
    try (Statement statement = connection.createStatement()) {
      executeRetryingBusy(statement, "PRAGMA journal_mode = WAL");
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  /** Runs an idempotent SQLite statement, again after a short pause while the database is busy. */
  private static void executeRetryingBusy(Statement statement, String sql) throws SQLException {
    for (int attempt = 1; ; attempt++) {
      try {
        statement.execute(sql);
        return;
      } catch (SQLException e) {
        boolean busy = e.getErrorCode() == 5 || String.valueOf(e.getMessage()).contains("SQLITE_BUSY");
        if (!busy || attempt == BUSY_ATTEMPTS) {
          throw e;
        }
        try {
          Thread.sleep(Math.min(200, 10L * attempt));
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  public static void run(Connection connection, String... statements) throws SQLException {
    boolean postgres = "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
    boolean autoCommit = connection.getAutoCommit();
    try (Statement statement = connection.createStatement()) {
      if (postgres) {
        connection.setAutoCommit(false);
        statement.execute("SELECT pg_advisory_xact_lock(hashtext('medlake schema set-up'))");
      }
      for (String sql : statements) {
        if (postgres) {
          statement.execute(sql);
        } else {
          executeRetryingBusy(statement, sql);
        }
      }
      if (postgres) {
        connection.commit();
      }
    } catch (SQLException e) {
      if (postgres) {
        connection.rollback();
      }
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }
}
