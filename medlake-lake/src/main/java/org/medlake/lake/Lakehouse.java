package org.medlake.lake;

import static java.util.Objects.requireNonNull;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.BaseMetastoreCatalog;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.aws.AwsClientProperties;
import org.apache.iceberg.aws.AwsProperties;
import org.apache.iceberg.aws.glue.GlueCatalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.medlake.core.config.CatalogConfig;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.PlatformConfig;
import org.medlake.core.contract.LabResults;
import org.medlake.core.contract.TableContract;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.NotFoundException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Iceberg catalog of one medlake home and its tables: JdbcCatalog on SQLite (embedded) or
 * PostgreSQL, over a local warehouse or an S3-compatible object store, or GlueCatalog (the AWS Glue
 * Data Catalog, which Athena reads) over S3 ({@code catalog.*} settings).
 */
public final class Lakehouse implements Closeable {
  private final BaseMetastoreCatalog catalog;
  private final MedlakeHome home;
  private static final Logger LOG = LoggerFactory.getLogger(Lakehouse.class);

  private final Warehouse warehouse;

  private Lakehouse(BaseMetastoreCatalog catalog, MedlakeHome home, Warehouse warehouse) {
    this.catalog = requireNonNull(catalog, "catalog is null");
    this.home = requireNonNull(home, "home is null");
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
  }

  public static Lakehouse open(MedlakeHome home) {
    CatalogConfig config = home.config().catalog();
    if (config.glue()) {
      return openGlue(home, config);
    }
    Map<String, String> properties = new HashMap<>();
    if (config.jdbcUrl().isPresent()) {
      properties.put(CatalogProperties.URI, config.jdbcUrl().get());
      config
          .jdbcUser()
          .ifPresent(user -> properties.put(JdbcCatalog.PROPERTY_PREFIX + "user", user));
      home.environment()
          .get(CatalogConfig.PASSWORD_ENVIRONMENT_VARIABLE)
          .ifPresent(
              password -> properties.put(JdbcCatalog.PROPERTY_PREFIX + "password", password));
    } else {
      // WAL and a busy timeout let several processes commit to one SQLite catalog.
      properties.put(
          CatalogProperties.URI,
          "jdbc:sqlite:" + home.catalogDatabase() + "?journal_mode=WAL&busy_timeout=60000");
    }
    properties.put("jdbc.schema-version", "V1");
    Warehouse warehouse = Warehouse.of(home);
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse.location());
    properties.putAll(warehouse.fileIoProperties());
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.setConf(new Configuration(false));
    // JdbcCatalog creates and upgrades its own tables on initialize, which races when two processes
    // open a new catalog at once: a file lock (SQLite, one machine) or a PostgreSQL advisory lock
    // (several machines) serializes the set-up, not the commits; threads of this JVM (two Spark
    // tasks in one executor) first take an in-process lock, since one JVM cannot hold a file lock
    // twice
    Path lockFile = home.root().resolve("catalog.lock");
    ReentrantLock inProcess = SETUP_LOCKS.computeIfAbsent(lockFile, ignored -> new ReentrantLock());
    inProcess.lock();
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock ignored = channel.lock();
        Connection ignoredToo =
            config
                .jdbcUrl()
                .filter(url -> url.startsWith("jdbc:postgresql:"))
                .map(url -> setupLock(url, properties))
                .orElse(null)) {
      catalog.initialize(config.name(), properties);
      Lakehouse lakehouse = new Lakehouse(catalog, home, warehouse);
      lakehouse.ensureTable(LabResults.CONTRACT);
      lakehouse.ensureTable(LabResults.REJECTS_CONTRACT);
      return lakehouse;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot lock " + lockFile, e);
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR, "Cannot release the catalog set-up lock: " + e.getMessage(), e);
    } finally {
      inProcess.unlock();
    }
  }

  /**
   * Tables in the AWS Glue Data Catalog (database {@code medlake}, which Athena reads) over the S3
   * warehouse. Glue's optimistic {@code VersionId} check on every {@code UpdateTable} serializes
   * commits of all processes and machines, so no set-up lock is needed: a table or database created
   * by another process first is simply used.
   */
  private static Lakehouse openGlue(MedlakeHome home, CatalogConfig config) {
    Warehouse warehouse = Warehouse.of(home);
    Map<String, String> properties = new HashMap<>(warehouse.fileIoProperties());
    properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse.location());
    config
        .glueEndpoint()
        .ifPresent(url -> properties.put(AwsProperties.GLUE_CATALOG_ENDPOINT, url));
    config
        .s3()
        .region()
        .ifPresent(region -> properties.put(AwsClientProperties.CLIENT_REGION, region));
    GlueCatalog catalog = new GlueCatalog();
    catalog.setConf(new Configuration(false));
    Lakehouse lakehouse = new Lakehouse(catalog, home, warehouse);
    try {
      lakehouse.requireCatalogReachable("opening the catalog");
      catalog.initialize(config.name(), properties);
    } catch (RuntimeException e) {
      // a catalog that never initialized has nothing to close
      warehouse.close();
      throw lakehouse.unreachable(e, "opening the catalog");
    }
    try {
      lakehouse.ensureTable(LabResults.CONTRACT);
      lakehouse.ensureTable(LabResults.REJECTS_CONTRACT);
      return lakehouse;
    } catch (RuntimeException e) {
      lakehouse.close();
      throw lakehouse.unreachable(e, "opening the catalog");
    }
  }

  /** The in-process half of the set-up lock, one per home's lock file. */
  private static final ConcurrentMap<Path, ReentrantLock> SETUP_LOCKS = new ConcurrentHashMap<>();

  /** A session holding the catalog's set-up lock; closing it releases the lock. */
  private static Connection setupLock(String url, Map<String, String> properties) {
    Properties connectionProperties = new Properties();
    Optional.ofNullable(properties.get(JdbcCatalog.PROPERTY_PREFIX + "user"))
        .ifPresent(user -> connectionProperties.setProperty("user", user));
    Optional.ofNullable(properties.get(JdbcCatalog.PROPERTY_PREFIX + "password"))
        .ifPresent(password -> connectionProperties.setProperty("password", password));
    try {
      Connection connection = DriverManager.getConnection(url, connectionProperties);
      try (Statement statement = connection.createStatement()) {
        statement.execute("SELECT pg_advisory_lock(hashtext('medlake catalog set-up'))");
      }
      return connection;
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot connect to the catalog database "
              + PlatformConfig.shown(url)
              + ": "
              + e.getMessage(),
          e);
    }
  }

  public Table table(String name) {
    TableIdentifier identifier = TableIdentifier.of(Namespace.of(LabResults.NAMESPACE), name);
    String operation = "loading table " + identifier;
    requireCatalogReachable(operation);
    warehouse.requireReachable(operation);
    try {
      if (!catalog.tableExists(identifier)) {
        throw new NotFoundException("Table " + name + " does not exist");
      }
      return catalog.loadTable(identifier);
    } catch (RuntimeException e) {
      throw unreachable(e, operation);
    }
  }

  /**
   * Fails at once, naming the Glue endpoint and {@code operation}, when the Glue endpoint (with
   * {@code catalog.type: glue} and {@code catalog.glue-endpoint} set) does not accept connections,
   * as {@link Warehouse#requireReachable} does for the object store: otherwise the Glue client's
   * and Iceberg's retries take minutes to give up.
   */
  private void requireCatalogReachable(String operation) {
    Optional<String> endpoint = home.config().catalog().glueEndpoint();
    if (endpoint.isEmpty()
        || System.getProperty("http.proxyHost") != null
        || System.getProperty("https.proxyHost") != null) {
      return;
    }
    try {
      Warehouse.connect(endpoint.get(), home.config().catalog().s3().connectTimeoutSeconds());
    } catch (IOException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR,
          "Cannot reach the Glue catalog "
              + endpoint.get()
              + " while "
              + operation
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * {@code e}, or when its cause is an unreachable catalog database or object store, a one-line
   * error naming that (the JDBC URL without parameters, or the S3 endpoint and bucket) and the
   * operation: Iceberg's own messages name only the table ("Failed to get table ...") or the HTTP
   * call ("Unable to execute HTTP request: Connection refused").
   */
  RuntimeException unreachable(RuntimeException e, String operation) {
    if (e instanceof MedlakeException) {
      return e;
    }
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      boolean lostConnection =
          cause instanceof SQLException sql
              && sql.getSQLState() != null
              && sql.getSQLState().startsWith("08");
      if (lostConnection
          || cause instanceof java.net.ConnectException
          || cause instanceof java.net.UnknownHostException
          || cause instanceof java.net.NoRouteToHostException
          || cause instanceof java.net.SocketTimeoutException) {
        String what =
            home.config().catalog().glue()
                ? "the Glue catalog "
                    + home.config().catalog().glueEndpoint().orElse("AWS Glue")
                    + " or the object store "
                    + warehouse.unreachable(operation)
                : cause instanceof SQLException || !isS3(e)
                    ? "the catalog database "
                        + PlatformConfig.shown(
                            home.config()
                                .catalog()
                                .jdbcUrl()
                                .orElse("jdbc:sqlite:" + home.catalogDatabase()))
                        + " while "
                        + operation
                    : "the object store " + warehouse.unreachable(operation);
        return new MedlakeException(
            ErrorCode.STORAGE_ERROR, "Cannot reach " + what + ": " + cause.getMessage(), e);
      }
    }
    return e;
  }

  /** Whether the failure came from the AWS SDK (the object store) rather than JDBC. */
  private static boolean isS3(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause.getClass().getName().startsWith("software.amazon.awssdk.")) {
        return true;
      }
    }
    return false;
  }

  public Table labResults() {
    return table(LabResults.TABLE);
  }

  public Table rejects() {
    return table(LabResults.REJECTS_TABLE);
  }

  public MedlakeHome home() {
    return home;
  }

  /** Where the tables' files live, and how to move files in and out of it. */
  public Warehouse warehouse() {
    return warehouse;
  }

  private void ensureTable(TableContract contract) {
    Namespace namespace = Namespace.of(LabResults.NAMESPACE);
    TableIdentifier identifier = TableIdentifier.of(namespace, contract.name());
    if (catalog.tableExists(identifier)) {
      Table table = catalog.loadTable(identifier);
      evolve(table, contract);
      if (!warehouse.objectStore()) {
        try {
          LocationMigration.migrate(table);
        } catch (org.apache.iceberg.exceptions.ValidationException
            | org.apache.iceberg.exceptions.CommitFailedException e) {
          // another process replaced files meanwhile: the table stays readable by medlake as it
          // is, and the next open migrates it
          LOG.warn(
              "Table {} keeps bare-path locations for now: {}", contract.name(), e.getMessage());
        }
      }
      return;
    }
    String location = tableLocation(contract.name());
    if (holdsTableWithoutEntry(identifier, location)) {
      return; // another process created it meanwhile
    }
    SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
    if (!namespaces.namespaceExists(namespace)) {
      try {
        namespaces.createNamespace(namespace);
      } catch (AlreadyExistsException ignored) {
        // another process created it first
      }
    }
    Schema schema = IcebergSchemas.schema(contract);
    Map<String, String> properties = new HashMap<>();
    properties.put(TableProperties.FORMAT_VERSION, "2");
    properties.put(
        TableProperties.COMMIT_NUM_RETRIES,
        String.valueOf(home.config().catalog().commitRetries()));
    properties.put(TableProperties.COMMIT_MIN_RETRY_WAIT_MS, "50");
    properties.put(TableProperties.COMMIT_MAX_RETRY_WAIT_MS, "2000");
    properties.put(TableProperties.PARQUET_COMPRESSION, home.config().ingest().compression());
    properties.put("comment", contract.description());
    properties.put(LocationMigration.PROPERTY, LocationMigration.QUALIFIED);
    // lineage columns are matched exactly when a resubmission or rerun replaces files, which needs
    // untruncated bounds (the default truncates strings to 16 characters)
    for (String column : List.of("ingest_run_id", "source_sha256", "source_file", "hospital_id")) {
      if (contract.column(column).isPresent()) {
        properties.put(TableProperties.METRICS_MODE_COLUMN_CONF_PREFIX + column, "full");
      }
    }
    try {
      org.apache.iceberg.catalog.Catalog.TableBuilder builder =
          catalog
              .buildTable(identifier, schema)
              .withPartitionSpec(IcebergSchemas.partitionSpec(contract, schema))
              .withSortOrder(IcebergSchemas.sortOrder(contract, schema))
              .withProperties(properties);
      if (home.config().catalog().glue()) {
        // the JDBC catalog's layout (GlueCatalog's default puts tables under medlake.db/), so a
        // warehouse has one layout whichever catalog wrote it
        builder.withLocation(location);
      }
      builder.create();
    } catch (AlreadyExistsException ignored) {
      // another process created it first
    }
  }

  /**
   * Where a table of the warehouse lives: {@code <warehouse>/medlake/<table>}, for every catalog.
   */
  private String tableLocation(String name) {
    return warehouse.location().replaceAll("/+$", "") + "/" + LabResults.NAMESPACE + "/" + name;
  }

  /**
   * Refuses to create a table the catalog has no entry for where a table's metadata already lies (a
   * lost {@code catalog.db}, or a switch of {@code catalog.type} on a warehouse with data): an
   * empty table there would hide every stored row, and orphan-file maintenance would then delete
   * the files as unreferenced. Metadata written by another process that is creating the table at
   * this moment (its file lands just before its catalog entry) is waited for: true when the table
   * appeared meanwhile.
   */
  private boolean holdsTableWithoutEntry(TableIdentifier identifier, String location) {
    Optional<String> metadata = newestMetadata(location);
    if (metadata.isEmpty()) {
      return false;
    }
    for (int attempt = 0; attempt < 10; attempt++) {
      if (catalog.tableExists(identifier)) {
        return true;
      }
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    throw new MedlakeException(
        ErrorCode.INVALID_CONFIG,
        "Table "
            + identifier.name()
            + " is not in the catalog, but "
            + location
            + " holds one (newest metadata "
            + metadata.get()
            + "): medlake does not create an empty table over it; register that metadata file in"
            + " the catalog (docs/deploy.md, \"Moving a lake between catalogs\") or point"
            + " catalog.warehouse elsewhere");
  }

  /** The newest {@code *.metadata.json} under {@code <location>/metadata/}, if there is one. */
  private Optional<String> newestMetadata(String location) {
    String prefix = location + "/metadata/";
    List<String> found = new java.util.ArrayList<>();
    if (warehouse.objectStore()) {
      for (org.apache.iceberg.io.FileInfo info :
          ((org.apache.iceberg.io.SupportsPrefixOperations) warehouse.io()).listPrefix(prefix)) {
        found.add(info.location());
      }
    } else {
      java.io.File directory = LocalFileIO.file(prefix);
      String[] names = directory.list();
      for (String name : names == null ? new String[0] : names) {
        found.add(prefix + name);
      }
    }
    return found.stream()
        .filter(file -> file.endsWith(".metadata.json"))
        .max(java.util.Comparator.naturalOrder());
  }

  /**
   * Brings a table written under an earlier contract to the current one by Iceberg schema
   * evolution: the contract's new (optional) columns are added in field-id order, so that they get
   * the contract's ids, and columns the contract no longer requires become optional. Data files
   * written before read the new columns as null. Another process doing the same at once is fine:
   * the loser reloads and finds nothing left to do.
   */
  static void evolve(org.apache.iceberg.Table table, TableContract contract) {
    for (int attempt = 0; ; attempt++) {
      Schema current = table.schema();
      org.apache.iceberg.UpdateSchema update = table.updateSchema();
      boolean changed = false;
      for (org.medlake.core.contract.Column column : contract.columns()) {
        org.apache.iceberg.types.Types.NestedField existing = current.findField(column.name());
        if (existing == null) {
          if (column.required()) {
            throw new MedlakeException(
                ErrorCode.INTERNAL_ERROR,
                "table "
                    + contract.name()
                    + " lacks the required column "
                    + column.name()
                    + ": a required column cannot be added to a table with data");
          }
          update.addColumn(
              column.name(),
              IcebergSchemas.schema(contract).findField(column.id()).type(),
              column.description());
          changed = true;
        } else if (existing.isRequired() && !column.required()) {
          update.makeColumnOptional(column.name());
          changed = true;
        }
      }
      if (!changed) {
        break;
      }
      try {
        update.commit();
        break;
      } catch (org.apache.iceberg.exceptions.CommitFailedException e) {
        if (attempt >= 5) {
          throw e;
        }
        table.refresh();
      }
    }
    for (org.medlake.core.contract.Column column : contract.columns()) {
      int id = table.schema().findField(column.name()).fieldId();
      if (id != column.id()) {
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR,
            "table "
                + contract.name()
                + ": column "
                + column.name()
                + " has field id "
                + id
                + " but the contract says "
                + column.id());
      }
    }
  }

  @Override
  public void close() {
    try {
      catalog.close();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot close the catalog", e);
    } finally {
      warehouse.close();
    }
  }
}
