package org.medlake.core.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs {@code CREATE ... IF NOT EXISTS} statements of a component that creates its own tables. On
 * PostgreSQL two sessions running the same {@code CREATE TABLE IF NOT EXISTS} at once can both pass
 * the check and one fails on the catalog's unique index, so there the statements run in one
 * transaction under an advisory lock; SQLite serializes them itself.
 */
public final class SchemaSetup {
  private SchemaSetup() {}

  /**
   * Schema work that reads before it writes, such as moving rows from an old layout to a new one.
   */
  @FunctionalInterface
  public interface Work {
    void run(Statement statement) throws SQLException;
  }

  public static void run(Connection connection, String... statements) throws SQLException {
    Work work =
        statement -> {
          for (String sql : statements) {
            statement.execute(sql);
          }
        };
    if (postgres(connection)) {
      locked(connection, work);
      return;
    }
    try (Statement statement = connection.createStatement()) {
      work.run(statement);
    }
  }

  /**
   * Runs {@code work} in one transaction that no other session's schema work interleaves with:
   * under PostgreSQL's advisory lock, or SQLite's write lock taken at the start ({@code BEGIN
   * IMMEDIATE}), so that a check such as "does the old table still exist" stays true until the
   * transaction ends.
   */
  public static void locked(Connection connection, Work work) throws SQLException {
    boolean postgres = postgres(connection);
    boolean autoCommit = connection.getAutoCommit();
    try (Statement statement = connection.createStatement()) {
      if (postgres) {
        connection.setAutoCommit(false);
        statement.execute("SELECT pg_advisory_xact_lock(hashtext('medlake schema set-up'))");
      } else {
        connection.setAutoCommit(true);
        statement.execute("BEGIN IMMEDIATE");
      }
      try {
        work.run(statement);
        if (postgres) {
          connection.commit();
        } else {
          statement.execute("COMMIT");
        }
      } catch (SQLException | RuntimeException e) {
        if (postgres) {
          connection.rollback();
        } else {
          statement.execute("ROLLBACK");
        }
        throw e;
      }
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private static boolean postgres(Connection connection) throws SQLException {
    return "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
  }
}
