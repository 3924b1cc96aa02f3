package org.medlake.core.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs {@code CREATE ... IF NOT EXISTS} statements of a component that creates its own tables. On
 * PostgreSQL two sessions running the same {@code CREATE TABLE IF NOT EXISTS} at once can both
 * pass the check and one fails on the catalog's unique index, so there the statements run in one
 * transaction under an advisory lock; SQLite serializes them itself.
 */
public final class SchemaSetup {
  private SchemaSetup() {}

  public static void run(Connection connection, String... statements) throws SQLException {
    boolean postgres = "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
    boolean autoCommit = connection.getAutoCommit();
    try (Statement statement = connection.createStatement()) {
      if (postgres) {
        connection.setAutoCommit(false);
        statement.execute("SELECT pg_advisory_xact_lock(hashtext('medlake schema set-up'))");
      }
      for (String sql : statements) {
        statement.execute(sql);
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
