package org.medlake.platform.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.Context;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * V4: the columns an {@code ingest_runs} table of an older layout lacks. Before Flyway the run
 * ledger created its tables itself and added columns under a lock when it found an older layout, so
 * V3's {@code CREATE TABLE IF NOT EXISTS} may have found any of those layouts. SQLite has no {@code
 * ADD COLUMN IF NOT EXISTS}, hence one Java migration for both databases.
 */
final class IngestRunsMigration implements JavaMigration {
  /**
   * Columns the ledger added after its first layout, with their definitions (the counts empty for
   * old runs).
   */
  private static final List<String> ADDED_COLUMNS =
      List.of(
          "flagged_by_reason TEXT NOT NULL DEFAULT '{}'",
          "unmapped_codes TEXT NOT NULL DEFAULT '{}'",
          "mapping_sha256 TEXT NOT NULL DEFAULT ''",
          "superseded_by TEXT",
          "owner TEXT");

  @Override
  public MigrationVersion getVersion() {
    return MigrationVersion.fromVersion("4");
  }

  @Override
  public String getDescription() {
    return "ingest runs columns added before flyway";
  }

  @Override
  public Integer getChecksum() {
    return null;
  }

  @Override
  public boolean canExecuteInTransaction() {
    return true;
  }

  @Override
  public void migrate(Context context) throws SQLException {
    Connection connection = context.getConnection();
    try (Statement statement = connection.createStatement()) {
      Set<String> present = columns(statement);
      for (String added : ADDED_COLUMNS) {
        if (!present.contains(added.substring(0, added.indexOf(' ')))) {
          statement.execute("ALTER TABLE ingest_runs ADD COLUMN " + added);
        }
      }
    }
  }

  private static Set<String> columns(Statement statement) throws SQLException {
    Set<String> present = new HashSet<>();
    try (ResultSet none = statement.executeQuery("SELECT * FROM ingest_runs WHERE 1 = 0")) {
      for (int column = 1; column <= none.getMetaData().getColumnCount(); column++) {
        present.add(none.getMetaData().getColumnName(column).toLowerCase(Locale.ROOT));
      }
    }
    return present;
  }
}
