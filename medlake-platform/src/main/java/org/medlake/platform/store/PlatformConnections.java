package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.medlake.core.config.PlatformConfig;
import org.medlake.core.db.SqliteFiles;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * The platform database's connections, from a HikariCP pool: a store borrows one per operation and
 * returns it. The server, the CLI and ingestion runs share an SQLite file across processes, so the
 * database's own locks (WAL, busy timeout) do the coordination; on PostgreSQL (the distributed
 * profile) the same SQL runs against a database every machine shares.
 */
final class PlatformConnections {
  /**
   * Connections a process holds at most. The audit writer keeps one for its group commits; the
   * others serve requests. SQLite writes one transaction at a time anyway, so more would only wait.
   */
  private static final int SQLITE_POOL_SIZE = 4;

  private static final int POSTGRESQL_POOL_SIZE = 8;
  private static final long CONNECTION_TIMEOUT_MS = 5_000;

  // fixed width, so that the text sorts in time order
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final String name;
  private final String url;
  private final Properties properties;
  private final boolean sqlite;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Created at the first connection, after the migration has switched an SQLite file to WAL mode.
   */
  private HikariDataSource pool;

  private PlatformConnections(String name, String url, Properties properties, boolean sqlite) {
    this.name = requireNonNull(name, "name is null");
    this.url = requireNonNull(url, "url is null");
    this.properties = requireNonNull(properties, "properties is null");
    this.sqlite = sqlite;
  }

  PlatformConnections(Path file) {
    // synchronous=NORMAL: in WAL mode a commit is durable against a process crash and the file
    // never corrupts; only a power loss can drop the last commits. FULL costs an fsync per audit
    // event.
    this(
        file.toString(),
        "jdbc:sqlite:"
            + file
            + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=60000&foreign_keys=true",
        new Properties(),
        true);
  }

  /** A PostgreSQL platform database; {@code properties} hold the user and password. */
  static PlatformConnections postgres(String url, Properties properties) {
    return new PlatformConnections(PlatformConfig.shown(url), url, properties, false);
  }

  /** The file or URL, for messages. */
  String name() {
    return name;
  }

  String url() {
    return url;
  }

  Properties properties() {
    return properties;
  }

  boolean sqlite() {
    return sqlite;
  }

  /**
   * Switches an SQLite file to WAL mode before anything else uses it ({@link
   * SqliteFiles#enableWriteAheadLog}).
   */
  void enableWriteAheadLog() throws SQLException {
    if (sqlite) {
      SqliteFiles.enableWriteAheadLog(Path.of(name));
    }
  }

  Connection open() throws SQLException {
    if (closed.get()) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "Platform database " + name + " is closed");
    }
    return pool().getConnection();
  }

  /**
   * A connection of its own, outside the pool, for a session-level lock that must end when the
   * connection closes (a pooled connection would keep it after its return).
   */
  Connection openUnpooled() throws SQLException {
    return DriverManager.getConnection(url, properties);
  }

  private synchronized HikariDataSource pool() {
    if (pool == null) {
      HikariConfig config = new HikariConfig();
      config.setPoolName("medlake-platform");
      config.setJdbcUrl(url);
      config.setDataSourceProperties(properties);
      config.setMaximumPoolSize(sqlite ? SQLITE_POOL_SIZE : POSTGRESQL_POOL_SIZE);
      // short-lived CLI processes open one connection, not the whole pool
      config.setMinimumIdle(1);
      // no connection at construction: a failure surfaces at the operation that needed it, in its
      // message
      config.setInitializationFailTimeout(-1);
      // a database that is down fails the operation after this long, not Hikari's default 30 s
      config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
      pool = new HikariDataSource(config);
    }
    return pool;
  }

  synchronized void close() {
    closed.set(true);
    if (pool != null) {
      pool.close();
    }
  }

  MedlakeException storageError(String action, SQLException e) {
    return new MedlakeException(
        ErrorCode.STORAGE_ERROR,
        "Cannot " + action + " in platform database " + name + ": " + message(e),
        e);
  }

  /**
   * The driver's message; for the pool's "Connection is not available" the reason it could not open
   * one.
   */
  static String message(SQLException e) {
    if (e instanceof SQLTransientConnectionException
        && e.getCause() != null
        && e.getCause().getMessage() != null) {
      return e.getCause().getMessage();
    }
    return e.getMessage();
  }

  static String format(Instant instant) {
    return TIMESTAMP.format(instant);
  }

  static Instant parse(String text) {
    return Instant.parse(text);
  }

  /** Stored timestamps have microsecond precision; values handed out are truncated the same way. */
  static Instant truncate(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS);
  }
}
