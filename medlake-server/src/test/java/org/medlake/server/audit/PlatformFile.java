package org.medlake.server.audit;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Direct SQL on a platform database file, to look at (and tamper with) what the audit log wrote. */
final class PlatformFile {
  private PlatformFile() {}

  /** Connections like the server's own: WAL mode and a busy timeout, so that concurrent writers wait. */
  static ConnectionSource connections(Path file) {
    return () -> DriverManager.getConnection("jdbc:sqlite:" + file + "?journal_mode=WAL&busy_timeout=60000");
  }

  static void execute(Path file, String sql) throws SQLException {
    try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  /** Every row of the query, each as a list of its column values rendered as text (null stays null). */
  static List<List<String>> query(Path file, String sql) throws SQLException {
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
}
