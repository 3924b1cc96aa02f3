package org.medlake.server.auth;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * A connection per operation to the platform database. SQLite connections are cheap, and the
 * server, the CLI and ingestion runs share the file across processes, so the database's own locks
 * (WAL, busy timeout) do the coordination.
 */
final class SqliteConnections {
  // fixed width, so that the text sorts in time order
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  private static final int SQLITE_BUSY = 5;
  private static final Duration WAL_SWITCH_TIMEOUT = Duration.ofSeconds(60);

  private final Path file;
  private final String url;
  private final AtomicBoolean closed = new AtomicBoolean();

  SqliteConnections(Path file) {
    this.file = requireNonNull(file, "file is null");
    // synchronous=NORMAL: in WAL mode a commit is durable against a process crash and the file
    // never corrupts; only a power loss can drop the last commits. FULL costs an fsync per audit event.
    this.url = "jdbc:sqlite:" + file + "?journal_mode=WAL&synchronous=NORMAL&busy_timeout=60000&foreign_keys=true";
  }

  Path file() {
    return file;
  }

  String url() {
    return url;
  }

  /**
   * Switches the file to WAL mode before anything else uses it. SQLite answers SQLITE_BUSY at once,
   * without waiting for the busy timeout, when two connections switch the same file concurrently
   * (say the server and a CLI command on their first start), so the switch is retried here.
   */
  void enableWriteAheadLog() throws SQLException {
    long deadline = System.nanoTime() + WAL_SWITCH_TIMEOUT.toNanos();
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file + "?busy_timeout=60000");
          Statement statement = connection.createStatement()) {
        statement.execute("PRAGMA journal_mode=WAL");
        return;
      } catch (SQLException e) {
        if (e.getErrorCode() != SQLITE_BUSY || System.nanoTime() > deadline) {
          throw e;
        }
      }
      try {
        Thread.sleep(ThreadLocalRandom.current().nextLong(5, 10 + Math.min(attempt, 20) * 5L));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Interrupted while opening platform database " + file, e);
      }
    }
  }

  Connection open() throws SQLException {
    if (closed.get()) {
      throw new MedlakeException(ErrorCode.INTERNAL_ERROR, "Platform database " + file + " is closed");
    }
    return DriverManager.getConnection(url);
  }

  void close() {
    closed.set(true);
  }

  MedlakeException storageError(String action, SQLException e) {
    return new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot " + action + " in platform database " + file + ": " + e.getMessage(), e);
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
