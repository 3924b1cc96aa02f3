package org.medlake.server.auth;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.server.audit.AuditLog;

/**
 * The platform database (SQLite in the embedded profile) with the server's users and API tokens.
 * Opening it applies pending schema migrations from {@code db/platform} on the class path.
 */
public final class PlatformDatabase implements AutoCloseable {
  /** Flyway's history table; its own name, because other components keep tables in the same file. */
  public static final String SCHEMA_HISTORY_TABLE = "platform_schema_history";
  static final String MIGRATIONS = "classpath:db/platform";

  private final SqliteConnections connections;
  private final UserStore users;
  private final TokenStore tokens;

  private PlatformDatabase(SqliteConnections connections, Clock clock) {
    this.connections = requireNonNull(connections, "connections is null");
    PasswordHasher hasher = new PasswordHasher();
    SqliteUserStore userStore = new SqliteUserStore(connections, hasher, clock);
    this.users = userStore;
    this.tokens = new SqliteTokenStore(connections, userStore, clock);
  }

  public static PlatformDatabase open(Path sqliteFile) {
    return open(sqliteFile, Clock.systemUTC());
  }

  public static PlatformDatabase open(Path sqliteFile, Clock clock) {
    requireNonNull(sqliteFile, "sqliteFile is null");
    requireNonNull(clock, "clock is null");
    SqliteConnections connections = new SqliteConnections(sqliteFile.toAbsolutePath().normalize());
    migrate(connections);
    return new PlatformDatabase(connections, clock);
  }

  private static void migrate(SqliteConnections connections) {
    try {
      connections.enableWriteAheadLog();
    } catch (SQLException e) {
      throw connections.storageError("enable WAL mode", e);
    }
    try {
      Flyway.configure(PlatformDatabase.class.getClassLoader())
          // IMMEDIATE: a migration takes SQLite's write lock when its transaction begins, so that two
          // processes opening a fresh file wait for each other (busy timeout) instead of failing with
          // SQLITE_BUSY_SNAPSHOT, and the second one then finds the migration applied
          .dataSource(connections.url() + "&transaction_mode=IMMEDIATE", null, null)
          .loggers("slf4j")
          .locations(MIGRATIONS)
          .failOnMissingLocations(true)
          .table(SCHEMA_HISTORY_TABLE)
          // the file may already hold tables created outside Flyway (ingest_runs by the RunLedger):
          // record a baseline below V1 so that V1 still runs
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .baselineDescription("tables created outside Flyway")
          .cleanDisabled(true)
          .load()
          .migrate();
    } catch (FlywayException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR,
          "Cannot migrate platform database " + connections.file() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""), e);
    }
  }

  public UserStore users() {
    return users;
  }

  public TokenStore tokens() {
    return tokens;
  }

  /** The append-only audit log, in the same file. */
  public AuditLog audit() {
    return AuditLog.sqlite(connections.file(), connections::open);
  }

  @Override
  public void close() {
    connections.close();
  }
}
