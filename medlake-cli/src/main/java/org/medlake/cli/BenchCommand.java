package org.medlake.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.ingest.generate.GeneratedFile;
import org.medlake.ingest.generate.GenerationReport;
import org.medlake.core.ledger.IngestRun;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.lake.DuckDb;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "bench", description = "Benchmarks. 'bench ingest': the full pipeline against a plain DuckDB COPY of the same CSV;"
    + " 'bench query': pruned and full aggregates through medlake against plain DuckDB over the same Parquet files.")
final class BenchCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Parameters(paramLabel = "WHAT", description = "what to benchmark: ingest or query")
  String what;

  @Option(names = "--rows", defaultValue = "1000000", description = "rows of the generated CSV, or of the query table (default ${DEFAULT-VALUE})")
  int rows;

  @Option(names = "--scale", defaultValue = "10", description = "also run with rows x scale, for memory flatness; 1 to skip (default ${DEFAULT-VALUE})")
  int scale;

  @Option(names = "--compression", split = ",", defaultValue = "zstd", description = "Parquet codecs to compare: zstd,snappy,gzip (default ${DEFAULT-VALUE})")
  List<String> compressions;

  @Option(names = "--hospitals", defaultValue = "10", description = "bench query: hospitals of the synthetic table (default ${DEFAULT-VALUE})")
  int hospitals;

  @Option(names = "--months", defaultValue = "60", description = "bench query: months of the synthetic table (default ${DEFAULT-VALUE})")
  int months;

  @Option(names = "--single", hidden = true, description = "run one measurement in this process and print it as JSON")
  boolean single;

  @Option(names = "--work", description = "working directory (default: a new directory under the system temp)")
  Path work;

  @Override
  public Integer call() throws Exception {
    Path directory = work == null ? Files.createTempDirectory("medlake-bench-") : work;
    if (what.equals("query")) {
      QueryBenchmark.run(directory, rows, hospitals, months);
      return 0;
    }
    if (!what.equals("ingest")) {
      throw new org.medlake.core.error.ValidationException("Unknown benchmark '" + what + "' (known: ingest, query)");
    }
    if (single) {
      Output.json(System.out, measure(directory, rows, compressions.get(0)));
      return 0;
    }
    List<Map<String, Object>> results = new ArrayList<>();
    for (String compression : compressions) {
      for (int size : scale > 1 ? List.of(rows, rows * scale) : List.of(rows)) {
        System.err.printf("bench: %,d rows, %s ...%n", size, compression);
        results.add(child(directory.resolve(compression + "-" + size), size, compression));
      }
    }
    print(results);
    return 0;
  }

  /** Each measurement runs in its own JVM so that peak memory is its own. */
  private Map<String, Object> child(Path directory, int size, String compression) throws IOException, InterruptedException {
    Files.createDirectories(directory);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "bench", "ingest", "--single", "--rows", String.valueOf(size), "--compression", compression, "--work", directory.toString()));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (process.waitFor() != 0) {
      throw new IllegalStateException("benchmark child failed with exit code " + process.exitValue());
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> result = new ObjectMapper().readValue(output, Map.class);
    return result;
  }

  static Map<String, Object> measure(Path directory, int rows, String compression) throws IOException, SQLException {
    Path homeDirectory = directory.resolve("home");
    Files.createDirectories(homeDirectory);
    Files.writeString(homeDirectory.resolve("medlake.yaml"), "ingest:\n  compression: " + compression + "\n");
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    GenerationReport report = GenerateCommand.generate(home, home.landing(), 1, 1, YearMonth.of(2024, 1), rows, 7, 0, false, false);
    GeneratedFile file = report.files().get(0);
    long csvBytes = Files.size(file.path());
    resetPeakMemory();
    long start = System.nanoTime();
    IngestRun run;
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      run = service.ingest(new IngestService.Delivery(file.path(), file.source(), file.month()));
    }
    long pipelineNanos = System.nanoTime() - start;
    long peakBytes = peakMemory();
    Path baseline = directory.resolve("baseline.parquet");
    long copyStart = System.nanoTime();
    try (Connection connection = DuckDb.open(home.config().ingest().memoryLimit(), home.config().ingest().threads(), home.temporary());
        Statement statement = connection.createStatement()) {
      statement.execute("COPY (SELECT * FROM read_csv(" + DuckDb.literal(file.path().toString()) + ")) TO "
          + DuckDb.literal(baseline.toString()) + " (FORMAT parquet, COMPRESSION " + compression + ")");
    }
    long copyNanos = System.nanoTime() - copyStart;
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("rows", rows);
    result.put("compression", compression);
    result.put("csv_bytes", csvBytes);
    result.put("rows_accepted", run.rowsAccepted());
    result.put("rows_rejected", run.rowsRejected());
    result.put("pipeline_ms", pipelineNanos / 1_000_000);
    result.put("copy_ms", copyNanos / 1_000_000);
    result.put("parquet_bytes", run.bytesOut());
    result.put("copy_parquet_bytes", Files.size(baseline));
    result.put("peak_rss_bytes", peakBytes);
    return result;
  }

  private static void print(List<Map<String, Object>> results) {
    List<List<String>> rows = new ArrayList<>();
    for (Map<String, Object> result : results) {
      long rowCount = number(result, "rows");
      long pipeline = number(result, "pipeline_ms");
      long copy = number(result, "copy_ms");
      double megabytes = number(result, "csv_bytes") / 1e6;
      rows.add(List.of(Output.count(rowCount), (String) result.get("compression"), String.format(Locale.ROOT, "%.0f MB", megabytes),
          pipeline + " ms", copy + " ms", String.format(Locale.ROOT, "%.2f", (double) pipeline / copy),
          String.format(Locale.ROOT, "%,.0f", rowCount * 1000.0 / pipeline), String.format(Locale.ROOT, "%.1f", megabytes * 1000 / pipeline),
          Output.bytes(number(result, "parquet_bytes")), Output.bytes(number(result, "copy_parquet_bytes")),
          Output.bytes(number(result, "peak_rss_bytes"))));
    }
    Output.table(System.out, List.of("rows", "codec", "csv", "pipeline", "plain COPY", "ratio", "rows/s", "MB/s", "parquet",
        "COPY parquet", "peak RSS"), rows);
    for (int i = 0; i + 1 < results.size(); i += 2) {
      if (!results.get(i).get("compression").equals(results.get(i + 1).get("compression"))) {
        continue;
      }
      double growth = (double) number(results.get(i + 1), "peak_rss_bytes") / number(results.get(i), "peak_rss_bytes");
      System.out.printf(Locale.ROOT, "peak memory %s: %,d rows -> %,d rows: x%.2f%n", results.get(i).get("compression"),
          number(results.get(i), "rows"), number(results.get(i + 1), "rows"), growth);
    }
    System.out.println("machine: " + Runtime.getRuntime().availableProcessors() + " cores, " + System.getProperty("os.name") + " "
        + System.getProperty("os.arch") + ", Java " + System.getProperty("java.version"));
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
