package org.medlake.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code medlake bench faults}: runs the fault trials and the load test and prints their figures.
 */
public final class FaultBench {
  private FaultBench() {}

  public static int run(Path work, int trials, int fileRows, int loadSeconds) throws Exception {
    List<FaultTrials.Report> reports = new ArrayList<>();
    System.err.printf("bench faults: kill -9, %d trials of %,d rows ...%n", trials, fileRows);
    reports.add(print(FaultTrials.killTrials(work.resolve("kill"), trials, fileRows, 17)));
    System.err.printf(
        "bench faults: 4 concurrent writers, %d rounds ...%n", Math.max(1, trials / 4));
    reports.add(
        print(
            FaultTrials.concurrentWriters(
                work.resolve("writers"), 4, Math.max(1, trials / 4), fileRows, 23)));
    System.err.printf("bench faults: disk full, %d trials ...%n", Math.max(1, trials / 2));
    reports.add(
        print(FaultTrials.diskFull(work.resolve("disk"), Math.max(1, trials / 2), fileRows, 29)));
    if (loadSeconds > 0) {
      System.err.printf("bench faults: load test, %d s ...%n", loadSeconds);
      reports.add(print(LoadTrial.run(work.resolve("load"), loadSeconds, fileRows)));
    }
    System.out.println(load());
    return reports.stream().allMatch(FaultTrials.Report::passed) ? 0 : 1;
  }

  public static FaultTrials.Report print(FaultTrials.Report report) {
    System.out.printf(
        "%s: %d trials, %d broken guarantees%n",
        report.name(), report.trials(), report.failures().size());
    for (Map.Entry<String, Object> figure : report.figures().entrySet()) {
      System.out.printf("  %s: %s%n", figure.getKey(), figure.getValue());
    }
    for (String failure : report.failures()) {
      System.out.println("  FAILED: " + failure);
    }
    System.out.flush();
    return report;
  }

  /** The machine and its load average, to read the figures by. */
  static String load() {
    String average = "";
    try {
      average = java.nio.file.Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException | RuntimeException e) {
      // not Linux
    }
    return "machine: "
        + Runtime.getRuntime().availableProcessors()
        + " cores, load average "
        + average
        + ", Java "
        + System.getProperty("java.version");
  }
}
