package org.medlake.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.lake.DuckDb;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.generate.GeneratedFile;

/**
 * Fault trials against real {@code medlake ingest} processes (child JVMs on this JVM's class path):
 * kill -9 at random points, concurrent writers on one table, a full warehouse disk. Each trial
 * checks the lake against an independent count of the delivered CSV files (their lines, counted
 * here without medlake's reader) and the run ledger. Used by {@code medlake bench faults} and the
 * reliability integration tests; a non-empty {@link Report#failures()} is a broken guarantee.
 */
public final class FaultTrials {
  private FaultTrials() {}

  /** What a scenario measured: trials, broken guarantees (one line each) and figures. */
  public record Report(
      String name, int trials, List<String> failures, Map<String, Object> figures) {
    boolean passed() {
      return failures.isEmpty();
    }
  }

  /** A finished child process: exit code (137 when killed), its standard error, its time. */
  record Child(int exitCode, String err, long millis, boolean killed) {}

  // ---------------------------------------------------------------------------------------------
  // kill -9

  /**
   * {@code trials} times: starts {@code medlake ingest} of a new month's file in a child JVM, kills
   * it (SIGKILL) after a random delay within the time a whole run takes, checks that the file is
   * either wholly in the lake or not at all, then ingests it again in a new process and checks the
   * whole lake and ledger: every file's rows exactly once, no run left RUNNING.
   */
  static Report killTrials(Path work, int trials, int rows, long seed) throws Exception {
    return killTrials(work, trials, rows, seed, false);
  }

  /**
   * With {@code rerunInProcess}, the run after each kill runs in this JVM (the integration test's
   * shortcut: no JVM start-up).
   */
  public static Report killTrials(
      Path work, int trials, int rows, long seed, boolean rerunInProcess) throws Exception {
    Path homeDirectory = work.resolve("kill-home");
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    List<GeneratedFile> files =
        Generation.generate(
                home,
                work.resolve("kill-landing"),
                1,
                trials + 1,
                YearMonth.of(2023, 1),
                rows,
                seed)
            .files();
    List<String> failures = new ArrayList<>();
    Map<Path, Long> expected = new LinkedHashMap<>();
    // calibration: one uninterrupted run gives the range of the random kill delays
    Child calibration = ingest(homeDirectory, files.get(0).path(), null);
    if (calibration.exitCode() != 0) {
      failures.add(
          "calibration run failed (exit "
              + calibration.exitCode()
              + "): "
              + firstLine(calibration.err()));
      return new Report("kill -9 during ingest", 0, failures, Map.of());
    }
    expected.put(files.get(0).path(), records(files.get(0).path()));
    Random random = new Random(seed);
    Map<String, Integer> killedAt = new TreeMap<>();
    List<Long> rerunMillis = new ArrayList<>();
    int killedWhileRunning = 0;
    long runMillis = calibration.millis();
    for (int trial = 1; trial <= trials; trial++) {
      GeneratedFile file = files.get(trial);
      // from JVM start-up to just past the end of an uninterrupted run
      long delay = (long) ((0.1 + 0.95 * random.nextDouble()) * runMillis);
      Child killed = ingest(homeDirectory, file.path(), delay);
      if (!killed.killed()) {
        // it ended before the kill: its time is a run's time now (the calibration may have met a
        // busier machine)
        runMillis = Math.min(runMillis, killed.millis());
      }
      if (killed.killed()) {
        killedWhileRunning++;
      }
      String where = killPoint(home, file, killed);
      killedAt.merge(where, 1, Integer::sum);
      long before = expected.values().stream().mapToLong(Long::longValue).sum();
      long now = lakeRows(home, Function.identity());
      long whole = before + records(file.path());
      if (now != before && now != whole) {
        failures.add(
            "trial "
                + trial
                + " (killed after "
                + delay
                + " ms, "
                + where
                + "): the lake holds "
                + now
                + " rows, neither "
                + before
                + " (file absent) nor "
                + whole
                + " (file whole)");
      }
      Child rerun =
          rerunInProcess ? inProcess(home, file) : ingest(homeDirectory, file.path(), null);
      rerunMillis.add(rerun.millis());
      if (rerun.exitCode() != 0) {
        failures.add(
            "trial "
                + trial
                + ": the run after the kill failed (exit "
                + rerun.exitCode()
                + "): "
                + firstLine(rerun.err()));
        continue;
      }
      expected.put(file.path(), records(file.path()));
      for (String problem : verify(home, expected, Function.identity())) {
        failures.add(
            "trial " + trial + " (killed after " + delay + " ms, " + where + "): " + problem);
      }
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("rows_per_file", rows);
    figures.put("uninterrupted_run_ms", calibration.millis());
    figures.put("killed_while_running", killedWhileRunning);
    figures.put("kill_points", killedAt);
    figures.put("rerun_p50_ms", percentile(rerunMillis, 50));
    figures.put("rerun_max_ms", rerunMillis.stream().mapToLong(Long::longValue).max().orElse(0));
    return new Report("kill -9 during ingest", trials, failures, figures);
  }

  /**
   * {@code medlake ingest FILE} in this JVM, as a {@link Child}: exit 0 for a succeeded or
   * duplicate run.
   */
  private static Child inProcess(MedlakeHome home, GeneratedFile file) {
    long start = System.nanoTime();
    try (IngestService service = IngestService.open(home, ProgressListener.NONE)) {
      IngestRun run =
          service.ingest(new IngestService.Delivery(file.path(), file.source(), file.month()));
      boolean ok = run.status() == RunStatus.SUCCEEDED || run.status() == RunStatus.DUPLICATE;
      return new Child(
          ok ? 0 : 1,
          ok ? "" : "medlake: error: run " + run.id() + " " + run.status() + ": " + run.message(),
          (System.nanoTime() - start) / 1_000_000,
          false);
    } catch (RuntimeException e) {
      return new Child(
          1, "medlake: error: " + e.getMessage(), (System.nanoTime() - start) / 1_000_000, false);
    }
  }

  /**
   * Where the kill hit, from the ledger and the lake: before the run was recorded, mid-run, after
   * the commit, or after the end.
   */
  private static String killPoint(MedlakeHome home, GeneratedFile file, Child killed)
      throws IOException, SQLException {
    if (!killed.killed()) {
      return "exited before the kill";
    }
    String sha256 = sha256(file.path());
    List<IngestRun> runs;
    try (RunLedger ledger = RunLedger.open(home)) {
      runs = ledger.list().stream().filter(run -> run.sha256().equals(sha256)).toList();
    }
    if (runs.isEmpty()) {
      return "before the run was recorded";
    }
    IngestRun run = runs.get(runs.size() - 1);
    if (run.status() == RunStatus.RUNNING) {
      return lakeRowsByRun(home, Function.identity()).containsKey(run.id())
          ? "after the commit, before the ledger"
          : "while RUNNING";
    }
    return "after the run ended (" + run.status() + ")";
  }

  // ---------------------------------------------------------------------------------------------
  // concurrent writers

  /**
   * {@code rounds} times: {@code writers} {@code medlake ingest} processes, one hospital each,
   * start at once on one table; all must succeed with one snapshot each and every row present.
   */
  public static Report concurrentWriters(Path work, int writers, int rounds, int rows, long seed)
      throws Exception {
    Path homeDirectory = work.resolve("writers-home");
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    List<GeneratedFile> files =
        Generation.generate(
                home,
                work.resolve("writers-landing"),
                writers,
                rounds,
                YearMonth.of(2023, 1),
                rows,
                seed)
            .files();
    List<String> failures = new ArrayList<>();
    Map<Path, Long> expected = new LinkedHashMap<>();
    List<Long> wallMillis = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      final int round = r;
      YearMonth month = YearMonth.of(2023, 1).plusMonths(round);
      List<GeneratedFile> batch =
          files.stream().filter(file -> file.month().equals(month)).toList();
      long start = System.nanoTime();
      List<Process> processes = new ArrayList<>();
      for (GeneratedFile file : batch) {
        processes.add(start(homeDirectory, file.path()));
      }
      List<Child> children = new ArrayList<>();
      for (Process process : processes) {
        children.add(await(process, start, false));
      }
      wallMillis.add((System.nanoTime() - start) / 1_000_000);
      for (int index = 0; index < batch.size(); index++) {
        if (children.get(index).exitCode() != 0) {
          failures.add(
              "round "
                  + round
                  + ", "
                  + batch.get(index).hospitalId()
                  + ": exit "
                  + children.get(index).exitCode()
                  + ": "
                  + firstLine(children.get(index).err()));
        } else {
          expected.put(batch.get(index).path(), records(batch.get(index).path()));
        }
      }
      failures.addAll(
          verify(home, expected, Function.identity()).stream()
              .map(problem -> "round " + round + ": " + problem)
              .toList());
    }
    // one snapshot per succeeded run: a lost commit is a run without one, a doubled commit two
    try (RunLedger ledger = RunLedger.open(home);
        Lakehouse lake = Lakehouse.open(home)) {
      Map<String, Long> snapshotsPerRun = new HashMap<>();
      for (Snapshot snapshot : lake.labResults().snapshots()) {
        String run = snapshot.summary().get("medlake.run-id");
        if (run != null) {
          snapshotsPerRun.merge(run, 1L, Long::sum);
        }
      }
      for (IngestRun run : ledger.list()) {
        if (run.status() == RunStatus.SUCCEEDED
            && snapshotsPerRun.getOrDefault(run.id(), 0L) != 1) {
          failures.add(
              "run "
                  + run.id()
                  + " has "
                  + snapshotsPerRun.getOrDefault(run.id(), 0L)
                  + " snapshots of lab_results, expected 1");
        }
      }
    }
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("writers", writers);
    figures.put("rows_per_file", rows);
    figures.put("round_wall_p50_ms", percentile(wallMillis, 50));
    figures.put(
        "round_wall_max_ms", wallMillis.stream().mapToLong(Long::longValue).max().orElse(0));
    return new Report(writers + " concurrent writers on one table", rounds, failures, figures);
  }

  // ---------------------------------------------------------------------------------------------
  // disk full

  /**
   * {@code trials} times, with a warehouse on a small tmpfs ({@code mount}, root only): fills the
   * file system up to a few KB (a different remainder each trial), runs {@code medlake ingest} of a
   * new month, which must fail with a one-line error, a FAILED run and nothing of the file in the
   * lake; frees the space and runs the same command again, which must complete.
   */
  public static Report diskFull(Path work, int trials, int rows, long seed) throws Exception {
    Path homeDirectory = work.resolve("disk-home");
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    Path warehouse = home.warehouse();
    Files.createDirectories(warehouse);
    List<String> failures = new ArrayList<>();
    command(
        List.of("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", warehouse.toString()),
        "cannot mount a tmpfs on the warehouse (the disk-full trial needs root or CAP_SYS_ADMIN)");
    try {
      List<GeneratedFile> files =
          Generation.generate(
                  home,
                  work.resolve("disk-landing"),
                  1,
                  trials + 1,
                  YearMonth.of(2023, 1),
                  rows,
                  seed)
              .files();
      Map<Path, Long> expected = new LinkedHashMap<>();
      Child first = ingest(homeDirectory, files.get(0).path(), null);
      if (first.exitCode() != 0) {
        failures.add("the first run (space free) failed: " + firstLine(first.err()));
        return new Report("disk full in the warehouse", 0, failures, Map.of());
      }
      expected.put(files.get(0).path(), records(files.get(0).path()));
      long[] remainders = {0, 4 << 10, 64 << 10, 256 << 10, 1 << 20};
      Map<String, Integer> outcomes = new TreeMap<>();
      for (int t = 1; t <= trials; t++) {
        final int trial = t;
        GeneratedFile file = files.get(trial);
        long remainder = remainders[(trial - 1) % remainders.length];
        Path filler = warehouse.resolve("filler-" + trial);
        fill(filler, remainder);
        Child full = ingest(homeDirectory, file.path(), null);
        if (full.exitCode() == 0) {
          // the file fitted into what was left: not a failure, but no disk-full trial either
          outcomes.merge("fitted into " + remainder + " bytes", 1, Integer::sum);
          expected.put(file.path(), records(file.path()));
        } else {
          outcomes.merge("failed (exit " + full.exitCode() + ")", 1, Integer::sum);
          String notOneLine = oneLineError(full.err());
          if (notOneLine != null) {
            failures.add("trial " + trial + ": " + notOneLine);
          }
          failures.addAll(
              verify(home, expected, Function.identity()).stream()
                  .map(
                      problem ->
                          "trial "
                              + trial
                              + " (disk full, "
                              + remainder
                              + " bytes left): "
                              + problem)
                  .toList());
          failures.addAll(
              lastRunNot(home, RunStatus.RUNNING).stream()
                  .map(problem -> "trial " + trial + ": " + problem)
                  .toList());
        }
        Files.delete(filler);
        if (full.exitCode() != 0) {
          Child again = ingest(homeDirectory, file.path(), null);
          if (again.exitCode() != 0) {
            failures.add(
                "trial "
                    + trial
                    + ": the run after freeing space failed: "
                    + firstLine(again.err()));
          } else {
            expected.put(file.path(), records(file.path()));
          }
        }
        failures.addAll(
            verify(home, expected, Function.identity()).stream()
                .map(problem -> "trial " + trial + " (after freeing space): " + problem)
                .toList());
      }
      Map<String, Object> figures = new LinkedHashMap<>();
      figures.put("rows_per_file", rows);
      figures.put("outcomes", outcomes);
      return new Report("disk full in the warehouse", trials, failures, figures);
    } finally {
      command(
          List.of("umount", "-l", warehouse.toString()),
          "cannot unmount the tmpfs on " + warehouse);
    }
  }

  private static final java.util.regex.Pattern PROGRESS =
      java.util.regex.Pattern.compile("^\\s*[0-9.]+s ");

  /**
   * The error as the CLI prints it: exactly one line {@code medlake: error: ...}, the last one;
   * null when so. Progress lines and log lines before it are counted apart ({@link #logLines}).
   */
  static String oneLineError(String err) {
    List<String> errors = err.lines().filter(line -> line.startsWith("medlake: error: ")).toList();
    List<String> lines = err.lines().filter(line -> !line.isBlank()).toList();
    if (errors.size() != 1 || !lines.get(lines.size() - 1).startsWith("medlake: error: ")) {
      return "not one 'medlake: error: ' line at the end of standard error, but "
          + errors.size()
          + ": "
          + String.join(" | ", errors);
    }
    return null;
  }

  /**
   * Lines on standard error that are neither progress nor the error: log output (warnings, stack
   * traces).
   */
  static long logLines(String err) {
    return err.lines()
        .filter(line -> !line.isBlank())
        .filter(line -> !PROGRESS.matcher(line).find())
        .filter(line -> !line.startsWith("medlake: error: "))
        .count();
  }

  /**
   * Writes {@code filler} until the file system is full, then gives {@code remainder} bytes back.
   */
  private static void fill(Path filler, long remainder) throws IOException {
    byte[] block = new byte[64 << 10];
    try (var out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      // No space left on device: the file system is full
    }
    long size = Files.size(filler);
    try (var channel =
        java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(Math.max(0, size - remainder));
    }
  }

  private static List<String> lastRunNot(MedlakeHome home, RunStatus status) {
    try (RunLedger ledger = RunLedger.open(home)) {
      return ledger.list().stream()
          .filter(run -> run.status() == status)
          .map(run -> "run " + run.id() + " is left " + status)
          .toList();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // an external service stopped mid-run

  /** A step of a trial that may fail. */
  public interface Step {
    void run() throws Exception;
  }

  /**
   * The catalog database or the object store stopped mid-run: ingests {@code files[0]}, starts the
   * ingest of {@code files[1]}, calls {@code stop} as soon as its run is RUNNING in the ledger; the
   * run must fail with a one-line error and a FAILED run. Then {@code restart} (which may rewrite
   * the home's configuration), and the same ingest again must complete with every row once.
   */
  public static Report outage(
      String name,
      Path homeDirectory,
      List<GeneratedFile> files,
      Map<String, String> environment,
      Step stop,
      Step restart,
      Function<String, String> location)
      throws Exception {
    List<String> failures = new ArrayList<>();
    Map<Path, Long> expected = new LinkedHashMap<>();
    long start = System.nanoTime();
    Child first = await(start(homeDirectory, files.get(0).path(), environment), start, false);
    if (first.exitCode() != 0) {
      failures.add("the first run failed (exit " + first.exitCode() + "): " + first.err().strip());
      return new Report(name, 0, failures, Map.of());
    }
    expected.put(files.get(0).path(), records(files.get(0).path()));
    String sha256 = sha256(files.get(1).path());
    start = System.nanoTime();
    Process process = start(homeDirectory, files.get(1).path(), environment);
    MedlakeHome home = MedlakeHome.open(homeDirectory);
    boolean running = false;
    while (!running && process.isAlive()) {
      try (RunLedger ledger = RunLedger.open(home)) {
        running =
            ledger.list().stream()
                .anyMatch(run -> run.sha256().equals(sha256) && run.status() == RunStatus.RUNNING);
      }
      Thread.sleep(20);
    }
    long stoppedAfter = (System.nanoTime() - start) / 1_000_000;
    stop.run();
    Child cut = await(process, start, false);
    Map<String, Object> figures = new LinkedHashMap<>();
    figures.put("stopped_after_ms", stoppedAfter);
    figures.put("failed_after_ms", cut.millis());
    figures.put("exit_code", cut.exitCode());
    if (!running || cut.exitCode() == 0) {
      failures.add(
          "the run was not cut: "
              + (running ? "it completed" : "it ended before its run was RUNNING")
              + " (exit "
              + cut.exitCode()
              + ")");
    } else {
      figures.put(
          "error",
          cut.err()
              .lines()
              .filter(line -> line.startsWith("medlake: error: "))
              .findFirst()
              .orElse(""));
      figures.put("log_lines_on_stderr", logLines(cut.err()));
      String notOneLine = oneLineError(cut.err());
      if (notOneLine != null) {
        failures.add(notOneLine);
      }
      try (RunLedger ledger = RunLedger.open(home)) {
        List<RunStatus> statuses =
            ledger.list().stream()
                .filter(run -> run.sha256().equals(sha256))
                .map(IngestRun::status)
                .toList();
        if (!statuses.equals(List.of(RunStatus.FAILED))) {
          failures.add("the cut run is recorded as " + statuses + ", expected [FAILED]");
        }
      }
    }
    restart.run();
    home = MedlakeHome.open(homeDirectory);
    failures.addAll(
        verify(home, expected, location).stream()
            .map(problem -> "after the outage: " + problem)
            .toList());
    start = System.nanoTime();
    Child again = await(start(homeDirectory, files.get(1).path(), environment), start, false);
    figures.put("rerun_ms", again.millis());
    if (again.exitCode() != 0) {
      failures.add(
          "the run after the restart failed (exit "
              + again.exitCode()
              + "): "
              + again.err().strip());
    } else {
      expected.put(files.get(1).path(), records(files.get(1).path()));
    }
    failures.addAll(
        verify(home, expected, location).stream()
            .map(problem -> "after the re-run: " + problem)
            .toList());
    return new Report(name, 1, failures, figures);
  }

  // ---------------------------------------------------------------------------------------------
  // checks

  /**
   * The lake and ledger against the delivered files: every file's rows once (lab_results plus
   * rejects, counted per run by DuckDB over the data files of the current snapshots), every run
   * with rows in the lake SUCCEEDED in the ledger, one succeeded run per file, no run left RUNNING.
   * {@code location} maps a data file's location to a local path DuckDB can read.
   */
  static List<String> verify(
      MedlakeHome home, Map<Path, Long> expected, Function<String, String> location)
      throws IOException, SQLException {
    List<String> problems = new ArrayList<>();
    Map<String, Long> lakeByRun = lakeRowsByRun(home, location);
    List<IngestRun> runs;
    try (RunLedger ledger = RunLedger.open(home)) {
      runs = ledger.list();
    }
    Map<String, IngestRun> byId =
        runs.stream().collect(Collectors.toMap(IngestRun::id, run -> run, (a, b) -> b));
    for (Map.Entry<String, Long> entry : lakeByRun.entrySet()) {
      IngestRun run = byId.get(entry.getKey());
      if (run == null || run.status() != RunStatus.SUCCEEDED) {
        problems.add(
            entry.getValue()
                + " rows in the lake belong to run "
                + entry.getKey()
                + ", which is "
                + (run == null ? "not in the ledger" : run.status()));
      }
    }
    long filtered = 0;
    for (Map.Entry<Path, Long> file : expected.entrySet()) {
      String name = file.getKey().getFileName().toString();
      String sha256 = sha256(file.getKey());
      List<IngestRun> succeeded =
          runs.stream()
              .filter(run -> run.status() == RunStatus.SUCCEEDED && run.sha256().equals(sha256))
              .toList();
      if (succeeded.size() != 1) {
        problems.add(name + ": " + succeeded.size() + " succeeded runs, expected 1");
        continue;
      }
      // rows a mapping's filter drops (layout C's non-lab items) are counted by the run, stored
      // nowhere
      long stored = lakeByRun.getOrDefault(succeeded.get(0).id(), 0L);
      filtered += succeeded.get(0).rowsFiltered();
      if (stored + succeeded.get(0).rowsFiltered() != file.getValue()) {
        problems.add(
            name
                + ": "
                + stored
                + " rows in the lake (accepted + rejected) + "
                + succeeded.get(0).rowsFiltered()
                + " filtered by the mapping, the file has "
                + file.getValue());
      }
    }
    long total = lakeByRun.values().stream().mapToLong(Long::longValue).sum();
    long delivered = expected.values().stream().mapToLong(Long::longValue).sum();
    if (total + filtered != delivered) {
      problems.add(
          "the lake holds "
              + total
              + " rows (+ "
              + filtered
              + " filtered), the delivered files "
              + delivered);
    }
    runs.stream()
        .filter(run -> run.status() == RunStatus.RUNNING)
        .forEach(run -> problems.add("run " + run.id() + " is left RUNNING"));
    return problems;
  }

  static long lakeRows(MedlakeHome home, Function<String, String> location) throws SQLException {
    return lakeRowsByRun(home, location).values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Rows of lab_results plus lab_results_rejects per ingest_run_id, read by DuckDB from the current
   * snapshots' data files.
   */
  static Map<String, Long> lakeRowsByRun(MedlakeHome home, Function<String, String> location)
      throws SQLException {
    Map<String, Long> byRun = new TreeMap<>();
    try (Lakehouse lake = Lakehouse.open(home);
        Connection connection = DuckDb.open("512MB", 1, home.temporary());
        Statement statement = connection.createStatement()) {
      for (Table table : List.of(lake.labResults(), lake.rejects())) {
        List<String> files = new ArrayList<>();
        try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
          for (FileScanTask task : tasks) {
            if (!task.deletes().isEmpty()) {
              throw new IllegalStateException(
                  "delete files in " + table.name() + ": the check counts data files only");
            }
            files.add(location.apply(task.file().path().toString()));
          }
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
        if (files.isEmpty()) {
          continue;
        }
        String list =
            files.stream()
                .map(
                    file ->
                        DuckDb.literal(
                            file.startsWith("file:") ? file.substring("file:".length()) : file))
                .collect(Collectors.joining(", ", "[", "]"));
        try (ResultSet result =
            statement.executeQuery(
                "SELECT ingest_run_id, count(*) FROM read_parquet(" + list + ") GROUP BY 1")) {
          while (result.next()) {
            byRun.merge(result.getString(1), result.getLong(2), Long::sum);
          }
        }
      }
    }
    return byRun;
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Records of a generated CSV, counted without medlake: its lines minus the header (generated
   * files quote no line breaks).
   */
  static long records(Path csv) throws IOException {
    long lines = 0;
    byte[] buffer = new byte[1 << 16];
    boolean endsWithNewline = true;
    try (InputStream in = Files.newInputStream(csv)) {
      for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
        for (int i = 0; i < read; i++) {
          if (buffer[i] == '\n') {
            lines++;
          }
        }
        endsWithNewline = buffer[read - 1] == '\n';
      }
    }
    return (endsWithNewline ? lines : lines + 1) - 1;
  }

  // ---------------------------------------------------------------------------------------------
  // child processes

  /**
   * Runs {@code medlake --home H ingest FILE} in a child JVM; with {@code killAfterMillis}, kills
   * it (SIGKILL) then unless it ended.
   */
  static Child ingest(Path home, Path file, Long killAfterMillis)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    Process process = start(home, file);
    if (killAfterMillis != null && !process.waitFor(killAfterMillis, TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
      return await(process, start, true);
    }
    return await(process, start, false);
  }

  public static Process start(Path home, Path file) throws IOException {
    return start(home, file, Map.of());
  }

  static Process start(Path home, Path file, Map<String, String> environment) throws IOException {
    return cli(List.of("--home", home.toString(), "ingest", file.toString()), environment);
  }

  /** Standard error of each started child, in a file: killing a process closes its pipes. */
  private static final Map<Process, Path> ERRORS = new java.util.concurrent.ConcurrentHashMap<>();

  static Process cli(List<String> arguments) throws IOException {
    return cli(arguments, Map.of());
  }

  static Process cli(List<String> arguments, Map<String, String> environment) throws IOException {
    List<String> command = CliProcess.command("512m", arguments);
    Path err = Files.createTempFile("medlake-fault-", ".err");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(err.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    ERRORS.put(process, err);
    return process;
  }

  static Child await(Process process, long startNanos, boolean killed)
      throws IOException, InterruptedException {
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("medlake ingest did not end within 10 minutes");
    }
    long millis = (System.nanoTime() - startNanos) / 1_000_000;
    Path errFile = ERRORS.remove(process);
    String err = errFile == null ? "" : Files.readString(errFile, StandardCharsets.UTF_8);
    if (errFile != null) {
      Files.deleteIfExists(errFile);
    }
    return new Child(process.exitValue(), err, millis, killed);
  }

  private static void command(List<String> command, String failure)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output =
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (process.waitFor() != 0) {
      throw new IllegalStateException(failure + ": " + String.join(" ", command) + ": " + output);
    }
  }

  static String firstLine(String text) {
    return text.lines().filter(line -> !line.isBlank()).findFirst().orElse("(no output)");
  }

  static long percentile(List<Long> values, int percent) {
    if (values.isEmpty()) {
      return 0;
    }
    List<Long> sorted = values.stream().sorted().toList();
    int index = (int) Math.ceil(percent / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }
}
