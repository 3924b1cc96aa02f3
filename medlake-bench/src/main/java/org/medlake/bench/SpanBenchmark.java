package org.medlake.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.file.CsvLineSplitter;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceRegistry;
import org.medlake.core.text.TextTable;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.testkit.generate.GeneratedFile;

/**
 * {@code medlake bench ingest --span-months N}: the same generated rows ingested once all in one
 * month and once spread evenly over N months back from it (a backfill), each run in a JVM and a
 * home of its own, alternately, {@value #RUNS} times each: time, CPU, rows/s, data files, Parquet
 * bytes, and the backfill goal: within {@value #TIME_FACTOR}x the one month's time, and at most one
 * data file per {@value #BYTES_PER_FILE} bytes of Parquet or per partition, whichever is more. The
 * bench's source has the collected-at-in-month rule off and its times in UTC, in both cases.
 */
public final class SpanBenchmark {
  /** The month the rows are generated in, and the most recent month of a spread. */
  static final YearMonth LAST_MONTH = YearMonth.of(2024, 1);

  static final int RUNS = 3;
  static final double TIME_FACTOR = 2;
  static final long BYTES_PER_FILE = 100_000;

  /** The generated layout's timestamps (source h001, {@code %Y-%m-%d %H:%M:%S}). */
  private static final String STRPTIME_FORMAT = "%Y-%m-%d %H:%M:%S";

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

  /** The earliest birth year the rules accept. */
  private static final int FIRST_BIRTH_YEAR = 1870;

  private SpanBenchmark() {}

  /** Runs both cases in child JVMs and prints the comparison. */
  public static void run(Path directory, int rows, int months, String compression)
      throws IOException, InterruptedException {
    List<Map<String, Object>> one = new ArrayList<>();
    List<Map<String, Object>> spread = new ArrayList<>();
    for (int run = 1; run <= RUNS; run++) {
      for (int span : List.of(1, months)) {
        System.err.printf(
            "bench: %,d rows over %,d month(s), run %d of %d ...%n", rows, span, run, RUNS);
        Path work = directory.resolve("span-" + span + "-run-" + run);
        Files.createDirectories(work);
        Map<String, Object> result =
            IngestBenchmark.child(
                List.of(
                    "bench",
                    "ingest",
                    "--single",
                    "--span-months",
                    String.valueOf(span),
                    "--rows",
                    String.valueOf(rows),
                    "--compression",
                    compression,
                    "--work",
                    work.toString()));
        (span == 1 ? one : spread).add(result);
      }
    }
    print(one, spread, months);
  }

  /**
   * One measurement, in this process: generates {@code rows} rows in {@link #LAST_MONTH}, spreads
   * them over {@code months} months, and times the ingest of the file into a new home.
   */
  public static Map<String, Object> measure(
      Path directory, int rows, int months, String compression) throws IOException {
    Path homeDirectory = directory.resolve("home");
    Files.createDirectories(homeDirectory);
    Files.writeString(
        homeDirectory.resolve("medlake.yaml"), "ingest:\n  compression: " + compression + "\n");
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    GeneratedFile file =
        Generation.generate(home, home.landing(), 1, 1, LAST_MONTH, rows, 7).files().get(0);
    Path mappingFile = home.sources().resolve(file.source() + ".yaml");
    String mappingText = Files.readString(mappingFile);
    if (mappingText.contains("\nrules:")) {
      throw new IllegalStateException(
          "bench: the generated mapping " + mappingFile + " has rules of its own; expected none");
    }
    // a backfill's rows lie outside its delivery month by design; in UTC, no row moved across a
    // daylight-saving change lands in a gap or an overlap (which could reject it), so both cases
    // accept the same rows
    Files.writeString(
        mappingFile,
        mappingText.replaceAll("(?m)^time-zone: .*$", "time-zone: UTC")
            + "rules:\n  disabled: [collected-at-in-month]\n");
    SourceMapping mapping = new SourceRegistry(home.sources()).load(file.source());
    if (months > 1) {
      spread(file.path(), mapping, months);
    }
    long csvBytes = Files.size(file.path());
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    Map<String, Object> result = new LinkedHashMap<>();
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      IngestRun run =
          service.ingest(new IngestService.Delivery(file.path(), file.source(), file.month()));
      long pipelineNanos = System.nanoTime() - start;
      long cpuNanos = processCpuNanos() - cpuStart;
      Table table = service.lakehouse().labResults();
      table.refresh();
      long files = 0;
      long bytes = 0;
      Set<String> partitions = new HashSet<>();
      // a home of its own: the table's files are the run's
      try (CloseableIterable<FileScanTask> planned = table.newScan().planFiles()) {
        for (FileScanTask task : planned) {
          DataFile dataFile = task.file();
          files++;
          bytes += dataFile.fileSizeInBytes();
          partitions.add(
              table.specs().get(dataFile.specId()).partitionToPath(dataFile.partition()));
        }
      }
      int snapshots = 0;
      for (var ignored : table.snapshots()) {
        snapshots++;
      }
      result.put("months", months);
      result.put("rows", rows);
      result.put("csv_bytes", csvBytes);
      result.put("status", run.status().toString());
      result.put("rows_accepted", run.rowsAccepted());
      result.put("rows_rejected", run.rowsRejected());
      result.put("pipeline_ms", pipelineNanos / 1_000_000);
      result.put("cpu_ms", cpuNanos / 1_000_000);
      result.put("data_files", files);
      result.put("parquet_bytes", bytes);
      result.put("partitions", partitions.size());
      result.put("snapshots", snapshots);
    }
    return result;
  }

  /**
   * Rewrites the generated file {@code csv} in place with its rows spread evenly over {@code
   * months} months back from {@link #LAST_MONTH}, the oldest first: row i of n moves {@code months
   * - 1 - i * months / n} months back, its result time by the same duration, and its birth year by
   * the same number of years (not before {@value #FIRST_BIRTH_YEAR}), so the rules judge it as
   * before. Everything else stays as generated.
   */
  static void spread(Path csv, SourceMapping mapping, int months) throws IOException {
    if (!mapping.timestampFormats().equals(List.of(STRPTIME_FORMAT))) {
      throw new IllegalStateException(
          "bench: the generated source's timestamp formats are "
              + mapping.timestampFormats()
              + ", expected ["
              + STRPTIME_FORMAT
              + "]");
    }
    char delimiter = mapping.csv().delimiter();
    char quote = mapping.csv().quote();
    CsvLineSplitter splitter = new CsvLineSplitter(delimiter, quote);
    long records;
    try (var lines = Files.lines(csv, StandardCharsets.UTF_8)) {
      records = lines.count() - 1;
    }
    Path spread = csv.resolveSibling(csv.getFileName() + ".spread");
    try (BufferedReader reader = Files.newBufferedReader(csv, StandardCharsets.UTF_8);
        BufferedWriter writer = Files.newBufferedWriter(spread, StandardCharsets.UTF_8)) {
      String headerLine = reader.readLine();
      List<String> header =
          splitter
              .split(headerLine)
              .orElseThrow(() -> new IllegalStateException("bench: unreadable header in " + csv));
      int collected = column(header, mapping, SourceMapping.Field.COLLECTED_AT);
      int resulted = column(header, mapping, SourceMapping.Field.RESULTED_AT);
      int birthYear = column(header, mapping, SourceMapping.Field.PATIENT_BIRTH_YEAR);
      writer.write(headerLine);
      writer.write('\n');
      long index = 0;
      for (String line = reader.readLine(); line != null; line = reader.readLine(), index++) {
        List<String> fields =
            new ArrayList<>(
                splitter
                    .split(line)
                    .orElseThrow(
                        () ->
                            new IllegalStateException(
                                "bench: the generated file "
                                    + csv
                                    + " has a line that is not one record")));
        int back = (int) (months - 1 - index * months / records);
        LocalDateTime original = parse(fields.get(collected));
        LocalDateTime moved = original.minusMonths(back);
        fields.set(collected, TIMESTAMP.format(moved));
        if (!fields.get(resulted).isEmpty()) {
          // by the same duration, not the same months: a day clamped to a shorter month must not
          // put the result before the collection
          fields.set(
              resulted,
              TIMESTAMP.format(
                  parse(fields.get(resulted)).plus(java.time.Duration.between(original, moved))));
        }
        if (fields.get(birthYear).matches("[0-9]{4}")) {
          int year =
              Integer.parseInt(fields.get(birthYear)) - (original.getYear() - moved.getYear());
          fields.set(birthYear, String.valueOf(Math.max(FIRST_BIRTH_YEAR, year)));
        }
        writer.write(encode(fields, delimiter, quote));
        writer.write('\n');
      }
    }
    Files.move(spread, csv, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static int column(List<String> header, SourceMapping mapping, SourceMapping.Field field) {
    String name =
        mapping
            .column(field)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "bench: the generated source maps no column to " + field.key()));
    int index = header.indexOf(name);
    if (index < 0) {
      throw new IllegalStateException("bench: the generated file has no column '" + name + "'");
    }
    return index;
  }

  private static LocalDateTime parse(String timestamp) {
    try {
      return LocalDateTime.parse(timestamp, TIMESTAMP);
    } catch (DateTimeParseException e) {
      throw new IllegalStateException(
          "bench: the generated file has a timestamp that is not yyyy-MM-dd HH:mm:ss: "
              + e.getMessage(),
          e);
    }
  }

  private static String encode(List<String> fields, char delimiter, char quote) {
    StringBuilder line = new StringBuilder();
    for (int index = 0; index < fields.size(); index++) {
      if (index > 0) {
        line.append(delimiter);
      }
      String field = fields.get(index);
      if (field.indexOf(delimiter) >= 0
          || field.indexOf(quote) >= 0
          || field.indexOf('\n') >= 0
          || field.indexOf('\r') >= 0) {
        String doubled = String.valueOf(quote) + quote;
        line.append(quote).append(field.replace(String.valueOf(quote), doubled)).append(quote);
      } else {
        line.append(field);
      }
    }
    return line.toString();
  }

  private static void print(
      List<Map<String, Object>> one, List<Map<String, Object>> spread, int months) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Map<String, Object>> results : List.of(one, spread)) {
      for (Map<String, Object> result : results) {
        long files = number(result, "data_files");
        long bytes = number(result, "parquet_bytes");
        long pipeline = number(result, "pipeline_ms");
        rows.add(
            List.of(
                TextTable.count(number(result, "months")),
                TextTable.count(number(result, "rows")),
                TextTable.count(number(result, "rows_accepted")),
                String.format(Locale.ROOT, "%,d ms", pipeline),
                String.format(Locale.ROOT, "%,d ms", number(result, "cpu_ms")),
                String.format(Locale.ROOT, "%,.0f", number(result, "rows") * 1000.0 / pipeline),
                TextTable.count(files),
                TextTable.count(number(result, "partitions")),
                TextTable.bytes(bytes),
                TextTable.bytes(files == 0 ? 0 : bytes / files),
                TextTable.count(number(result, "snapshots"))));
      }
    }
    TextTable.print(
        System.out,
        List.of(
            "months",
            "rows",
            "accepted",
            "time",
            "CPU",
            "rows/s",
            "data files",
            "partitions",
            "parquet",
            "per file",
            "snapshots"),
        rows);
    long oneTime = median(one, "pipeline_ms");
    long spreadTime = median(spread, "pipeline_ms");
    double ratio = (double) spreadTime / oneTime;
    double cpuRatio = (double) median(spread, "cpu_ms") / median(one, "cpu_ms");
    Map<String, Object> last = spread.get(spread.size() - 1);
    long files = number(last, "data_files");
    long bytes = number(last, "parquet_bytes");
    long partitions = number(last, "partitions");
    long byBytes = (bytes + BYTES_PER_FILE - 1) / BYTES_PER_FILE;
    long allowed = Math.max(byBytes, partitions);
    System.out.printf(
        Locale.ROOT,
        "%,d months against one, medians of %d runs: time %,d ms against %,d ms = %.2fx (goal <= %.0fx): %s;"
            + " CPU %.2fx%n",
        months,
        RUNS,
        spreadTime,
        oneTime,
        ratio,
        TIME_FACTOR,
        ratio <= TIME_FACTOR ? "met" : "NOT met",
        cpuRatio);
    System.out.printf(
        Locale.ROOT,
        "data files %,d, allowed max(%,d for %s of Parquet at 1 per 100 KB, %,d partitions) = %,d: %s;"
            + " lab_results snapshots after the backfill: %,d%n",
        files,
        byBytes,
        TextTable.bytes(bytes),
        partitions,
        allowed,
        files <= allowed ? "met" : "NOT met",
        number(last, "snapshots"));
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

  private static long median(List<Map<String, Object>> results, String key) {
    List<Long> values =
        results.stream()
            .map(result -> number(result, key))
            .sorted(Comparator.naturalOrder())
            .toList();
    return values.get(values.size() / 2);
  }

  private static long number(Map<String, Object> result, String key) {
    return ((Number) result.get(key)).longValue();
  }

  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }
}
