package org.medlake.ingest.pipeline;

import static org.medlake.lake.DuckDb.literal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.medlake.core.config.IngestConfig;
import org.medlake.core.contract.LabResults;
import org.medlake.core.contract.TableContract;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.file.CsvLineSplitter;
import org.medlake.core.file.FileChunks;
import org.medlake.core.file.HeaderLayout;
import org.medlake.core.file.LineScan;
import org.medlake.core.file.LinesByNumber;
import org.medlake.core.file.PreparedFile;
import org.medlake.core.file.RecordGroups;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.units.LabTestUnits;
import org.medlake.core.units.UnitConversion;
import org.medlake.core.units.UnitConversions;
import org.medlake.core.validation.LoincCheckDigit;
import org.medlake.core.vault.LinkVault;
import org.medlake.ingest.pipeline.StagedOutput.PartitionFile;
import org.medlake.lake.DuckDb;
import org.medlake.lake.IcebergSchemas;

/** Runs the DuckDB part of one file's ingestion: parse, validate, pseudonymize, write Parquet. */
final class FileIngestion {
  /** Progress phases of the two ways of parsing a file. */
  static final String PARSING_RECORDS = "parsing (CSV reader)";

  static final String PARSING_LINES = "parsing (line by line)";

  /** Drops what {@link IngestSql#createTypedRectangular} creates, whatever of it exists. */
  private static final String DROP_TYPED_ROWS =
      "DROP VIEW IF EXISTS typed; DROP TABLE IF EXISTS typed_rows";

  private final IngestConfig config;
  private final LinkVault vault;
  private final Path sourcesDirectory;
  private final ProgressListener progress;

  /**
   * The built-in test catalog: canonical units for the conversions, plausible ranges for the rule.
   */
  private final LabTestUnits catalog = LabTestUnits.load();

  private final UnitConversions units = new UnitConversions(catalog);

  FileIngestion(
      IngestConfig config, LinkVault vault, Path sourcesDirectory, ProgressListener progress) {
    this.config = config;
    this.vault = vault;
    this.sourcesDirectory = sourcesDirectory;
    this.progress = progress;
  }

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(FileIngestion.class);

  private static final java.util.concurrent.atomic.AtomicBoolean DUCKDB_LOADING =
      new java.util.concurrent.atomic.AtomicBoolean();

  /**
   * Loads DuckDB's native library on a thread of its own, once per process, so that it loads while
   * the file is checksummed and scanned instead of after: the first connection of a process takes
   * about 0.5 s (the library is unpacked from its jar and loaded), as long as the whole of a small
   * file's parsing. A connection opened meanwhile waits for the library as it would have anyway.
   */
  static void loadDuckDbInBackground() {
    if (!DUCKDB_LOADING.compareAndSet(false, true)) {
      return;
    }
    Thread thread =
        new Thread(
            () -> {
              java.util.Properties properties = new java.util.Properties();
              properties.setProperty("autoinstall_known_extensions", "false");
              properties.setProperty("autoload_known_extensions", "false");
              try (Connection connection =
                  java.sql.DriverManager.getConnection("jdbc:duckdb:", properties)) {
                // loaded: nothing else to do
              } catch (SQLException | RuntimeException | LinkageError e) {
                // the run's own connection reports what is wrong
              }
            },
            "medlake-duckdb-load");
    thread.setDaemon(true);
    thread.start();
  }

  private long phaseStart = System.nanoTime();
  private long phaseCpuStart = processCpuNanos();

  /**
   * Phase durations at debug level ({@code medlake --debug}), for profiling: wall time, the
   * process's CPU time (all threads, DuckDB's included), which another load on the machine barely
   * changes, and the process's resident memory now and at its peak.
   */
  private void trace(String phase) {
    if (!LOG.isDebugEnabled()) {
      return;
    }
    long now = System.nanoTime();
    long cpu = processCpuNanos();
    LOG.debug(
        "ingest phase {} took {} ms, {} ms CPU; {}",
        phase,
        (now - phaseStart) / 1_000_000,
        (cpu - phaseCpuStart) / 1_000_000,
        residentMemory());
    phaseStart = now;
    phaseCpuStart = cpu;
  }

  /** The process's resident memory now and at its peak, from /proc/self/status (Linux). */
  private static String residentMemory() {
    try {
      Map<String, String> sizes = new TreeMap<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:") || line.startsWith("VmHWM:")) {
          sizes.put(
              line.substring(0, 5), Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 + " MB");
        }
      }
      return "resident " + sizes.get("VmRSS") + ", peak " + sizes.get("VmHWM");
    } catch (IOException | RuntimeException e) {
      return "resident memory unknown";
    }
  }

  static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }

  StagedOutput run(
      PreparedFile prepared,
      HeaderLayout header,
      SourceMapping mapping,
      YearMonth month,
      String sourceFile,
      String runId,
      Path resultsDirectory,
      Path rejectsDirectory,
      Path temporaryDirectory) {
    String name = prepared.original().getFileName().toString();
    IngestSql sql =
        new IngestSql(
            mapping, header.columnIndexes(), header.filterIndex(), header.names().size(), month);
    // an in-memory database spills its tables and intermediates to the temp directory beyond the
    // memory limit (measured with a 10 M-row, 1.5 GB file under the default 2 GB)
    try (Connection connection =
            DuckDb.open(config.memoryLimit(), config.threads(), temporaryDirectory);
        Statement statement = connection.createStatement()) {
      CsvLineSplitter splitter =
          new CsvLineSplitter(mapping.csv().delimiter(), mapping.csv().quote());
      List<RecordGroups.Span> spans =
          RecordGroups.find(
              prepared.readable(),
              prepared.scan().oddQuoteLines(),
              splitter,
              header.names().size(),
              config.maxLinesPerRecord());
      trace("start");
      createSideTables(connection, statement, prepared, spans, mapping);
      trace("side tables");
      Run run =
          new Run(
              connection,
              statement,
              sql,
              prepared,
              mapping,
              month,
              sourceFile,
              runId,
              resultsDirectory,
              rejectsDirectory,
              temporaryDirectory,
              !spans.isEmpty(),
              FileChunks.plan(
                  prepared.scan(), Files.size(prepared.readable()), spans, config.chunkRows()));
      if (qualifiesForReader(prepared, spans, header)) {
        Tally tally = new Tally();
        try {
          return ingestChunks(run, true, tally);
        } catch (ReaderMismatch e) {
          // what the chunks before wrote is discarded; links they stored in the vault are simply
          // reused
          for (PartitionFile written : tally.written()) {
            Files.deleteIfExists(written.path());
          }
        }
      }
      return ingestChunks(run, false, new Tally());
    } catch (SQLException e) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "Ingest of " + name + " failed in DuckDB: " + firstLine(e.getMessage()),
          e);
    } catch (IOException e) {
      throw new MedlakeException(
          ErrorCode.STORAGE_ERROR, "Ingest of " + name + " failed: " + e.getMessage(), e);
    }
  }

  /** What all chunks of one file share. */
  private record Run(
      Connection connection,
      Statement statement,
      IngestSql sql,
      PreparedFile prepared,
      SourceMapping mapping,
      YearMonth month,
      String sourceFile,
      String runId,
      Path resultsDirectory,
      Path rejectsDirectory,
      Path temporaryDirectory,
      boolean hasSpans,
      List<FileChunks.Chunk> chunks) {
    String name() {
      return prepared.original().getFileName().toString();
    }

    boolean chunked() {
      return chunks.size() > 1;
    }
  }

  /** What the chunks of a file have written and counted so far. */
  private static final class Tally {
    final List<PartitionFile> results = new ArrayList<>();
    final List<PartitionFile> rejects = new ArrayList<>();
    final Map<String, Long> reasons = new TreeMap<>();

    /** Accepted rows per local code that has no standard code. */
    final Map<String, Long> unmappedCodes = new TreeMap<>();

    /** Accepted rows per condition worth telling the hospital about (UNMAPPED_CODE, ...). */
    final Map<String, Long> flagged = new TreeMap<>();

    long read;
    long accepted;
    long rejected;
    long filtered;

    List<PartitionFile> written() {
      List<PartitionFile> written = new ArrayList<>(results);
      written.addAll(rejects);
      return written;
    }
  }

  /**
   * The CSV reader's rows of a chunk do not match the scan's lines: the file is parsed line by line
   * instead.
   */
  private static final class ReaderMismatch extends RuntimeException {
    ReaderMismatch() {
      super(null, null, false, false);
    }
  }

  /**
   * Ingests the file's chunks one after another: each is parsed, validated, pseudonymized and
   * written before the next is read, so memory does not grow with the file; duplicates are found
   * across chunks through the hashes of the rows before. A file cut in several chunks has each
   * chunk copied to the work directory for DuckDB's reader, and the copy deleted after.
   */
  private StagedOutput ingestChunks(Run run, boolean rectangular, Tally tally)
      throws SQLException, IOException {
    Path copy = run.temporaryDirectory().resolve("chunk.csv");
    Path seen = seenHashes(run);
    Files.deleteIfExists(seen);
    try {
      for (FileChunks.Chunk chunk : run.chunks()) {
        Path file = run.prepared().readable();
        if (run.chunked()) {
          FileChunks.copy(file, chunk, copy);
          file = copy;
        }
        ingestChunk(run, chunk, file, rectangular, tally);
      }
      if (run.chunked()) {
        mergeAcrossChunks(run, tally);
      }
    } finally {
      Files.deleteIfExists(copy);
      Files.deleteIfExists(seen);
    }
    return new StagedOutput(
        tally.results,
        tally.rejects,
        tally.read,
        tally.accepted,
        tally.rejected,
        tally.filtered,
        tally.reasons,
        tally.flagged,
        tally.unmappedCodes);
  }

  /**
   * Merges the files that several chunks wrote for one partition into one, sorted, when together
   * they hold no more rows than a chunk: a file spanning many months in many chunks would otherwise
   * leave a small file per month and chunk (a backfill of 10 M rows over 1,200 months, 12,000).
   * Larger partitions keep a file per chunk, as large as a chunk's. The merged files replace the
   * chunks' files before anything is committed.
   */
  private void mergeAcrossChunks(Run run, Tally tally) throws SQLException, IOException {
    Map<String, List<PartitionFile>> byPartition = new java.util.LinkedHashMap<>();
    for (PartitionFile file : tally.results) {
      byPartition.computeIfAbsent(file.partitionPath(), partition -> new ArrayList<>()).add(file);
    }
    List<PartitionFile> results = new ArrayList<>();
    List<WriteTask> merges = new ArrayList<>();
    for (List<PartitionFile> files : byPartition.values()) {
      long rows = files.stream().mapToLong(PartitionFile::rows).sum();
      if (files.size() == 1 || rows > config.chunkRows()) {
        results.addAll(files);
        continue;
      }
      Path merged =
          files.get(0).path().resolveSibling(run.runId() + "-merged-" + merges.size() + ".parquet");
      results.add(new PartitionFile(merged, files.get(0).partitionPath(), rows));
      String sources =
          files.stream()
              .map(file -> literal(file.path().toString()))
              .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
      merges.add(
          statement -> {
            long written =
                writeParquet(
                    statement,
                    "SELECT * FROM read_parquet(" + sources + ") ORDER BY " + LakeCommitter.SORT,
                    merged,
                    LabResults.CONTRACT);
            if (written != rows) {
              throw new MedlakeException(
                  ErrorCode.INTERNAL_ERROR,
                  "row accounting broken for "
                      + run.name()
                      + ": merging "
                      + files.size()
                      + " files of "
                      + rows
                      + " rows wrote "
                      + written);
            }
            for (PartitionFile file : files) {
              Files.delete(file.path());
            }
          });
    }
    writeSideBySide(run, merges);
    tally.results.clear();
    tally.results.addAll(results);
    trace("merged across chunks");
  }

  /** The DuckDB database file that holds the row hashes of the chunks done so far. */
  private static Path seenHashes(Run run) {
    return run.temporaryDirectory().resolve("seen-hashes.duckdb");
  }

  /** One chunk, from parsing to its Parquet files; {@code file} holds the chunk's lines. */
  private void ingestChunk(
      Run run, FileChunks.Chunk chunk, Path file, boolean rectangular, Tally tally)
      throws SQLException, IOException {
    Statement statement = run.statement();
    IngestSql sql = run.sql();
    String name = run.name();
    double fraction = run.chunked() ? (double) chunk.index() / run.chunks().size() : -1;
    if (rectangular) {
      progress.update(name, PARSING_RECORDS, fraction);
      parseRectangular(statement, sql, run.prepared(), file, chunk);
    } else {
      progress.update(name, PARSING_LINES, fraction);
      statement.execute(
          sql.createTyped(
              file,
              run.prepared().scan().unusedControlCharacter(),
              config.maxLineBytes(),
              run.hasSpans(),
              chunk.firstLine()));
    }
    trace(rectangular ? "typed (CSV reader)" : "typed (line reader)");
    checkCodes(run.connection(), statement, run.mapping().codeLookup().isPresent());
    convertUnits(run.connection(), statement, sql);
    trace("codes and units");
    statement.execute(sql.createUtcShifts());
    trace("utc shifts");
    long typedRows;
    try (ResultSet rows =
        statement.executeQuery("SELECT count(*), count(*) FILTER (WHERE filtered) FROM typed")) {
      rows.next();
      typedRows = rows.getLong(1);
      tally.filtered += rows.getLong(2);
    }
    Optional<IngestSql.SeenHashes> seen =
        run.chunked()
            ? Optional.of(
                new IngestSql.SeenHashes(seenHashes(run), chunk.index() < run.chunks().size() - 1))
            : Optional.empty();
    for (String statementText : IngestSql.createDuplicatesFor(typedRows, seen)) {
      statement.execute(statementText);
    }
    trace("duplicates");
    progress.update(name, "validating", fraction);
    statement.execute(sql.createChecked());
    trace("checked");
    statement.execute(rectangular ? DROP_TYPED_ROWS : "DROP TABLE typed");
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT reason, count(*) FROM (SELECT unnest(list_distinct(reasons)) AS reason FROM checked) GROUP BY reason")) {
      while (rows.next()) {
        tally.reasons.merge(rows.getString(1), rows.getLong(2), Long::sum);
      }
    }
    long read;
    long rejected;
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT count(*), count(*) FILTER (WHERE len(reasons) > 0) FROM checked")) {
      rows.next();
      read = rows.getLong(1);
      rejected = rows.getLong(2);
    }
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT local_code, count(*) FROM checked"
                + " WHERE len(reasons) = 0 AND test_code IS NULL AND local_code IS NOT NULL GROUP BY local_code")) {
      while (rows.next()) {
        tally.unmappedCodes.merge(rows.getString(1), rows.getLong(2), Long::sum);
        tally.flagged.merge("UNMAPPED_CODE", rows.getLong(2), Long::sum);
      }
    }
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT unit_status, count(*) FROM checked WHERE len(reasons) = 0"
                + " AND value_numeric IS NOT NULL AND unit_status IN ('UNKNOWN_UNIT', 'INCOMPATIBLE_UNIT') GROUP BY unit_status")) {
      while (rows.next()) {
        tally.flagged.merge(rows.getString(1), rows.getLong(2), Long::sum);
      }
    }
    trace("counts");
    progress.update(name, "pseudonymizing", fraction);
    linkKeys(statement, run.mapping().hospitalId(), run.temporaryDirectory());
    trace("keys");
    progress.update(name, "writing", fraction);
    String hospitalId = run.mapping().hospitalId();
    long accepted = writeResults(run, tally);
    trace("results written");
    statement.execute("CREATE TABLE raw_lines (line_no BIGINT, raw VARCHAR)");
    if (rejected > 0 && rectangular) {
      readRawLines(run.connection(), statement, file, chunk.firstLine() - 1);
    }
    if (rejected > 0) {
      YearMonth month = run.month();
      String directory = "delivery_month_month=" + month + "/hospital_id=" + hospitalId;
      String partition =
          "delivery_month_month=" + monthOrdinal(month) + "/hospital_id=" + hospitalId;
      Path output =
          run.rejectsDirectory()
              .resolve(directory)
              .resolve(run.runId() + "-rejects-" + chunk.index() + ".parquet");
      writeParquet(
          statement,
          sql.rejectedRows(run.sourceFile(), run.prepared().sha256(), run.runId()),
          output,
          LabResults.REJECTS_CONTRACT);
      tally.rejects.add(new PartitionFile(output, partition, rejected));
    }
    if (accepted != read - rejected) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "row accounting broken for "
              + name
              + " (lines "
              + chunk.firstLine()
              + "-"
              + chunk.lastLine()
              + "): "
              + read
              + " read, "
              + rejected
              + " rejected, but "
              + accepted
              + " written");
    }
    tally.read += read;
    tally.accepted += accepted;
    tally.rejected += rejected;
    statement.execute(
        "DROP TABLE checked; DROP TABLE raw_lines; DROP TABLE patient_keys; DROP TABLE encounter_keys;"
            + " DROP TABLE duplicates; DROP TABLE code_check; DROP TABLE unit_conversions; DROP TABLE utc_shifts");
    trace("chunk done");
  }

  /**
   * Writes the chunk's accepted rows, one Parquet file per UTC month, and returns how many rows the
   * files hold. A month of at least a row group is written straight from the rows and their keys,
   * sorted, by all of DuckDB's threads, as a file of one month always was. The smaller months are
   * joined with their keys and sorted once, by month and the files' sort order, into the table
   * {@code accepted}, where each is one stretch of row ids that its {@code COPY} reads alone, in
   * order; they are written side by side on {@code ingest.threads} connections, each statement
   * single-threaded, since a Parquet file costs DuckDB about 2 ms however few rows it holds. See
   * "Backfills" in docs/ARCHITECTURE.md for what was measured.
   */
  private long writeResults(Run run, Tally tally) throws SQLException, IOException {
    Statement statement = run.statement();
    List<MonthRows> large = new ArrayList<>();
    long smallRows = 0;
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT date_trunc('month', collected_at) AS month, count(*) FROM checked"
                + " WHERE len(reasons) = 0 GROUP BY month ORDER BY month")) {
      while (rows.next()) {
        if (rows.getLong(2) >= SMALL_MONTH_ROWS) {
          large.add(new MonthRows(rows.getTimestamp(1).toLocalDateTime(), -1, -1, rows.getLong(2)));
        } else {
          smallRows += rows.getLong(2);
        }
      }
    }
    List<MonthRows> small = new ArrayList<>();
    if (smallRows > 0) {
      statement.execute(
          run.sql()
              .createAcceptedByMonth(
                  LakeCommitter.SORT,
                  large.stream()
                      .map(month -> Timestamp.valueOf(month.start()).toString())
                      .toList()));
      try (ResultSet rows =
          statement.executeQuery(
              "SELECT collected_month, min(rowid), max(rowid), count(*) FROM accepted GROUP BY collected_month ORDER BY collected_month")) {
        while (rows.next()) {
          small.add(
              new MonthRows(
                  rows.getTimestamp(1).toLocalDateTime(),
                  rows.getLong(2),
                  rows.getLong(3),
                  rows.getLong(4)));
        }
      }
    }
    List<MonthRows> months = new ArrayList<>(large);
    months.addAll(small);
    String hospitalId = run.mapping().hospitalId();
    List<PartitionFile> written = new ArrayList<>();
    long[] rowsWritten = new long[months.size()];
    List<WriteTask> tasks = new ArrayList<>();
    for (int index = 0; index < months.size(); index++) {
      MonthRows month = months.get(index);
      YearMonth yearMonth = YearMonth.from(month.start());
      String directory = "collected_at_month=" + yearMonth + "/hospital_id=" + hospitalId;
      String partition =
          "collected_at_month=" + monthOrdinal(yearMonth) + "/hospital_id=" + hospitalId;
      Path output =
          run.resultsDirectory()
              .resolve(directory)
              .resolve(run.runId() + "-" + (tally.results.size() + index) + ".parquet");
      written.add(new PartitionFile(output, partition, 0));
      String monthStart = Timestamp.valueOf(month.start()).toString();
      int slot = index;
      if (index < large.size()) {
        rowsWritten[slot] =
            writeParquet(
                statement,
                run.sql()
                    .acceptedRowsOfMonth(
                        monthStart, run.sourceFile(), run.runId(), LakeCommitter.SORT),
                output,
                LabResults.CONTRACT);
      } else {
        String query =
            run.sql()
                .acceptedOfMonth(
                    monthStart, month.firstRow(), month.lastRow(), run.sourceFile(), run.runId());
        String options = month.rows() < TINY_MONTH_ROWS ? ", DICTIONARY_SIZE_LIMIT 0" : "";
        tasks.add(
            taskStatement ->
                rowsWritten[slot] =
                    writeParquet(taskStatement, query, output, LabResults.CONTRACT, options));
      }
    }
    writeSideBySide(run, tasks);
    if (smallRows > 0) {
      statement.execute("DROP TABLE accepted");
    }
    // the committer checks each count against the file's footer when it reads the footer's metrics
    long accepted = 0;
    for (int index = 0; index < written.size(); index++) {
      accepted += rowsWritten[index];
      tally.results.add(
          new PartitionFile(
              written.get(index).path(), written.get(index).partitionPath(), rowsWritten[index]));
    }
    return accepted;
  }

  /**
   * A month's accepted rows; for a small month, row ids {@code firstRow} to {@code lastRow} of the
   * table {@code accepted}.
   */
  private record MonthRows(LocalDateTime start, long firstRow, long lastRow, long rows) {}

  /**
   * A month with fewer accepted rows than DuckDB's row group is small: written from the table
   * {@code accepted}, side by side with others.
   */
  static final long SMALL_MONTH_ROWS = 122_880;

  /**
   * A month with fewer accepted rows is written without dictionary pages: with zstd, plain pages
   * are no larger at that size (measured 0.89x at 100 rows, 0.98x at 1,000), and the file costs
   * DuckDB about a tenth less to write.
   */
  static final long TINY_MONTH_ROWS = 1_000;

  /** A statement to run on one of the connections of {@link #writeSideBySide}. */
  private interface WriteTask {
    void run(Statement statement) throws SQLException, IOException;
  }

  /**
   * Runs {@code tasks} on {@code ingest.threads} connections to the run's database at once, with
   * DuckDB's threads set to one meanwhile (the setting is the database's); a single task runs on
   * the run's connection with all of DuckDB's threads, as a file of one month always did.
   */
  private void writeSideBySide(Run run, List<WriteTask> tasks) throws SQLException, IOException {
    if (tasks.size() <= 1) {
      for (WriteTask task : tasks) {
        task.run(run.statement());
      }
      return;
    }
    int workers = Math.min(config.threads(), tasks.size());
    run.statement().execute("SET threads = 1");
    ExecutorService executor =
        Executors.newFixedThreadPool(
            workers,
            task -> {
              Thread thread = new Thread(task, "medlake-write");
              thread.setDaemon(true);
              return thread;
            });
    try {
      AtomicInteger next = new AtomicInteger();
      List<Future<Void>> futures = new ArrayList<>();
      for (int worker = 0; worker < workers; worker++) {
        futures.add(
            executor.submit(
                () -> {
                  try (Connection connection =
                          run.connection().unwrap(DuckDBConnection.class).duplicate();
                      Statement statement = connection.createStatement()) {
                    for (int index = next.getAndIncrement();
                        index < tasks.size();
                        index = next.getAndIncrement()) {
                      tasks.get(index).run(statement);
                    }
                  } catch (SQLException | IOException | RuntimeException e) {
                    next.set(tasks.size()); // the other workers stop at their next task
                    throw e;
                  }
                  return null;
                }));
      }
      Throwable failure = null;
      for (Future<Void> future : futures) {
        try {
          future.get();
        } catch (ExecutionException e) {
          failure = failure == null ? e.getCause() : failure;
        }
      }
      if (failure instanceof SQLException sql) {
        throw sql;
      } else if (failure instanceof IOException io) {
        throw io;
      } else if (failure instanceof RuntimeException runtime) {
        throw runtime;
      } else if (failure != null) {
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR, "Writing " + run.name() + " failed: " + failure, failure);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR, "Interrupted while writing " + run.name(), e);
    } finally {
      executor.shutdown();
      run.statement().execute("SET threads = " + config.threads());
    }
  }

  /**
   * Writes the rows of {@code query} to the Parquet file {@code output} with the field ids of
   * {@code contract}; returns how many rows DuckDB wrote.
   */
  private long writeParquet(Statement statement, String query, Path output, TableContract contract)
      throws SQLException, IOException {
    return writeParquet(statement, query, output, contract, "");
  }

  /**
   * As {@link #writeParquet(Statement, String, Path, TableContract)}, with further {@code COPY}
   * options ({@code ", NAME value"}).
   */
  private long writeParquet(
      Statement statement, String query, Path output, TableContract contract, String options)
      throws SQLException, IOException {
    Files.createDirectories(output.getParent());
    return statement.executeLargeUpdate(
        "COPY ("
            + query
            + ") TO "
            + literal(output.toString())
            + " (FORMAT parquet, COMPRESSION "
            + config.compression()
            + options
            + ", FIELD_IDS "
            + IcebergSchemas.duckDbFieldIds(contract)
            + ")");
  }

  /**
   * Whether the scan proved the file rectangular (see {@code LineScan.rectangular}), so that
   * DuckDB's native CSV reader, several times faster than splitting lines in SQL, parses it.
   */
  private static boolean qualifiesForReader(
      PreparedFile prepared, List<RecordGroups.Span> spans, HeaderLayout header) {
    LineScan scan = prepared.scan();
    return scan.rectangular().isPresent()
        && scan.rectangular().get().fields() == header.names().size()
        && spans.isEmpty()
        && prepared.encodingLines().isEmpty()
        && prepared.overlongLines().isEmpty()
        && scan.invalidLines().isEmpty()
        && scan.overlongLines().isEmpty()
        && (scan.controlBytes() & (1 << IngestSql.NEVER_OCCURS.charAt(0))) == 0;
  }

  /**
   * Parses a chunk of a rectangular file with DuckDB's CSV reader into {@code typed}. Throws,
   * leaving nothing behind, when the reader refuses it or its rows do not match the scan's lines
   * one to one.
   */
  private void parseRectangular(
      Statement statement, IngestSql sql, PreparedFile prepared, Path file, FileChunks.Chunk chunk)
      throws SQLException {
    try {
      statement.execute(
          sql.createTypedRectangular(
              file, prepared.scan().rectangular().get(), config.maxLineBytes(), chunk));
    } catch (SQLException e) {
      // not the reader's message: DuckDB quotes the offending line in it, and logs hold no patient
      // data
      LOG.warn(
          "{}: the CSV reader refused a file the scan found rectangular, reading it line by line instead",
          prepared.original().getFileName());
      statement.execute(DROP_TYPED_ROWS);
      throw new ReaderMismatch();
    }
    long rows = single(statement, "SELECT count(*) FROM typed");
    long lastLine =
        single(
            statement,
            "SELECT coalesce(max(line_no), " + (chunk.firstRecordLine() - 1) + ") FROM typed");
    if (rows != chunk.records() || lastLine != chunk.lastLine()) {
      LOG.warn(
          "{}: the CSV reader found {} records in lines {}-{}, reading the file line by line instead",
          prepared.original().getFileName(),
          rows,
          chunk.firstLine(),
          chunk.lastLine());
      statement.execute(DROP_TYPED_ROWS);
      throw new ReaderMismatch();
    }
  }

  /**
   * The raw text of the rejected lines, read back into {@code raw_lines} from {@code readable},
   * whose first line is line {@code linesBefore + 1} of the file.
   */
  private static void readRawLines(
      Connection connection, Statement statement, Path readable, long linesBefore)
      throws SQLException, IOException {
    long[] lines;
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT line_no FROM checked WHERE len(reasons) > 0 ORDER BY line_no")) {
      java.util.stream.LongStream.Builder builder = java.util.stream.LongStream.builder();
      while (rows.next()) {
        builder.add(rows.getLong(1) - linesBefore);
      }
      lines = builder.build().toArray();
    }
    try (DuckDBAppender appender =
        connection
            .unwrap(DuckDBConnection.class)
            .createAppender(DuckDBConnection.DEFAULT_SCHEMA, "raw_lines")) {
      int found =
          LinesByNumber.read(
              readable,
              lines,
              (number, text) -> {
                try {
                  appender.beginRow();
                  appender.append(number + linesBefore);
                  appender.append(text);
                  appender.endRow();
                } catch (SQLException e) {
                  throw new IOException(e);
                }
              });
      if (found != lines.length) {
        throw new MedlakeException(
            ErrorCode.INTERNAL_ERROR,
            "rejected lines missing from "
                + readable.getFileName()
                + ": found "
                + found
                + " of "
                + lines.length);
      }
    }
  }

  private void createSideTables(
      Connection connection,
      Statement statement,
      PreparedFile prepared,
      List<RecordGroups.Span> spans,
      SourceMapping mapping)
      throws SQLException, IOException {
    statement.execute("CREATE TABLE line_flags (line_no BIGINT PRIMARY KEY, flag VARCHAR)");
    statement.execute("CREATE TABLE spans (start_line BIGINT, end_line BIGINT)");
    statement.execute("CREATE TABLE span_lines (line_no BIGINT)");
    DuckDBConnection duck = connection.unwrap(DuckDBConnection.class);
    try (DuckDBAppender appender =
        duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "line_flags")) {
      Set<Long> seen = new HashSet<>();
      for (long line : prepared.overlongLines()) {
        seen.add(line);
        appender.beginRow();
        appender.append(line);
        appender.append("LINE_TOO_LONG");
        appender.endRow();
      }
      for (long line : prepared.encodingLines()) {
        if (seen.add(line)) {
          appender.beginRow();
          appender.append(line);
          appender.append("ENCODING");
          appender.endRow();
        }
      }
    }
    try (DuckDBAppender spanAppender =
            duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "spans");
        DuckDBAppender lineAppender =
            duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "span_lines")) {
      for (RecordGroups.Span span : spans) {
        spanAppender.beginRow();
        spanAppender.append(span.startLine());
        spanAppender.append(span.endLine());
        spanAppender.endRow();
        for (long line = span.startLine(); line <= span.endLine(); line++) {
          lineAppender.beginRow();
          lineAppender.append(line);
          lineAppender.endRow();
        }
      }
    }
    statement.execute(
        "CREATE TABLE plausibility (test_code VARCHAR PRIMARY KEY, plausible_min DOUBLE, plausible_max DOUBLE)");
    try (DuckDBAppender appender =
        duck.createAppender(DuckDBConnection.DEFAULT_SCHEMA, "plausibility")) {
      for (Map.Entry<String, double[]> range : catalog.plausibleRanges().entrySet()) {
        appender.beginRow();
        appender.append(range.getKey());
        appender.append(range.getValue()[0]);
        appender.append(range.getValue()[1]);
        appender.endRow();
      }
    }
    if (mapping.codeLookup().isPresent()) {
      CodeDictionary.load(statement, sourcesDirectory, mapping);
    }
  }

  /**
   * The table {@code unit_conversions}: for each distinct (test code, unit) pair of the chunk, the
   * unit normalized, the test's canonical unit and the factor between them (null when it does not
   * convert), from UCUM in Java once per pair.
   */
  private void convertUnits(Connection connection, Statement statement, IngestSql sql)
      throws SQLException {
    statement.execute(
        "CREATE TABLE unit_conversions (test_key VARCHAR, unit_key VARCHAR, unit VARCHAR, unit_canonical VARCHAR,"
            + " factor DOUBLE, status VARCHAR)");
    List<String[]> pairs = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery(sql.distinctTestUnits())) {
      while (rows.next()) {
        pairs.add(new String[] {rows.getString(1), rows.getString(2)});
      }
    }
    try (DuckDBAppender appender =
        connection
            .unwrap(DuckDBConnection.class)
            .createAppender(DuckDBConnection.DEFAULT_SCHEMA, "unit_conversions")) {
      for (String[] pair : pairs) {
        UnitConversion conversion =
            pair[0].isEmpty() ? units.withoutTest(pair[1]) : units.convert(pair[0], pair[1]);
        appender.beginRow();
        appender.append(pair[0]);
        appender.append(pair[1]);
        appender.append(conversion.unit());
        appender.append(conversion.canonicalUnit());
        if (conversion.status().isConvertible()) {
          appender.append(conversion.factor());
        } else {
          appender.appendNull();
        }
        appender.append(conversion.status().name());
        appender.endRow();
      }
    }
  }

  private static void checkCodes(Connection connection, Statement statement, boolean dictionary)
      throws SQLException {
    statement.execute("CREATE TABLE code_check (code VARCHAR PRIMARY KEY, valid BOOLEAN)");
    List<String> codes = new ArrayList<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT DISTINCT test_code FROM typed WHERE test_code IS NOT NULL"
                + (dictionary
                    ? " UNION SELECT test_code FROM dictionary WHERE test_code IS NOT NULL"
                    : ""))) {
      while (rows.next()) {
        codes.add(rows.getString(1));
      }
    }
    try (DuckDBAppender appender =
        connection
            .unwrap(DuckDBConnection.class)
            .createAppender(DuckDBConnection.DEFAULT_SCHEMA, "code_check")) {
      for (String code : codes) {
        appender.beginRow();
        appender.append(code);
        appender.append(LoincCheckDigit.isValid(code));
        appender.endRow();
      }
    }
  }

  private void linkKeys(Statement statement, String hospitalId, Path temporaryDirectory)
      throws SQLException {
    link(
        statement,
        hospitalId,
        LinkVault.Kind.PATIENT,
        "patient_id",
        "patient_keys",
        temporaryDirectory);
    link(
        statement,
        hospitalId,
        LinkVault.Kind.ENCOUNTER,
        "encounter_id",
        "encounter_keys",
        temporaryDirectory);
  }

  /**
   * Links the distinct ids of {@code column} in batches of {@code ingest.vault-batch}, so that the
   * JVM holds one batch however many ids the file has; each batch is one vault transaction (a link
   * stored by a run that fails later is simply reused). The pairs go to DuckDB through a CSV file,
   * the fast way to hand it many rows from Java (the appender crosses JNI per value); the file
   * lives in the run's work directory, which is deleted when the run ends.
   */
  private void link(
      Statement statement,
      String hospitalId,
      LinkVault.Kind kind,
      String column,
      String table,
      Path temporaryDirectory)
      throws SQLException {
    Path file = temporaryDirectory.resolve(table + ".csv");
    long linked = 0;
    try (java.io.BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        ResultSet rows =
            statement.executeQuery(
                "SELECT DISTINCT "
                    + column
                    + " FROM checked WHERE len(reasons) = 0 AND "
                    + column
                    + " IS NOT NULL")) {
      int batchSize = config.vaultBatch();
      List<String> batch = new ArrayList<>(Math.min(batchSize, 1 << 16));
      boolean more = true;
      while (more) {
        more = rows.next();
        if (more) {
          batch.add(rows.getString(1));
        }
        if (batch.size() == batchSize || !more && !batch.isEmpty()) {
          for (Map.Entry<String, String> entry :
              vault.surrogates(hospitalId, kind, batch).entrySet()) {
            writer.write(quoted(entry.getKey()));
            writer.write(',');
            writer.write(quoted(entry.getValue())); // holds the hospital id
            writer.write('\n');
          }
          linked += batch.size();
          batch.clear();
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    trace("vault " + column + " " + linked);
    statement.execute(
        "CREATE TABLE "
            + table
            + " AS SELECT * FROM read_csv("
            + literal(file.toString())
            + ", columns = {'local_id': 'VARCHAR', 'surrogate': 'VARCHAR'}, header = false, auto_detect = false, quote = '\"', escape = '\"',"
            + " delim = ',', null_padding = false)");
  }

  private static String quoted(String value) {
    return '"' + value.replace("\"", "\"\"") + '"';
  }

  /** Iceberg's month transform: months since 1970-01. */
  private static int monthOrdinal(YearMonth month) {
    return (month.getYear() - 1970) * 12 + month.getMonthValue() - 1;
  }

  private static long single(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
