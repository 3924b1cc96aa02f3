package org.medlake.spark;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.spark.sql.SparkSession;
import org.medlake.core.config.CatalogConfig;
import org.medlake.core.config.IngestConfig;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.config.S3Config;
import org.medlake.core.contract.LabResults;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.file.CsvLineSplitter;
import org.medlake.core.file.FilePreparer;
import org.medlake.core.file.HeaderLayout;
import org.medlake.core.file.LandingFiles;
import org.medlake.core.file.PreparedFile;
import org.medlake.core.file.RecordGroups;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunHold;
import org.medlake.core.ledger.RunLedger;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.core.vault.LinkVault;
import org.medlake.core.vault.PseudonymKey;

/**
 * The ingestion pipeline as a Spark job: {@code spark-submit --class org.medlake.spark.SparkIngestJob
 * medlake-spark.jar --home DIR [--source S] [--month YYYY-MM] PATH...}. Same home, source mappings,
 * rules, vault, run ledger and Iceberg tables (through the same JDBC catalog) as the embedded
 * pipeline; one run and one results commit per file.
 */
public final class SparkIngestJob implements AutoCloseable {
  private static final DateTimeFormatter RUN_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(ZoneOffset.UTC);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MedlakeHome home;
  private final SparkSession spark;
  private final RunLedger ledger;
  private final LinkVault vault;
  private final SourceRegistry sources;

  private FileIO objectIo;

  SparkIngestJob(MedlakeHome home, SparkSession spark) {
    this.home = home;
    this.spark = spark;
    // the home's SQLite files, or the PostgreSQL platform database of platform.jdbc-url
    this.ledger = RunLedger.open(home);
    this.vault = LinkVault.open(home,
        PseudonymKey.load(home.pseudonymKeyFile(), Optional.ofNullable(System.getenv(PseudonymKey.ENVIRONMENT_VARIABLE))));
    this.sources = new SourceRegistry(home.sources());
  }

  public static void main(String[] args) {
    Arguments arguments;
    try {
      arguments = Arguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("medlake-spark: error: " + e.getMessage());
      System.err.println(Arguments.USAGE);
      System.exit(2);
      return;
    }
    int failed = 0;
    MedlakeHome home = MedlakeHome.open(arguments.home());
    SparkSession.Builder builder = SparkSession.builder().appName("medlake-ingest");
    arguments.master().ifPresent(builder::master);
    configure(builder, home);
    SparkSession spark = builder.getOrCreate();
    try (SparkIngestJob job = new SparkIngestJob(home, spark)) {
      spark.sparkContext().setLogLevel("WARN");
      List<Delivery> deliveries = job.discover(arguments.paths(), arguments.source(), arguments.month());
      for (Delivery delivery : deliveries) {
        try {
          IngestRun run = job.ingest(delivery, newRunId());
          System.out.printf("%s %s %s read=%d accepted=%d rejected=%d filtered=%d%n", run.id(), run.status(), run.sourceFile(),
              run.rowsRead(), run.rowsAccepted(), run.rowsRejected(), run.rowsFiltered());
          if (run.status() == RunStatus.HELD) {
            // nothing was committed: schedulers see a non-zero exit
            failed++;
            System.err.println("medlake-spark: " + delivery.shown() + ": " + run.message());
          }
        } catch (MedlakeException e) {
          failed++;
          System.err.println("medlake-spark: error: " + delivery.shown() + ": " + e.getMessage());
        }
      }
    } catch (MedlakeException e) {
      System.err.println("medlake-spark: error: " + e.getMessage());
      spark.stop();
      System.exit(e.errorCode().type() == org.medlake.core.error.ErrorType.USER ? 2 : 3);
    }
    spark.stop();
    System.exit(failed > 0 ? 1 : 0);
  }

  /**
   * The Iceberg catalog as medlake-lake's Lakehouse opens it: same name, JDBC URI (the home's SQLite
   * catalog or {@code catalog.jdbc-url}), schema version, warehouse and FileIO ({@code S3FileIO} for
   * an {@code s3://} warehouse).
   */
  static void configure(SparkSession.Builder builder, MedlakeHome home) {
    catalogProperties(home).forEach(builder::config);
    builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.ui.enabled", "false");
  }

  /** The {@code spark.sql.catalog.<name>} settings; the catalog password comes from {@code MEDLAKE_CATALOG_PASSWORD}. */
  static Map<String, String> catalogProperties(MedlakeHome home) {
    CatalogConfig catalog = home.config().catalog();
    String prefix = "spark.sql.catalog." + catalog.name();
    Map<String, String> properties = new java.util.LinkedHashMap<>();
    properties.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
    properties.put(prefix + ".catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
    if (catalog.jdbcUrl().isPresent()) {
      properties.put(prefix + ".uri", catalog.jdbcUrl().get());
      catalog.jdbcUser().ifPresent(user -> properties.put(prefix + ".jdbc.user", user));
      Optional.ofNullable(System.getenv(CatalogConfig.PASSWORD_ENVIRONMENT_VARIABLE))
          .ifPresent(password -> properties.put(prefix + ".jdbc.password", password));
    } else {
      properties.put(prefix + ".uri", "jdbc:sqlite:" + home.catalogDatabase() + "?journal_mode=WAL&busy_timeout=60000");
    }
    properties.put(prefix + ".jdbc.schema-version", "V1");
    if (catalog.s3Warehouse()) {
      properties.put(prefix + ".warehouse", warehouseLocation(catalog));
      s3Properties(catalog.s3()).forEach((key, value) -> properties.put(prefix + "." + key, value));
    } else {
      Path directory = catalog.warehouse().map(Path::of).map(path -> home.root().resolve(path)).orElse(home.warehouse());
      properties.put(prefix + ".warehouse", directory.toUri().toString());
    }
    return properties;
  }

  /** The warehouse as Iceberg sees it, as medlake-lake's Warehouse spells it. */
  private static String warehouseLocation(CatalogConfig catalog) {
    return catalog.warehouse().orElseThrow().replaceFirst("^s3a://", "s3://").replaceAll("/+$", "");
  }

  /**
   * Iceberg S3FileIO settings as medlake-lake's Warehouse sets them, except the HTTP client: Spark
   * gets the AWS SDK from iceberg-aws-bundle, whose default (Apache) client Iceberg picks. Credentials
   * come from the AWS default chain.
   */
  static Map<String, String> s3Properties(S3Config s3) {
    Map<String, String> properties = new java.util.LinkedHashMap<>();
    properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    s3.endpoint().ifPresent(endpoint -> properties.put("s3.endpoint", endpoint));
    properties.put("s3.path-style-access", String.valueOf(s3.pathStyleAccess()));
    s3.region().or(() -> s3.endpoint().map(ignored -> "us-east-1")).ifPresent(region -> properties.put("client.region", region));
    return properties;
  }

  /** S3FileIO for the object store of {@code catalog.s3} (landing objects, staged files), opened on first use. */
  private synchronized FileIO objectIo() {
    if (objectIo == null) {
      Map<String, String> properties = s3Properties(home.config().catalog().s3());
      objectIo = CatalogUtil.loadFileIO(properties.get("io-impl"), properties, null);
    }
    return objectIo;
  }

  /**
   * A file to ingest, with the source and month it was delivered for.
   *
   * @param file the local file, or for an object the name it is downloaded under
   * @param objectLocation the {@code s3://} location of a file in an object-store landing zone
   */
  record Delivery(Path file, String source, YearMonth month, Optional<String> objectLocation) {
    Delivery(Path file, String source, YearMonth month) {
      this(file, source, month, Optional.empty());
    }

    String shown() {
      return objectLocation.orElse(file.toString());
    }
  }

  /** Ingests one file as run {@code runId}; when it fails, the FAILED run with its reason is in the ledger. */
  IngestRun ingest(Delivery delivery, String runId) {
    SourceMapping mapping = sources.load(delivery.source());
    String mappingSha256 = sources.fingerprint(delivery.source());
    Instant started = Instant.now();
    long startNanos = System.nanoTime();
    String sourceFile = home.root().relativize(delivery.file().toAbsolutePath().normalize()).toString();
    if (sourceFile.startsWith("..")) {
      sourceFile = delivery.file().toAbsolutePath().normalize().toString();
    }
    if (delivery.objectLocation().isPresent()) {
      sourceFile = delivery.objectLocation().get();
    }
    Path workDirectory = home.temporary().resolve(runId);
    PreparedFile prepared = null;
    IngestConfig config = home.config().ingest();
    Optional<String> staged = Optional.empty();
    try {
      Files.createDirectories(workDirectory);
      Path file = delivery.file();
      if (delivery.objectLocation().isPresent()) {
        // the driver scans a local copy; lineage records the object's location, as the embedded pipeline does
        file = download(delivery.objectLocation().get(), workDirectory.resolve("landing"));
      }
      prepared = new FilePreparer(config, workDirectory, fraction -> { }).prepare(file, mapping.csv());
      Optional<IngestRun> duplicate = duplicateOf(prepared.sha256(), runId, sourceFile, mapping, delivery, started, prepared.bytesIn());
      if (duplicate.isPresent()) {
        return duplicate.get();
      }
      ledger.record(run(runId, sourceFile, mapping, prepared.sha256(), delivery.month(), RunStatus.RUNNING, started, prepared.bytesIn())
          .withMapping(mappingSha256));
      HeaderLayout header = HeaderLayout.resolve(file, prepared.scan().header(), mapping);
      CsvLineSplitter splitter = new CsvLineSplitter(mapping.csv().delimiter(), mapping.csv().quote());
      List<RecordGroups.Span> spans = RecordGroups.find(
          prepared.readable(), prepared.scan().oddQuoteLines(), splitter, header.names().size(), config.maxLinesPerRecord());
      RecordChecker checker = new RecordChecker(mapping, header.columnIndexes(), header.filterIndex(), header.names().size(),
          delivery.month(), Dictionary.load(home.sources(), mapping), plausibility(), LocalDateTime.now(ZoneOffset.UTC));
      String readable;
      if (!home.config().catalog().s3Warehouse()) {
        readable = prepared.readable().toUri().toString();
      } else if (delivery.objectLocation().isPresent() && prepared.readable().equals(prepared.original())) {
        // executors read the delivered object itself
        readable = delivery.objectLocation().get();
      } else {
        staged = Optional.of(stage(prepared.readable(), runId));
        readable = staged.get();
      }
      String sha256 = prepared.sha256();
      String source = sourceFile;
      RunHold runHold = new RunHold(config.hold());
      SparkFileIngestion.Hold hold = (read, accepted, rejected, filtered, reasons) -> runHold.check(ledger, new IngestRun(runId, source,
          mapping.source(), sha256, mapping.hospitalId(), delivery.month().toString(), RunStatus.SUCCEEDED, started, read, accepted,
          rejected, filtered, reasons, 0, 0, 0, null, ""));
      SparkFileIngestion.Outcome outcome = new SparkFileIngestion(spark, home.config().catalog().name(), vault,
          home.config().catalog().s3Warehouse() ? objectIo() : null)
          .run(prepared, readable, checker, spans, mapping, delivery.month(), sourceFile, runId, hold);
      IngestRun done = new IngestRun(runId, sourceFile, mapping.source(), prepared.sha256(), mapping.hospitalId(),
          delivery.month().toString(), outcome.held().isPresent() ? RunStatus.HELD : RunStatus.SUCCEEDED, started, outcome.rowsRead(),
          outcome.rowsAccepted(), outcome.rowsRejected(), outcome.rowsFiltered(), outcome.rejectedByReason(), prepared.bytesIn(),
          outcome.bytesOut(), elapsedMillis(startNanos), outcome.held().isPresent() ? null : outcome.snapshotId(),
          outcome.held().orElse(""), outcome.flagged(), outcome.unmappedCodes(), mappingSha256, null);
      if (outcome.held().isPresent()) {
        RunHold.record(ledger, done);
      } else {
        ledger.record(done);
        RunHold.settle(ledger, done);
      }
      return done;
    } catch (RuntimeException | IOException e) {
      IngestRun failed = withMessage(run(runId, sourceFile, mapping, prepared == null ? "" : prepared.sha256(), delivery.month(),
          RunStatus.FAILED, started, prepared == null ? 0 : prepared.bytesIn()).withMapping(mappingSha256), String.valueOf(e.getMessage()),
          elapsedMillis(startNanos));
      ledger.record(failed);
      if (e instanceof MedlakeException medlake) {
        throw medlake;
      }
      throw new MedlakeException(ErrorCode.INTERNAL_ERROR, "Spark ingest of " + delivery.file().getFileName() + " failed: "
          + firstLine(e.getMessage()), e);
    } finally {
      staged.ifPresent(location -> {
        try {
          objectIo().deleteFile(location);
        } catch (RuntimeException ignored) {
          // a leftover under staging/ holds no table data and is not referenced by any table
        }
      });
      deleteRecursively(workDirectory);
    }
  }

  /** Copies an object ({@code s3://bucket/key}) into {@code directory}, keeping its file name. */
  private Path download(String location, Path directory) {
    Path target = directory.resolve(location.substring(location.lastIndexOf('/') + 1));
    try (InputStream in = objectIo().newInputFile(location).newStream()) {
      Files.createDirectories(directory);
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (org.apache.iceberg.exceptions.NotFoundException e) {
      throw new org.medlake.core.error.NotFoundException("No such object: " + location);
    } catch (IOException | RuntimeException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot download " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Puts the driver's prepared copy where every executor reads it: {@code <warehouse>/staging/<run>/},
   * outside every table's location, deleted when the run ends.
   */
  private String stage(Path readable, String runId) {
    String target = warehouseLocation(home.config().catalog()) + "/staging/" + runId + "/" + readable.getFileName();
    try (OutputStream out = objectIo().newOutputFile(target).createOrOverwrite()) {
      Files.copy(readable, out);
      return target;
    } catch (IOException | RuntimeException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot upload " + readable.getFileName() + " to " + target + ": " + e.getMessage(), e);
    }
  }

  /** Reports an already ingested checksum, reconciling a run whose commit happened before a crash (as the embedded pipeline). */
  private Optional<IngestRun> duplicateOf(String sha256, String runId, String sourceFile, SourceMapping mapping, Delivery delivery,
      Instant started, long bytesIn) {
    List<IngestRun> earlier = ledger.withChecksum(sha256);
    Optional<IngestRun> succeeded = earlier.stream().filter(run -> run.status() == RunStatus.SUCCEEDED).findFirst();
    if (succeeded.isEmpty()) {
      Table table = new SparkFileIngestion(spark, home.config().catalog().name(), vault, null).table(LabResults.TABLE);
      Snapshot committed = null;
      if (table.currentSnapshot() != null) {
        for (Snapshot snapshot : SnapshotUtil.currentAncestors(table)) {
          if (sha256.equals(snapshot.summary().get(SparkFileIngestion.SHA256))) {
            committed = snapshot;
            break;
          }
        }
      }
      if (committed != null) {
        Map<String, String> summary = committed.summary();
        String committedRun = summary.get(SparkFileIngestion.RUN_ID);
        Instant committedStart = earlier.stream().filter(run -> run.id().equals(committedRun)).map(IngestRun::startedAt).findFirst()
            .orElse(started);
        IngestRun reconciled = new IngestRun(committedRun, sourceFile, mapping.source(), sha256, mapping.hospitalId(),
            delivery.month().toString(), RunStatus.SUCCEEDED, committedStart, Long.parseLong(summary.get(SparkFileIngestion.ROWS_READ)),
            Long.parseLong(summary.get(SparkFileIngestion.ROWS_ACCEPTED)), Long.parseLong(summary.get(SparkFileIngestion.ROWS_REJECTED)),
            Long.parseLong(summary.get(SparkFileIngestion.ROWS_FILTERED)), decode(summary.get(SparkFileIngestion.REASONS)),
            bytesIn, 0, 0, committed.snapshotId(), "reconciled after an interrupted run");
        ledger.record(reconciled);
        succeeded = Optional.of(reconciled);
      }
    }
    for (IngestRun stale : earlier) {
      if (stale.status() == RunStatus.RUNNING && succeeded.map(run -> !run.id().equals(stale.id())).orElse(true)) {
        ledger.record(withMessage(stale, "interrupted; superseded by " + succeeded.map(IngestRun::id).orElse(runId), stale.durationMs()));
      }
    }
    if (succeeded.isEmpty()) {
      return Optional.empty();
    }
    IngestRun original = succeeded.get();
    IngestRun duplicate = withMessage(run(runId, sourceFile, mapping, sha256, delivery.month(), RunStatus.DUPLICATE, started, bytesIn),
        "already ingested by " + original.id() + " (snapshot " + original.snapshotId() + ")", 0);
    ledger.record(duplicate);
    return Optional.of(duplicate);
  }

  /**
   * Files, directories and object-store prefixes as deliveries, by the embedded pipeline's rules
   * ({@link LandingFiles#discover}): {@code <source>/<YYYY-MM>/file.csv[.gz]}, unless the source or
   * month is given.
   */
  List<Delivery> discover(List<String> inputs, Optional<String> source, Optional<YearMonth> month) {
    List<String> locations = inputs.stream().map(input -> input.replaceFirst("^s3a://", "s3://")).toList();
    return LandingFiles.discover(locations, source, month, this::listObjects).stream()
        .map(found -> new Delivery(found.file(), found.source(), found.month(), found.objectLocation())).toList();
  }

  private List<String> listObjects(String prefix) {
    List<String> objects = new ArrayList<>();
    try {
      for (FileInfo info : ((SupportsPrefixOperations) objectIo()).listPrefix(prefix)) {
        objects.add(info.location());
      }
    } catch (RuntimeException e) {
      throw new MedlakeException(ErrorCode.STORAGE_ERROR, "Cannot list " + prefix + ": " + e.getMessage(), e);
    }
    return objects;
  }

  /** The plausible value range of each test, from the catalogue shipped in medlake-core. */
  static Map<String, double[]> plausibility() {
    return org.medlake.core.units.LabTestUnits.load().plausibleRanges();
  }

  static String newRunId() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return "run-" + RUN_TIME.format(Instant.now()) + "-" + HexFormat.of().formatHex(bytes);
  }

  private static IngestRun run(String id, String sourceFile, SourceMapping mapping, String sha256, YearMonth month, RunStatus status,
      Instant started, long bytesIn) {
    return new IngestRun(id, sourceFile, mapping.source(), sha256, mapping.hospitalId(), month.toString(), status, started,
        0, 0, 0, 0, Map.of(), bytesIn, 0, 0, null, "");
  }

  private static IngestRun withMessage(IngestRun run, String message, long durationMs) {
    return run.withOutcome(run.status() == RunStatus.RUNNING ? RunStatus.FAILED : run.status(), message, durationMs);
  }

  private static Map<String, Long> decode(String reasons) {
    Map<String, Long> decoded = new java.util.TreeMap<>();
    if (reasons == null || reasons.isBlank()) {
      return decoded;
    }
    for (String pair : reasons.split(",")) {
      String[] parts = pair.split("=");
      decoded.merge(parts[0], Long.parseLong(parts[1]), Long::sum);
    }
    return decoded;
  }

  private static long elapsedMillis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private static void deleteRecursively(Path directory) {
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(directory)) {
      walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException ignored) {
      // leftovers in tmp/ are harmless
    }
  }

  @Override
  public void close() {
    vault.close();
    ledger.close();
    if (objectIo != null) {
      objectIo.close();
    }
  }

  /** The job's command line. */
  record Arguments(Path home, Optional<String> source, Optional<YearMonth> month, Optional<String> master, List<String> paths) {
    static final String USAGE =
        "usage: spark-submit --class org.medlake.spark.SparkIngestJob medlake-spark.jar --home DIR [--source NAME] [--month YYYY-MM]"
            + " [--master URL] PATH...";

    static Arguments parse(String[] args) {
      Path home = null;
      String source = null;
      YearMonth month = null;
      String master = null;
      List<String> paths = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--home" -> home = Path.of(value(args, ++i, arg));
          case "--source" -> source = value(args, ++i, arg);
          case "--master" -> master = value(args, ++i, arg);
          case "--month" -> {
            String text = value(args, ++i, arg);
            try {
              month = YearMonth.parse(text);
            } catch (DateTimeParseException e) {
              throw new IllegalArgumentException("--month: '" + text + "' is not YYYY-MM");
            }
          }
          default -> {
            if (arg.startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + arg);
            }
            paths.add(arg);
          }
        }
      }
      if (home == null) {
        throw new IllegalArgumentException("--home is required");
      }
      if (paths.isEmpty()) {
        throw new IllegalArgumentException("no file or directory to ingest");
      }
      return new Arguments(home, Optional.ofNullable(source), Optional.ofNullable(month), Optional.ofNullable(master), paths);
    }

    private static String value(String[] args, int index, String option) {
      if (index >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[index];
    }
  }
}
