package org.medlake.lake;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/** Opens in-process DuckDB connections configured the way medlake needs them. */
public final class DuckDb {
  private DuckDb() {}

  /**
   * An in-memory DuckDB for one unit of work: UTC session time zone (timestamps are stored as UTC
   * wall time), extension autoloading off (nothing is downloaded), bounded memory with spilling to
   * {@code temporaryDirectory}.
   */
  public static Connection open(String memoryLimit, int threads, Path temporaryDirectory) {
    return open("", memoryLimit, threads, temporaryDirectory, false);
  }

  /**
   * As {@link #open}, with results streamed to the JDBC client chunk by chunk instead of being
   * materialized first: for results read once, front to back, that may be larger than memory.
   */
  public static Connection openStreaming(String memoryLimit, int threads, Path temporaryDirectory) {
    return open("", memoryLimit, threads, temporaryDirectory, true);
  }

  private static Connection open(
      String database,
      String memoryLimit,
      int threads,
      Path temporaryDirectory,
      boolean streamResults) {
    try {
      Properties properties = new Properties();
      properties.setProperty("autoinstall_known_extensions", "false");
      properties.setProperty("autoload_known_extensions", "false");
      if (streamResults) {
        properties.setProperty("jdbc_stream_results", "true");
      }
      Connection connection = DriverManager.getConnection("jdbc:duckdb:" + database, properties);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SET TimeZone = 'UTC'");
        statement.execute("SET memory_limit = '" + memoryLimit.replace("'", "") + "'");
        statement.execute("SET threads = " + threads);
        statement.execute(
            "SET temp_directory = '" + temporaryDirectory.toString().replace("'", "''") + "'");
        statement.execute("SET preserve_insertion_order = true");
      }
      return connection;
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "Cannot start DuckDB: " + e.getMessage(), e);
    }
  }

  /** Quotes a string as a SQL literal. */
  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
