package org.medlake.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The baseline of {@code bench ingest} in a process of its own: a plain DuckDB {@code COPY (SELECT
 * * FROM read_csv(f)) TO p (FORMAT parquet, COMPRESSION c)} with the pipeline's memory limit and
 * threads, and nothing else loaded (no medlake class but this one, no logging, no Iceberg), so that
 * neither the pipeline's JVM (its heap, JIT, threads) nor the pipeline's work before it shares the
 * process. Prints one JSON object: the milliseconds from opening DuckDB (which loads its native
 * library, as the pipeline's first connection does) to the end of the {@code COPY}, the rows it
 * wrote, the process's CPU milliseconds, and its peak resident memory.
 *
 * <p>Arguments: csv file, Parquet file, compression, memory limit, threads, temp directory.
 */
public final class PlainCopy {
  private PlainCopy() {}

  public static void main(String[] args) throws SQLException, java.io.IOException {
    if (args.length != 6) {
      System.err.println(
          "usage: PlainCopy CSV PARQUET COMPRESSION MEMORY_LIMIT THREADS TEMP_DIRECTORY");
      System.exit(2);
    }
    long cpuStart = cpuNanos();
    long start = System.nanoTime();
    long rows;
    Properties properties = new Properties();
    properties.setProperty("autoinstall_known_extensions", "false");
    properties.setProperty("autoload_known_extensions", "false");
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:", properties);
        Statement statement = connection.createStatement()) {
      statement.execute("SET memory_limit = " + literal(args[3]));
      statement.execute("SET threads = " + Integer.parseInt(args[4]));
      statement.execute("SET temp_directory = " + literal(args[5]));
      rows =
          statement.executeLargeUpdate(
              "COPY (SELECT * FROM read_csv("
                  + literal(args[0])
                  + ")) TO "
                  + literal(args[1])
                  + " (FORMAT parquet, COMPRESSION "
                  + args[2].replaceAll("[^a-z0-9_]", "")
                  + ")");
    }
    long nanos = System.nanoTime() - start;
    long cpu = cpuNanos() - cpuStart;
    long peak = -1;
    for (String line :
        java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        peak = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    System.out.printf(
        "{\"copy_rows\": %d, \"copy_ms\": %d, \"copy_cpu_ms\": %d, \"copy_peak_rss_bytes\": %d}%n",
        rows, nanos / 1_000_000, cpu / 1_000_000, peak);
  }

  static long cpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
