package org.medlake.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.contract.LabResults;
import org.medlake.core.file.FilePreparer;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.core.text.TextTable;
import org.medlake.core.vault.LinkVault;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.lake.DuckDb;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;

/**
 * {@code medlake bench ingest}: the full pipeline against a plain DuckDB {@code COPY} of the same
 * generated CSV (in a process of its own and in this JVM) and against the floor of work the
 * pipeline cannot skip (a sorting {@code COPY}, the checksum, linking the ids); each size in a JVM
 * of its own.
 */
public final class IngestBenchmark {
  private IngestBenchmark() {}

  /**
   * Measures each codec at {@code rows} and, with {@code scale > 1}, at {@code rows * scale}, each
   * in a child JVM, and prints the report.
   */
  public static void run(Path directory, int rows, int scale, List<String> compressions)
      throws IOException, InterruptedException {
    List<Map<String, Object>> results = new ArrayList<>();
    for (String compression : compressions) {
      for (int size : scale > 1 ? List.of(rows, rows * scale) : List.of(rows)) {
        System.err.printf("bench: %,d rows, %s ...%n", size, compression);
        results.add(child(directory.resolve(compression + "-" + size), size, compression));
      }
    }
    print(results);
  }

  /** Each measurement runs in its own JVM so that peak memory is its own. */
  private static Map<String, Object> child(Path directory, int size, String compression)
      throws IOException, InterruptedException {
    Files.createDirectories(directory);
    return child(
        List.of(
            "bench",
            "ingest",
            "--single",
            "--rows",
            String.valueOf(size),
            "--compression",
            compression,
            "--work",
            directory.toString()));
  }

  /** Runs the CLI with {@code arguments} in a new JVM and reads the JSON object it prints. */
  static Map<String, Object> child(List<String> arguments)
      throws IOException, InterruptedException {
    List<String> command = CliProcess.command("1g", arguments);
    Process process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (process.waitFor() != 0) {
      throw new IllegalStateException(
          "benchmark child failed with exit code " + process.exitValue());
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result = new ObjectMapper().readValue(output, Map.class);
    return result;
  }

  /**
   * One measurement in this JVM (the child JVM's work): the figures {@code bench ingest --single}
   * prints as JSON.
   */
  public static Map<String, Object> measure(Path directory, int rows, String compression)
      throws IOException, SQLException {
    Path homeDirectory = directory.resolve("home");
    Files.createDirectories(homeDirectory);
    Files.writeString(
        homeDirectory.resolve("medlake.yaml"), "ingest:\n  compression: " + compression + "\n");
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    GenerationReport report =
        Generation.generate(home, home.landing(), 1, 1, YearMonth.of(2024, 1), rows, 7);
    GeneratedFile file = report.files().get(0);
    long csvBytes = Files.size(file.path());
    resetPeakMemory();
    long cpuStart = PlainCopy.cpuNanos();
    long start = System.nanoTime();
    IngestRun run;
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      run = service.ingest(new IngestService.Delivery(file.path(), file.source(), file.month()));
    }
    long pipelineNanos = System.nanoTime() - start;
    long pipelineCpuNanos = PlainCopy.cpuNanos() - cpuStart;
    long peakBytes = peakMemory();
    // the baseline the goals name: the plain COPY in a process of its own, right after the pipeline
    Map<String, Object> ownProcess =
        plainCopyProcess(
            file.path(),
            directory.resolve("baseline-own-process.parquet"),
            compression,
            home.config().ingest().memoryLimit(),
            home.config().ingest().threads(),
            home.temporary());
    Path baseline = directory.resolve("baseline.parquet");
    long copyStart = System.nanoTime();
    try (Connection connection =
            DuckDb.open(
                home.config().ingest().memoryLimit(),
                home.config().ingest().threads(),
                home.temporary());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "COPY (SELECT * FROM read_csv("
              + DuckDb.literal(file.path().toString())
              + ")) TO "
              + DuckDb.literal(baseline.toString())
              + " (FORMAT parquet, COMPRESSION "
              + compression
              + ")");
    }
    long copyNanos = System.nanoTime() - copyStart;
    List<Map<String, Object>> pipelineColumns;
    List<Map<String, Object>> copyColumns;
    try (Connection connection =
            DuckDb.open(
                home.config().ingest().memoryLimit(),
                home.config().ingest().threads(),
                home.temporary());
        Statement statement = connection.createStatement()) {
      String resultsGlob =
          home.warehouse().resolve(LabResults.NAMESPACE).resolve(LabResults.TABLE).resolve("data")
              + "/**/*.parquet";
      pipelineColumns = columnSizes(statement, DuckDb.literal(resultsGlob));
      copyColumns = columnSizes(statement, DuckDb.literal(baseline.toString()));
    }
    Floor floor = floor(home, directory, file, compression);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("rows", rows);
    result.put("compression", compression);
    result.put("csv_bytes", csvBytes);
    result.put("rows_accepted", run.rowsAccepted());
    result.put("rows_rejected", run.rowsRejected());
    result.put("pipeline_ms", pipelineNanos / 1_000_000);
    result.put("pipeline_cpu_ms", pipelineCpuNanos / 1_000_000);
    result.put("copy_process_rows", number(ownProcess, "copy_rows"));
    result.put("copy_process_ms", number(ownProcess, "copy_ms"));
    result.put("copy_process_cpu_ms", number(ownProcess, "copy_cpu_ms"));
    result.put("copy_process_peak_rss_bytes", number(ownProcess, "copy_peak_rss_bytes"));
    result.put("copy_ms", copyNanos / 1_000_000);
    result.put("sorted_copy_ms", floor.sortedCopyNanos() / 1_000_000);
    result.put("checksum_ms", floor.checksumNanos() / 1_000_000);
    result.put("vault_ms", floor.vaultNanos() / 1_000_000);
    result.put("vault_ids", floor.ids());
    result.put("floor_ms", floor.totalNanos() / 1_000_000);
    result.put("parquet_bytes", run.bytesOut());
    result.put("copy_parquet_bytes", Files.size(baseline));
    result.put("peak_rss_bytes", peakBytes);
    result.put("columns", pipelineColumns);
    result.put("copy_columns", copyColumns);
    return result;
  }

  /**
   * Runs {@link PlainCopy} in a new JVM that loads only DuckDB, with the pipeline's memory limit
   * and threads, and returns what it prints (its time, CPU time and peak memory).
   */
  private static Map<String, Object> plainCopyProcess(
      Path csv, Path parquet, String compression, String memoryLimit, int threads, Path temporary)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Files.createDirectories(temporary);
    Process process =
        new ProcessBuilder(
                java,
                "-Xmx1g",
                "-cp",
                System.getProperty("java.class.path"),
                PlainCopy.class.getName(),
                csv.toString(),
                parquet.toString(),
                compression,
                memoryLimit,
                String.valueOf(threads),
                temporary.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    byte[] output = process.getInputStream().readAllBytes();
    try {
      if (process.waitFor() != 0) {
        throw new IllegalStateException(
            "the plain COPY's process failed with exit code " + process.exitValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the plain COPY's process", e);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result = new ObjectMapper().readValue(output, Map.class);
    Files.deleteIfExists(parquet);
    return result;
  }

  /**
   * Where a Parquet file's bytes go, from its footers: per column (largest first) the compressed
   * bytes, their share, the encodings, and the row groups and rows per row group of the files.
   */
  private static List<Map<String, Object>> columnSizes(Statement statement, String files)
      throws SQLException {
    List<Map<String, Object>> columns = new ArrayList<>();
    try (java.sql.ResultSet rows =
        statement.executeQuery(
            "SELECT path_in_schema, sum(total_compressed_size) AS bytes,"
                + " sum(total_uncompressed_size) AS raw, string_agg(DISTINCT encodings, ' ') AS encodings,"
                + " count(DISTINCT (file_name, row_group_id)) AS row_groups, sum(num_values) AS values"
                + " FROM parquet_metadata("
                + files
                + ") GROUP BY 1 ORDER BY 2 DESC")) {
      while (rows.next()) {
        Map<String, Object> column = new LinkedHashMap<>();
        column.put("column", rows.getString(1));
        column.put("bytes", rows.getLong(2));
        column.put("uncompressed_bytes", rows.getLong(3));
        column.put("encodings", rows.getString(4));
        column.put("row_groups", rows.getLong(5));
        column.put("values", rows.getLong(6));
        columns.add(column);
      }
    }
    return columns;
  }

  /**
   * The work no pipeline that keeps the data contract can skip, each part timed alone in this
   * process after the pipeline: a COPY that also sorts by test code and collection time (the
   * contract's sort order), the file's SHA-256 (idempotency), and linking the file's distinct
   * patient and encounter ids in a new link vault (pseudonymization). Their sum is a floor for the
   * pipeline's time: it leaves out validation, line numbers, duplicates and both commits, and
   * assumes no overlap.
   */
  private static Floor floor(
      MedlakeHome home, Path directory, GeneratedFile file, String compression)
      throws IOException, SQLException {
    SourceMapping mapping = new SourceRegistry(home.sources()).load(file.source());
    String csv = "read_csv(" + DuckDb.literal(file.path().toString()) + ")";
    String testCode = column(mapping, SourceMapping.Field.TEST_CODE);
    String collectedAt = column(mapping, SourceMapping.Field.COLLECTED_AT);
    long sortedCopyNanos;
    Map<LinkVault.Kind, List<String>> ids = new java.util.EnumMap<>(LinkVault.Kind.class);
    try (Connection connection =
            DuckDb.open(
                home.config().ingest().memoryLimit(),
                home.config().ingest().threads(),
                home.temporary());
        Statement statement = connection.createStatement()) {
      // the pipeline sorts each chunk of ingest.chunk-rows records into files of its own, so the
      // floor
      // does the same: one sorted COPY per chunk, from the file split beforehand (untimed)
      sortedCopyNanos = 0;
      List<Path> chunks =
          splitIntoChunks(
              file.path(), directory.resolve("chunks"), home.config().ingest().chunkRows());
      for (int index = 0; index < chunks.size(); index++) {
        long start = System.nanoTime();
        statement.execute(
            "COPY (SELECT * FROM read_csv("
                + DuckDb.literal(chunks.get(index).toString())
                + ") ORDER BY "
                + testCode
                + ", "
                + collectedAt
                + ") TO "
                + DuckDb.literal(directory.resolve("sorted-" + index + ".parquet").toString())
                + " (FORMAT parquet, COMPRESSION "
                + compression
                + ")");
        sortedCopyNanos += System.nanoTime() - start;
        Files.delete(chunks.get(index));
      }
      ids.put(
          LinkVault.Kind.PATIENT,
          distinct(statement, csv, column(mapping, SourceMapping.Field.PATIENT_ID)));
      ids.put(
          LinkVault.Kind.ENCOUNTER,
          distinct(statement, csv, column(mapping, SourceMapping.Field.ENCOUNTER_ID)));
    }
    long start = System.nanoTime();
    FilePreparer.checksum(file.path());
    long checksumNanos = System.nanoTime() - start;
    byte[] key = new byte[32];
    new java.security.SecureRandom().nextBytes(key);
    int batch = home.config().ingest().vaultBatch();
    long vaultNanos = 0;
    try (LinkVault vault = LinkVault.open(directory.resolve("floor-vault.db"), key)) {
      for (Map.Entry<LinkVault.Kind, List<String>> kind : ids.entrySet()) {
        List<String> localIds = kind.getValue();
        for (int from = 0; from < localIds.size(); from += batch) {
          List<String> slice = localIds.subList(from, Math.min(localIds.size(), from + batch));
          long linkStart = System.nanoTime();
          vault.surrogates(file.hospitalId(), kind.getKey(), slice);
          vaultNanos += System.nanoTime() - linkStart;
        }
      }
    }
    return new Floor(
        sortedCopyNanos,
        checksumNanos,
        vaultNanos,
        ids.values().stream().mapToLong(List::size).sum());
  }

  /**
   * Splits the generated CSV (one record a line) into files of at most {@code records} records,
   * each with the header.
   */
  private static List<Path> splitIntoChunks(Path csv, Path directory, long records)
      throws IOException {
    Files.createDirectories(directory);
    List<Path> chunks = new ArrayList<>();
    try (java.io.BufferedReader reader =
        Files.newBufferedReader(csv, java.nio.charset.StandardCharsets.UTF_8)) {
      String header = reader.readLine();
      String line = reader.readLine();
      while (line != null) {
        Path chunk = directory.resolve("chunk-" + chunks.size() + ".csv");
        try (java.io.BufferedWriter writer =
            Files.newBufferedWriter(chunk, java.nio.charset.StandardCharsets.UTF_8)) {
          writer.write(header);
          writer.write('\n');
          for (long written = 0;
              written < records && line != null;
              written++, line = reader.readLine()) {
            writer.write(line);
            writer.write('\n');
          }
        }
        chunks.add(chunk);
      }
    }
    return chunks;
  }

  private record Floor(long sortedCopyNanos, long checksumNanos, long vaultNanos, long ids) {
    long totalNanos() {
      return sortedCopyNanos + checksumNanos + vaultNanos;
    }
  }

  private static String column(SourceMapping mapping, SourceMapping.Field field) {
    return '"'
        + mapping
            .column(field)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "the generated source maps no column to " + field.key()))
            .replace("\"", "\"\"")
        + '"';
  }

  private static List<String> distinct(Statement statement, String csv, String column)
      throws SQLException {
    List<String> values = new ArrayList<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT DISTINCT "
                + column
                + "::VARCHAR FROM "
                + csv
                + " WHERE "
                + column
                + " IS NOT NULL")) {
      while (rows.next()) {
        values.add(rows.getString(1));
      }
    }
    return values;
  }

  private static void print(List<Map<String, Object>> results) {
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> result : results) {
      long rowCount = number(result, "rows");
      long pipeline = number(result, "pipeline_ms");
      long copy = number(result, "copy_ms");
      double megabytes = number(result, "csv_bytes") / 1e6;
      long sortedCopy = number(result, "sorted_copy_ms");
      long floor = number(result, "floor_ms");
      long ownCopy = number(result, "copy_process_ms");
      rows.add(
          List.of(
              TextTable.count(rowCount),
              (String) result.get("compression"),
              String.format(Locale.ROOT, "%.0f MB", megabytes),
              pipeline + " ms",
              number(result, "pipeline_cpu_ms") + " ms",
              ownCopy + " ms",
              number(result, "copy_process_cpu_ms") + " ms",
              String.format(Locale.ROOT, "%.2f", (double) pipeline / ownCopy),
              copy + " ms",
              String.format(Locale.ROOT, "%.2f", (double) pipeline / copy),
              sortedCopy + " ms",
              floor + " ms",
              String.format(Locale.ROOT, "%.2f", (double) pipeline / floor),
              String.format(Locale.ROOT, "%,.0f", rowCount * 1000.0 / pipeline),
              String.format(Locale.ROOT, "%.1f", megabytes * 1000 / pipeline),
              TextTable.bytes(number(result, "parquet_bytes")),
              TextTable.bytes(number(result, "copy_parquet_bytes")),
              TextTable.bytes(number(result, "peak_rss_bytes")),
              TextTable.bytes(number(result, "copy_process_peak_rss_bytes"))));
    }
    TextTable.print(
        System.out,
        List.of(
            "rows",
            "codec",
            "csv",
            "pipeline",
            "CPU",
            "COPY (own process)",
            "CPU",
            "ratio",
            "COPY (same JVM)",
            "ratio",
            "sorted COPY",
            "floor",
            "x floor",
            "rows/s",
            "MB/s",
            "parquet",
            "COPY parquet",
            "peak RSS",
            "COPY peak RSS"),
        rows);
    for (Map<String, Object> result : results) {
      System.out.printf(
          Locale.ROOT,
          "floor %s %,d rows: sorted COPY %,d ms + SHA-256 %,d ms + linking %,d ids in a new vault %,d ms"
              + " = %,d ms, %.2fx the plain COPY (own process)%n",
          result.get("compression"),
          number(result, "rows"),
          number(result, "sorted_copy_ms"),
          number(result, "checksum_ms"),
          number(result, "vault_ids"),
          number(result, "vault_ms"),
          number(result, "floor_ms"),
          (double) number(result, "floor_ms") / number(result, "copy_process_ms"));
    }
    for (int i = 0; i + 1 < results.size(); i += 2) {
      if (!results.get(i).get("compression").equals(results.get(i + 1).get("compression"))) {
        continue;
      }
      double growth =
          (double) number(results.get(i + 1), "peak_rss_bytes")
              / number(results.get(i), "peak_rss_bytes");
      System.out.printf(
          Locale.ROOT,
          "peak memory %s: %,d rows -> %,d rows: x%.2f%n",
          results.get(i).get("compression"),
          number(results.get(i), "rows"),
          number(results.get(i + 1), "rows"),
          growth);
    }
    for (Map<String, Object> result : results) {
      printColumns(result);
    }
    System.out.println(
        "machine: "
            + Runtime.getRuntime().availableProcessors()
            + " cores, "
            + System.getProperty("os.name")
            + " "
            + System.getProperty("os.arch")
            + ", Java "
            + System.getProperty("java.version"));
  }

  /** The pipeline's and the plain COPY's Parquet bytes per column, side by side, largest first. */
  @SuppressWarnings("unchecked")
  private static void printColumns(Map<String, Object> result) {
    List<Map<String, Object>> pipeline =
        (List<Map<String, Object>>) result.getOrDefault("columns", List.of());
    List<Map<String, Object>> copy =
        (List<Map<String, Object>>) result.getOrDefault("copy_columns", List.of());
    if (pipeline.isEmpty()) {
      return;
    }
    long pipelineTotal = pipeline.stream().mapToLong(column -> number(column, "bytes")).sum();
    long copyTotal = copy.stream().mapToLong(column -> number(column, "bytes")).sum();
    long rowCount = number(result, "rows");
    System.out.printf(
        Locale.ROOT,
        "Parquet bytes per column, %s, %,d rows: pipeline %s in %,d row groups, plain COPY %s in %,d row groups%n",
        result.get("compression"),
        rowCount,
        TextTable.bytes(pipelineTotal),
        number(pipeline.get(0), "row_groups"),
        TextTable.bytes(copyTotal),
        copy.isEmpty() ? 0 : number(copy.get(0), "row_groups"));
    List<List<String>> rows = new ArrayList<>();
    for (int i = 0; i < Math.max(pipeline.size(), copy.size()); i++) {
      List<String> row = new ArrayList<>();
      for (List<Map<String, Object>> side : List.of(pipeline, copy)) {
        long total = side == pipeline ? pipelineTotal : copyTotal;
        if (i < side.size()) {
          Map<String, Object> column = side.get(i);
          row.addAll(
              List.of(
                  (String) column.get("column"),
                  TextTable.bytes(number(column, "bytes")),
                  String.format(Locale.ROOT, "%.1f %%", 100.0 * number(column, "bytes") / total),
                  String.format(
                      Locale.ROOT,
                      "%.2f",
                      (double) number(column, "bytes") / Math.max(1, rowCount)),
                  (String) column.get("encodings")));
        } else {
          row.addAll(List.of("", "", "", "", ""));
        }
      }
      rows.add(row);
    }
    TextTable.print(
        System.out,
        List.of(
            "pipeline column",
            "bytes",
            "share",
            "B/row",
            "encodings",
            "COPY column",
            "bytes",
            "share",
            "B/row",
            "encodings"),
        rows);
  }

  private static long number(Map<String, Object> result, String key) {
    return ((Number) result.get(key)).longValue();
  }

  /** Linux: writing 5 to clear_refs resets the peak resident set size (VmHWM). */
  private static void resetPeakMemory() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException ignored) {
      // not Linux: the peak then includes generation
    }
  }

  private static long peakMemory() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return -1;
  }
}
