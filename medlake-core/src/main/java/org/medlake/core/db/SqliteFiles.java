package org.medlake.core.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/** SQLite database files that several processes share: the platform database and the link vault. */
public final class SqliteFiles {
  private static final int SQLITE_BUSY = 5;
  private static final Duration WAL_SWITCH_TIMEOUT = Duration.ofSeconds(60);

  private SqliteFiles() {}

  /**
   * A connection to {@code file} (created if missing) in WAL mode, with a busy timeout. The switch
   * to WAL is made first, on its own: given in the URL, it runs inside the driver's connect.
   */
  public static Connection open(Path file) throws SQLException {
    return open(file, 0);
  }

  /**
   * As {@link #open(Path)}; a file created here gets pages of {@code pageSize} bytes (0: SQLite's
   * default). A file that exists keeps its page size.
   */
  public static Connection open(Path file, int pageSize) throws SQLException {
    enableWriteAheadLog(file, pageSize);
    return DriverManager.getConnection("jdbc:sqlite:" + file + "?busy_timeout=60000");
  }

  /**
   * Switches the file to WAL mode (it stays so) before anything else uses it. SQLite answers
   * SQLITE_BUSY at once, without waiting for the busy timeout, when two connections switch the same
   * file concurrently (say the server and a CLI command on their first start, or two ingests), so
   * the switch is retried.
   */
  public static void enableWriteAheadLog(Path file) throws SQLException {
    enableWriteAheadLog(file, 0);
  }

  private static void enableWriteAheadLog(Path file, int pageSize) throws SQLException {
    long deadline = System.nanoTime() + WAL_SWITCH_TIMEOUT.toNanos();
    for (int attempt = 1; ; attempt++) {
      try (Connection connection =
              DriverManager.getConnection("jdbc:sqlite:" + file + "?busy_timeout=60000");
          Statement statement = connection.createStatement()) {
        if (pageSize > 0) {
          // before the switch: a file's first write fixes its page size, and in WAL mode it stays
          statement.execute("PRAGMA page_size=" + pageSize);
        }
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
        throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Interrupted while opening " + file, e);
      }
    }
  }
}
