package org.medlake.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.medlake.bench.FaultBench;
import org.medlake.bench.IngestBenchmark;
import org.medlake.bench.QueryBenchmark;
import org.medlake.bench.SpanBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
    name = "bench",
    description =
        "Benchmarks. 'bench ingest': the full pipeline against a plain DuckDB COPY of the same CSV"
            + " (with --span-months N: the same rows in one month against spread over N months);"
            + " 'bench query': pruned and full aggregates through medlake against plain DuckDB over the same Parquet files;"
            + " 'bench faults': kill -9 of ingest, concurrent writers, a full warehouse disk and a load test of medlake serve (docs/reliability.md).")
final class BenchCommand implements Callable<Integer> {
  @ParentCommand MedlakeCommand parent;

  @Parameters(paramLabel = "WHAT", description = "what to benchmark: ingest, query or faults")
  String what;

  @Option(
      names = "--rows",
      defaultValue = "1000000",
      description = "rows of the generated CSV, or of the query table (default ${DEFAULT-VALUE})")
  int rows;

  @Option(
      names = "--scale",
      defaultValue = "10",
      description =
          "also run with rows x scale, for memory flatness; 1 to skip (default ${DEFAULT-VALUE})")
  int scale;

  @Option(
      names = "--compression",
      split = ",",
      defaultValue = "zstd",
      description = "Parquet codecs to compare: zstd,snappy,gzip (default ${DEFAULT-VALUE})")
  List<String> compressions;

  @Option(
      names = "--hospitals",
      defaultValue = "10",
      description = "bench query: hospitals of the synthetic table (default ${DEFAULT-VALUE})")
  int hospitals;

  @Option(
      names = "--months",
      defaultValue = "60",
      description = "bench query: months of the synthetic table (default ${DEFAULT-VALUE})")
  int months;

  @Option(
      names = "--span-months",
      description =
          "bench ingest: the same rows once in one month and once spread over N months"
              + " (a backfill): time and data files of each, against the backfill goal")
  Integer spanMonths;

  @Option(
      names = "--single",
      hidden = true,
      description = "run one measurement in this process and print it as JSON")
  boolean single;

  @Option(
      names = "--trials",
      defaultValue = "20",
      description = "bench faults: trials of each fault (default ${DEFAULT-VALUE})")
  int trials;

  @Option(
      names = "--file-rows",
      defaultValue = "20000",
      description = "bench faults: rows of each delivered file (default ${DEFAULT-VALUE})")
  int fileRows;

  @Option(
      names = "--load-seconds",
      defaultValue = "30",
      description =
          "bench faults: length of the load test against medlake serve; 0 to skip"
              + " (default ${DEFAULT-VALUE})")
  int loadSeconds;

  @Option(
      names = "--work",
      description = "working directory (default: a new directory under the system temp)")
  Path work;

  @Override
  public Integer call() throws Exception {
    Path directory = work == null ? Files.createTempDirectory("medlake-bench-") : work;
    if (what.equals("faults")) {
      return FaultBench.run(directory, trials, fileRows, loadSeconds);
    }
    if (what.equals("query")) {
      QueryBenchmark.run(directory, rows, hospitals, months);
      return 0;
    }
    if (!what.equals("ingest")) {
      throw new org.medlake.core.error.ValidationException(
          "Unknown benchmark '" + what + "' (known: ingest, query, faults)");
    }
    if (spanMonths != null) {
      if (spanMonths < 1 || spanMonths > 1200) {
        throw new org.medlake.core.error.ValidationException(
            "--span-months must be between 1 and 1200, got " + spanMonths);
      }
      if (single) {
        Output.json(
            System.out, SpanBenchmark.measure(directory, rows, spanMonths, compressions.get(0)));
      } else {
        SpanBenchmark.run(directory, rows, spanMonths, compressions.get(0));
      }
      return 0;
    }
    if (single) {
      Output.json(System.out, IngestBenchmark.measure(directory, rows, compressions.get(0)));
      return 0;
    }
    IngestBenchmark.run(directory, rows, scale, compressions);
    return 0;
  }
}
