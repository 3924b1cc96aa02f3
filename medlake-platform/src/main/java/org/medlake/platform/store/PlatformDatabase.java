package org.medlake.platform.store;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.PlatformConfig;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;

/**
 * The platform database (SQLite in the embedded profile, PostgreSQL in the distributed one): users,
 * API tokens, ingestion runs, dashboards and the audit log, each behind its store interface, over
 * one HikariCP pool. Opening it applies pending Flyway migrations: {@code db/platform/common} (SQL
 * both databases accept), {@code db/platform/sqlite} or {@code db/platform/postgresql} (where the
 * SQL differs) and {@link IngestRunsMigration}.
 */
public final class PlatformDatabase implements AutoCloseable {
  /**
   * Flyway's history table; its own name, because other components keep tables in the same file.
   */
  public static final String SCHEMA_HISTORY_TABLE = "platform_schema_history";

  /** Migrations whose SQL both databases accept; each database's own ones beside them. */
  static final String COMMON_MIGRATIONS = "classpath:db/platform/common";

  static final String SQLITE_MIGRATIONS = "classpath:db/platform/sqlite";
  static final String POSTGRESQL_MIGRATIONS = "classpath:db/platform/postgresql";

  private final PlatformConnections connections;
  private final UserStore users;
  private final TokenStore tokens;
  private final RunLedger runs;
  private final DashboardStore dashboards;

  private PlatformDatabase(PlatformConnections connections, Clock clock) {
    this.connections = requireNonNull(connections, "connections is null");
    PasswordHasher hasher = new PasswordHasher();
    JdbcUserStore userStore = new JdbcUserStore(connections, hasher, clock);
    this.users = userStore;
    this.tokens = new JdbcTokenStore(connections, userStore, clock);
    this.runs = new JdbcRunLedger(connections, () -> {});
    this.dashboards = new JdbcDashboardStore(connections, clock);
  }

  /** The database's connections, for the stores of this package and their tests. */
  PlatformConnections connections() {
    return connections;
  }

  /** The home's {@code platform.db}, or the PostgreSQL database of {@code platform.jdbc-url}. */
  public static PlatformDatabase open(MedlakeHome home) {
    return open(home, Clock.systemUTC());
  }

  public static PlatformDatabase open(MedlakeHome home, Clock clock) {
    PlatformConfig platform = home.config().platform();
    if (!platform.postgres()) {
      return open(home.platformDatabase(), clock);
    }
    PlatformConnections connections =
        PlatformConnections.postgres(
            platform.jdbcUrl().orElseThrow(), platform.connectionProperties());
    migrate(connections);
    return new PlatformDatabase(connections, clock);
  }

  public static PlatformDatabase open(Path sqliteFile) {
    return open(sqliteFile, Clock.systemUTC());
  }

  public static PlatformDatabase open(Path sqliteFile, Clock clock) {
    requireNonNull(sqliteFile, "sqliteFile is null");
    requireNonNull(clock, "clock is null");
    PlatformConnections connections =
        new PlatformConnections(sqliteFile.toAbsolutePath().normalize());
    migrate(connections);
    return new PlatformDatabase(connections, clock);
  }

  private static void migrate(PlatformConnections connections) {
    try {
      connections.enableWriteAheadLog();
    } catch (SQLException e) {
      throw connections.storageError("enable WAL mode", e);
    }
    var configuration = Flyway.configure(PlatformDatabase.class.getClassLoader());
    if (connections.sqlite()) {
      // IMMEDIATE: a migration takes SQLite's write lock when its transaction begins, so that two
      // processes opening a fresh file wait for each other (busy timeout) instead of failing with
      // SQLITE_BUSY_SNAPSHOT, and the second one then finds the migration applied
      configuration
          .dataSource(connections.url() + "&transaction_mode=IMMEDIATE", null, null)
          .locations(COMMON_MIGRATIONS, SQLITE_MIGRATIONS);
    } else {
      configuration
          .dataSource(
              connections.url(),
              connections.properties().getProperty("user"),
              connections.properties().getProperty("password"))
          .locations(COMMON_MIGRATIONS, POSTGRESQL_MIGRATIONS);
    }
    configuration
        .loggers("slf4j")
        .failOnMissingLocations(true)
        .javaMigrations(new IngestRunsMigration())
        .table(SCHEMA_HISTORY_TABLE)
        // the database may already hold tables created outside Flyway (ingest_runs by the run
        // ledger
        // before V3, the link vault's): record a baseline below V1 so that V1 still runs
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .baselineDescription("tables created outside Flyway")
        .cleanDisabled(true);
    // On PostgreSQL servers starting at once are serialized by an advisory lock held for the whole
    // migration: Flyway's own lock does not cover creating and baselining its history table, and a
    // second server then found the table "already exists, and is empty"
    try (Connection lock = connections.sqlite() ? null : connections.openUnpooled()) {
      if (lock != null) {
        try (Statement statement = lock.createStatement()) {
          statement.execute("SELECT pg_advisory_lock(hashtext('medlake platform migration'))");
        }
      }
      if (lock == null) {
        migrateSqlite(configuration, java.nio.file.Path.of(connections.name() + ".migration-lock"));
      } else {
        configuration.load().migrate();
      }
    } catch (java.io.IOException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot lock platform database "
              + connections.name()
              + " for its migration: "
              + e.getMessage(),
          e);
    } catch (SQLException e) {
      throw connections.storageError("lock for migration", e);
    } catch (FlywayException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot migrate platform database "
              + connections.name()
              + ": "
              + String.valueOf(e.getMessage()).lines().findFirst().orElse(""),
          e);
    }
  }

  /**
   * Serializes migrations of SQLite files within this JVM; {@link #migrateSqlite} adds a file lock
   * for other processes.
   */
  private static final Object SQLITE_MIGRATION = new Object();

  /**
   * Migrates a SQLite platform database while holding a lock on {@code lockFile}, a file beside it:
   * Flyway creates its history table and baselines it in separate transactions, and a second
   * process (or thread) opening the fresh file between the two found the table "already exists, and
   * is empty". The lock is a file of its own: a Java lock on the database file would release
   * SQLite's own locks of this process when its channel closes.
   */
  private static void migrateSqlite(
      org.flywaydb.core.api.configuration.FluentConfiguration configuration,
      java.nio.file.Path lockFile)
      throws java.io.IOException {
    synchronized (SQLITE_MIGRATION) {
      try (java.nio.channels.FileChannel channel =
              java.nio.channels.FileChannel.open(
                  lockFile,
                  java.nio.file.StandardOpenOption.CREATE,
                  java.nio.file.StandardOpenOption.WRITE);
          java.nio.channels.FileLock ignored = channel.lock()) {
        configuration.load().migrate();
      }
    }
  }

  public UserStore users() {
    return users;
  }

  public TokenStore tokens() {
    return tokens;
  }

  /** The saved dashboards with their versions. */
  public DashboardStore dashboards() {
    return dashboards;
  }

  /** The ingestion runs, in the same database; closing the ledger leaves the database open. */
  public RunLedger runs() {
    return runs;
  }

  /** The ingestion runs as a ledger that closes this database when it is closed. */
  RunLedger ownedRuns() {
    return new JdbcRunLedger(connections, this::close);
  }

  /** The append-only audit log, in the same file. */
  public AuditLog audit() {
    return AuditLog.jdbc(connections.name(), connections::open);
  }

  @Override
  public void close() {
    connections.close();
  }
}
