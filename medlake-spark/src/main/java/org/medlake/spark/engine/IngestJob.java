package org.medlake.spark.engine;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.vault.PseudonymKey;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.IngestService.Delivery;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.ingest.pipeline.StagedRun;

/**
 * The Spark job's work, without Spark: the driver discovers the deliveries and gives each a run id
 * ({@link #plan}), hands the tasks to Spark, which runs {@link #stage(byte[])} for each on an
 * executor (the embedded pipeline's {@link IngestService#stage}), and commits the staged runs in
 * delivery order as they arrive ({@link #commitAll}, {@link IngestService#commit}). It runs in the
 * job's own class loader; tasks and outcomes cross Spark as bytes.
 */
public final class IngestJob {
  /**
   * The JDBC drivers the pipeline uses, registered from this class loader (DriverManager may have
   * scanned Spark's before).
   */
  private static final List<String> DRIVERS =
      List.of("org.sqlite.JDBC", "org.postgresql.Driver", "org.duckdb.DuckDBDriver");

  static {
    for (String driver : DRIVERS) {
      try {
        Class.forName(driver, true, IngestJob.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new ExceptionInInitializerError(
            "JDBC driver " + driver + " is missing from medlake-spark.jar");
      }
    }
  }

  private IngestJob() {}

  /**
   * Runs the job on the driver; {@code stageAll} starts {@link #stage(byte[])} for each task,
   * somewhere, and returns the outcomes in the tasks' order as they become available (its {@code
   * next()} waits for the next task; it throws when that task could not run at all).
   *
   * @param master the Spark master the job runs on ({@code local[2]}, {@code yarn}, ...)
   * @return the exit code: 0 when every file succeeded (or was a duplicate), 1 when one failed or
   *     was held, 2 for bad arguments or configuration, 3 when an external system failed
   */
  public static int run(
      String[] args, String master, Function<List<byte[]>, Iterator<byte[]>> stageAll) {
    JobArguments arguments;
    try {
      arguments = JobArguments.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("medlake-spark: error: " + e.getMessage());
      System.err.println(JobArguments.USAGE);
      return 2;
    }
    try {
      MedlakeHome home = MedlakeHome.open(arguments.home());
      requireSharedDatabases(home, master);
      byte[] key =
          PseudonymKey.load(
              home.pseudonymKeyFile(), home.environment().get(PseudonymKey.ENVIRONMENT_VARIABLE));
      try (IngestService service = IngestService.open(home, key, ProgressListener.NONE)) {
        List<StageTask> tasks = plan(service, keyCheck(key), arguments);
        long start = System.nanoTime();
        Iterator<byte[]> outcomes =
            stageAll.apply(tasks.stream().map(Serialization::write).toList());
        int failed = commitAll(service, tasks, outcomes, System.out, System.err);
        System.out.printf(
            "medlake-spark: %d files staged and committed in %d ms%n",
            tasks.size(), (System.nanoTime() - start) / 1_000_000);
        return failed > 0 ? 1 : 0;
      }
    } catch (MedlakeException e) {
      System.err.println("medlake-spark: error: " + e.getMessage());
      return e.errorCode().exitCode();
    }
  }

  /**
   * The deliveries of the job's paths, one task each, in delivery order, each with a new run id.
   */
  static List<StageTask> plan(IngestService service, String keyCheck, JobArguments arguments) {
    List<String> inputs =
        arguments.paths().stream().map(input -> input.replaceFirst("^s3a://", "s3://")).toList();
    List<Delivery> deliveries =
        service.discoverLocations(inputs, arguments.source(), arguments.month());
    List<StageTask> tasks = new ArrayList<>();
    for (Delivery delivery : deliveries) {
      String mapping;
      try {
        mapping = service.sources().fingerprint(delivery.source());
      } catch (MedlakeException e) {
        // an unknown source fails that file's task, with the stage half's own message
        mapping = "";
      }
      tasks.add(
          StageTask.of(
              service.lakehouse().home().root(),
              delivery,
              IngestService.newRunId(),
              mapping,
              keyCheck));
    }
    return tasks;
  }

  /**
   * Commits the staged runs one after another in the tasks' order, each as soon as it and the ones
   * before it are staged, as the embedded pipeline would have: a later delivery of a hospital-month
   * replaces an earlier one. A failed task is recorded FAILED and the others commit.
   *
   * @param outcomes the tasks' serialized outcomes in the tasks' order; {@code next()} throws for a
   *     task that could not run (Spark gave up on it)
   * @return how many files failed or were held
   */
  static int commitAll(
      IngestService service,
      List<StageTask> tasks,
      Iterator<byte[]> outcomes,
      PrintStream out,
      PrintStream err) {
    int failed = 0;
    for (StageTask task : tasks) {
      TaskOutcome outcome;
      try {
        outcome = Serialization.read(outcomes.next(), TaskOutcome.class);
      } catch (RuntimeException e) {
        outcome = TaskOutcome.failed(task.runId(), "the task failed: " + firstLine(e.getMessage()));
      }
      if (!commit(service, task, outcome, out, err)) {
        failed++;
      }
    }
    return failed;
  }

  /** Commits one task's outcome; false when the file failed or was held. */
  private static boolean commit(
      IngestService service,
      StageTask task,
      TaskOutcome outcome,
      PrintStream out,
      PrintStream err) {
    if (!outcome.runId().equals(task.runId())) {
      throw new MedlakeException(
          ErrorCode.INTERNAL_ERROR,
          "the outcome of run " + task.runId() + " is of run " + outcome.runId());
    }
    if (outcome.failure().isPresent()) {
      try {
        service.recordFailure(task.delivery(), task.runId(), outcome.failure().get());
      } catch (RuntimeException e) {
        // an unknown source: there is no run to record, the message below says why
      }
      err.println("medlake-spark: error: " + task.shown() + ": " + outcome.failure().get());
      return false;
    }
    try {
      IngestRun run = service.commit(outcome.staged().orElseThrow());
      out.printf(
          "%s %s %s read=%d accepted=%d rejected=%d filtered=%d%n",
          run.id(),
          run.status(),
          run.sourceFile(),
          run.rowsRead(),
          run.rowsAccepted(),
          run.rowsRejected(),
          run.rowsFiltered());
      if (run.status() == RunStatus.HELD) {
        // nothing was committed: schedulers see a non-zero exit
        err.println("medlake-spark: " + task.shown() + ": " + run.message());
        return false;
      }
      return true;
    } catch (MedlakeException e) {
      err.println("medlake-spark: error: " + task.shown() + ": " + e.getMessage());
      return false;
    }
  }

  /**
   * Runs one task on an executor: the stage half of the embedded pipeline on its file, with the
   * home opened here (the driver's path), the key from this machine's home or environment.
   */
  public static byte[] stage(byte[] task) {
    StageTask stageTask = Serialization.read(task, StageTask.class);
    TaskOutcome outcome;
    try {
      outcome = TaskOutcome.staged(stage(stageTask));
    } catch (RuntimeException e) {
      outcome = TaskOutcome.failed(stageTask.runId(), firstLine(e.getMessage()));
    }
    return Serialization.write(outcome);
  }

  static StagedRun stage(StageTask task) {
    Path root = Path.of(task.home());
    if (!Files.isRegularFile(root.resolve("medlake.yaml"))) {
      throw new MedlakeException(
          ErrorCode.INVALID_CONFIG,
          "The medlake home "
              + root
              + " is not on executor "
              + host()
              + ": every executor needs the home's medlake.yaml and sources/ at the driver's path");
    }
    MedlakeHome home = MedlakeHome.open(root);
    // never a new key here: it would give this executor's patients other surrogates
    byte[] key =
        PseudonymKey.loadExisting(
            home.pseudonymKeyFile(), home.environment().get(PseudonymKey.ENVIRONMENT_VARIABLE));
    if (!keyCheck(key).equals(task.keyCheck())) {
      throw new MedlakeException(
          ErrorCode.INVALID_CONFIG,
          "The pseudonym key on executor "
              + host()
              + " is not the driver's: give every"
              + " executor the same "
              + PseudonymKey.ENVIRONMENT_VARIABLE
              + " or the home's pseudonym.key");
    }
    try (IngestService service = IngestService.open(home, key, ProgressListener.NONE)) {
      if (!task.mappingSha256().isEmpty()
          && !task.mappingSha256().equals(service.sources().fingerprint(task.source()))) {
        throw new MedlakeException(
            ErrorCode.INVALID_CONFIG,
            "The source mapping "
                + task.source()
                + " on executor "
                + host()
                + " is not the driver's: every executor needs the home's sources/ as the driver has them");
      }
      return service.stage(task.delivery(), task.runId());
    }
  }

  /**
   * Executors on other machines cannot share the home's SQLite files (run ledger, link vault,
   * catalog): SQLite's locks hold within one machine, and a vault per machine would give a patient
   * two keys.
   */
  static void requireSharedDatabases(MedlakeHome home, String master) {
    if (master.startsWith("local")) {
      return;
    }
    List<String> missing = new ArrayList<>();
    if (!home.config().platform().postgres()) {
      missing.add("platform.jdbc-url (run ledger and link vault)");
    }
    if (home.config().catalog().jdbcUrl().isEmpty() && !home.config().catalog().glue()) {
      missing.add("catalog.jdbc-url or catalog.type glue (Iceberg catalog)");
    }
    if (!missing.isEmpty()) {
      throw new MedlakeException(
          ErrorCode.INVALID_CONFIG,
          "Spark master "
              + master
              + " runs executors on other machines: set "
              + String.join(" and ", missing)
              + " in "
              + home.configFile()
              + "; the home's SQLite files serve a local[N] master only");
    }
  }

  /**
   * A check that two processes hold the same key, which does not reveal it: a keyed hash of a
   * constant.
   */
  static String keyCheck(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] check = mac.doFinal("medlake-spark key check".getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(check, 0, 8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "(unknown host)";
    }
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
