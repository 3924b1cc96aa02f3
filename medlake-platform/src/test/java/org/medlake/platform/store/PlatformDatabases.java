package org.medlake.platform.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.medlake.core.config.MedlakeHome;
import org.medlake.testkit.PostgresServer;

/**
 * A fresh platform database of either kind for store tests that run against both
 * ({@code @ParameterizedClass @ValueSource(strings = {"sqlite", "postgresql"})}): an SQLite file,
 * or a new database on one real PostgreSQL server that the test JVM starts at first use and stops
 * at exit.
 */
final class PlatformDatabases {
  static final String SQLITE = "sqlite";
  static final String POSTGRESQL = "postgresql";

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer postgres;

  private final Path sqliteFile;
  private final MedlakeHome postgresHome;
  private final String url;

  private PlatformDatabases(Path sqliteFile, MedlakeHome postgresHome, String url) {
    this.sqliteFile = sqliteFile;
    this.postgresHome = postgresHome;
    this.url = url;
  }

  /**
   * A new, empty database of {@code kind}; {@code directory} holds the SQLite file or the home
   * naming PostgreSQL.
   */
  static PlatformDatabases create(String kind, Path directory) {
    if (kind.equals(SQLITE)) {
      return new PlatformDatabases(directory.resolve("platform.db"), null, null);
    }
    try {
      String url = server().createDatabase("store_" + DATABASES.incrementAndGet());
      Path root = directory.resolve("home");
      Files.createDirectories(root);
      Files.writeString(
          root.resolve("medlake.yaml"),
          """
          platform:
            jdbc-url: %s
            jdbc-user: %s
          """
              .formatted(url, PostgresServer.USER));
      return new PlatformDatabases(null, MedlakeHome.open(root), url);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create a PostgreSQL database: " + e.getMessage(), e);
    }
  }

  private static synchronized PostgresServer server() throws IOException {
    if (postgres == null) {
      try {
        postgres = PostgresServer.start();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting PostgreSQL", e);
      }
      PostgresServer started = postgres;
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      started.close();
                    } catch (IOException | InterruptedException e) {
                      // the JVM is ending; the server's directory is a temporary one
                    }
                  }));
    }
    return postgres;
  }

  /** Opens (and migrates) the database; each call is a new pool, as a new process would have. */
  PlatformDatabase open(Clock clock) {
    return sqliteFile != null
        ? PlatformDatabase.open(sqliteFile, clock)
        : PlatformDatabase.open(postgresHome, clock);
  }

  /** Every row of {@code sql}, each value as text (null stays null), read past the stores. */
  List<List<String>> query(String sql) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<List<String>> result = new ArrayList<>();
      int columns = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= columns; column++) {
          row.add(rows.getString(column));
        }
        result.add(row);
      }
      return result;
    }
  }

  /** A new connection per call, past the pool, as {@link JdbcAuditLog} takes them. */
  ConnectionSource connections() {
    return this::connect;
  }

  /** The SQLite file, or the home naming PostgreSQL: what another process opens it by. */
  Path location() {
    return sqliteFile != null ? sqliteFile : postgresHome.root();
  }

  /** The file or URL, as the stores name the database in messages. */
  String name() {
    return sqliteFile != null ? sqliteFile.toString() : url;
  }

  void execute(String sql) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private Connection connect() throws SQLException {
    return sqliteFile != null
        ? DriverManager.getConnection("jdbc:sqlite:" + sqliteFile)
        : DriverManager.getConnection(url, PostgresServer.USER, "");
  }
}
