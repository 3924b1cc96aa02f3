package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
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
 * A connection per operation to the platform database. SQLite connections are cheap, and the
 * server, the CLI and ingestion runs share the file across processes, so the database's own locks
 * (WAL, busy timeout) do the coordination. On PostgreSQL (the distributed profile) the same SQL
 * runs against a database every machine shares.
 */
final class PlatformConnections {
  // fixed width, so that the text sorts in time order
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private final String name;
  private final String url;
  private final Properties properties;
  private final boolean sqlite;
  private final AtomicBoolean closed = new AtomicBoolean();

  private PlatformConnections(String name, String url, Properties properties, boolean sqlite) {
    this.name = requireNonNull(name, "name is null");
    this.url = requireNonNull(url, "url is null");
    this.properties = requireNonNull(properties, "properties is null");
    this.sqlite = sqlite;
  }

  PlatformConnections(Path file) {
    // synchronous=NORMAL: in WAL mode a commit is durable against a process crash and the file
    // never corrupts; only a power loss can drop the last commits. FULL costs an fsync per audit event.
    this(file.toString(), "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=60000&foreign_keys=true",
        new Properties(), true);
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

  /** Switches an SQLite file to WAL mode before anything else uses it ({@link SqliteFiles#enableWriteAheadLog}). */
  void enableWriteAheadLog() throws SQLException {
    if (sqlite) {
      SqliteFiles.enableWriteAheadLog(Path.of(name));
    }
  }

  Connection open() throws SQLException {
    if (closed.get()) {
      throw new MedlakeException(ErrorCode.INTERNAL_ERROR, "Platform database " + name + " is closed");
    }
    return DriverManager.getConnection(url, properties);
  }

  void close() {
    closed.set(true);
  }

  MedlakeException storageError(String action, SQLException e) {
    return new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot " + action + " in platform database " + name + ": " + e.getMessage(), e);
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
