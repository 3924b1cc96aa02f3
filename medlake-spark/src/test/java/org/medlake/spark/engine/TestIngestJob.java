package org.medlake.spark.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.core.vault.PseudonymKey;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.ingest.pipeline.StagedRun;
import org.medlake.lake.Lakehouse;
import org.medlake.lake.TableScans;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.GlucoseSource;

/**
 * What the Spark job does besides running the embedded pipeline, run without Spark: the tasks are
 * staged by a pool of threads in this JVM (two tasks at once, as {@code local[2]}).
 */
class TestIngestJob {

  @TempDir Path root;
  private MedlakeHome home;
  private Path landing;

  @BeforeEach
  void home() throws Exception {
    home = MedlakeHome.open(root.resolve("home"));
    Files.writeString(home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING);
    landing = root.resolve("landing");
  }

  @Test
  void oneTaskPerFileInDeliveryOrderEachWithItsOwnRun() throws Exception {
    write("h009/2024-01/a.csv", 1, 3);
    write("h009/2024-02/b.csv", 1, 3);
    write("h009/2024-03/c.csv", 1, 3);
    try (IngestService service = open()) {
      List<StageTask> tasks = IngestJob.plan(service, "check", arguments());
      assertThat(tasks)
          .extracting(StageTask::month)
          .containsExactly("2024-01", "2024-02", "2024-03");
      assertThat(tasks)
          .extracting(StageTask::file)
          .allSatisfy(file -> assertThat(Path.of(file)).isAbsolute().exists());
      assertThat(tasks).extracting(StageTask::runId).doesNotHaveDuplicates();
      assertThat(tasks)
          .allSatisfy(
              task -> {
                assertThat(task.home()).isEqualTo(home.root().toString());
                assertThat(task.mappingSha256()).isEqualTo(service.sources().fingerprint("h009"));
                assertThat(task.keyCheck()).isEqualTo("check");
              });
    }
  }

  @Test
  void aStagedRunCrossesToTheDriverWhole() throws Exception {
    write("h009/2024-01/a.csv", 1, 5);
    try (IngestService service = open()) {
      StageTask task = IngestJob.plan(service, keyCheck(), arguments()).get(0);
      TaskOutcome outcome =
          Serialization.read(IngestJob.stage(Serialization.write(task)), TaskOutcome.class);
      StagedRun staged = outcome.staged().orElseThrow();
      StagedRun copy = Serialization.read(Serialization.write(staged), StagedRun.class);
      assertThat(copy.run()).isEqualTo(staged.run());
      assertThat(copy.run().rowsAccepted()).isEqualTo(5);
      assertThat(copy.localDelivery()).isEqualTo(task.file());
      assertThat(copy.results()).hasSize(1).hasSameSizeAs(staged.results());
      for (int i = 0; i < staged.results().size(); i++) {
        DataFile expected = staged.results().get(i);
        DataFile actual = copy.results().get(i);
        assertThat(actual.location()).isEqualTo(expected.location());
        assertThat(actual.recordCount()).isEqualTo(5);
        assertThat(actual.partition().toString()).isEqualTo(expected.partition().toString());
        assertThat(actual.valueCounts()).isEqualTo(expected.valueCounts());
        assertThat(actual.lowerBounds()).isEqualTo(expected.lowerBounds());
        assertThat(actual.upperBounds()).isEqualTo(expected.upperBounds());
      }
      IngestRun committed = service.commit(copy);
      assertThat(committed.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(committed.snapshotId()).isNotNull();
      assertThat(committed.bytesOut()).isEqualTo(staged.bytesOut()).isPositive();
    }
  }

  @Test
  void stagedRunsCommitInDeliveryOrderWhateverOrderTheTasksRanIn() throws Exception {
    write("first/h009/2024-01/results.csv", 1, 10);
    write("second/h009/2024-01/results.csv", 20, 12);
    try (IngestService service = open()) {
      List<StageTask> tasks =
          IngestJob.plan(
              service, keyCheck(), arguments(landing.resolve("first"), landing.resolve("second")));
      // the second delivery is staged first
      byte[] stagedSecond = IngestJob.stage(Serialization.write(tasks.get(1)));
      byte[] stagedFirst = IngestJob.stage(Serialization.write(tasks.get(0)));
      assertThat(
              IngestJob.commitAll(
                  service,
                  tasks,
                  List.of(stagedFirst, stagedSecond).iterator(),
                  discard(),
                  discard()))
          .isZero();

      Table table = service.lakehouse().labResults();
      // the later delivery replaced the earlier one
      assertThat(table.currentSnapshot().summary())
          .containsEntry("medlake.run-id", tasks.get(1).runId());
      assertThat(
              TableScans.plannedDataFiles(table, Expressions.alwaysTrue()).stream()
                  .mapToLong(DataFile::recordCount)
                  .sum())
          .isEqualTo(12);
      IngestRun first = service.ledger().find(tasks.get(0).runId()).orElseThrow();
      IngestRun second = service.ledger().find(tasks.get(1).runId()).orElseThrow();
      assertThat(List.of(first.status(), second.status())).containsOnly(RunStatus.SUCCEEDED);
      assertThat(table.snapshot(second.snapshotId()).parentId()).isEqualTo(first.snapshotId());
    }
  }

  @Test
  void aFailedFileIsRecordedAndTheOthersCommit() throws Exception {
    write("h009/2024-01/a.csv", 1, 4);
    Path binary = landing.resolve("h009/2024-02/b.csv");
    Files.createDirectories(binary.getParent());
    Files.write(binary, new byte[] {'p', 'a', 't', 0, 0, 1, 2, '\n'});
    write("h009/2024-03/c.csv", 11, 4);
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int exitCode;
    PrintStream stderr = System.err;
    System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
    try {
      exitCode =
          IngestJob.run(
              new String[] {"--home", home.root().toString(), landing.toString()},
              "local[2]",
              threads(2));
    } finally {
      System.setErr(stderr);
    }
    assertThat(exitCode).isEqualTo(1);
    assertThat(errors.toString(StandardCharsets.UTF_8))
        .startsWith("medlake-spark: error: " + binary + ": ");
    try (RunLedger ledger = RunLedger.open(home)) {
      assertThat(ledger.list())
          .extracting(IngestRun::month, IngestRun::status)
          .containsExactlyInAnyOrder(
              org.assertj.core.groups.Tuple.tuple("2024-01", RunStatus.SUCCEEDED),
              org.assertj.core.groups.Tuple.tuple("2024-02", RunStatus.FAILED),
              org.assertj.core.groups.Tuple.tuple("2024-03", RunStatus.SUCCEEDED));
    }
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      assertThat(
              TableScans.plannedDataFiles(lakehouse.labResults(), Expressions.alwaysTrue()).stream()
                  .mapToLong(DataFile::recordCount)
                  .sum())
          .isEqualTo(8);
    }
  }

  @Test
  void theSameFileStagedTwiceAtOnceCommitsOnce() throws Exception {
    write("h009/2024-01/a.csv", 1, 4);
    write("h009/2024-02/a-again.csv", 1, 4);
    try (IngestService service = open()) {
      List<StageTask> tasks = IngestJob.plan(service, keyCheck(), arguments());
      // neither task sees the other's run succeeded: both stage
      List<TaskOutcome> outcomes = List.of(stage(tasks.get(0)), stage(tasks.get(1)));
      assertThat(outcomes)
          .allSatisfy(outcome -> assertThat(outcome.staged().orElseThrow().pending()).isTrue());
      assertThat(IngestJob.commitAll(service, tasks, serialized(outcomes), discard(), discard()))
          .isZero();
      IngestRun duplicate = service.ledger().find(tasks.get(1).runId()).orElseThrow();
      assertThat(duplicate.status()).isEqualTo(RunStatus.DUPLICATE);
      assertThat(duplicate.message()).startsWith("already ingested by " + tasks.get(0).runId());
      // its files were deleted, never committed
      assertThat(outcomes.get(1).staged().orElseThrow().results())
          .allSatisfy(file -> assertThat(Path.of(file.location())).doesNotExist());
      assertThat(
              TableScans.plannedDataFiles(
                      service.lakehouse().labResults(), Expressions.alwaysTrue())
                  .stream()
                  .mapToLong(DataFile::recordCount)
                  .sum())
          .isEqualTo(4);
    }
  }

  @Test
  void aTaskSparkGaveUpOnFailsItsFileOnly() throws Exception {
    write("h009/2024-01/a.csv", 1, 4);
    write("h009/2024-02/b.csv", 11, 4);
    try (IngestService service = open()) {
      List<StageTask> tasks = IngestJob.plan(service, keyCheck(), arguments());
      byte[] staged = IngestJob.stage(Serialization.write(tasks.get(1)));
      // the first task's executor died while it ran
      service
          .ledger()
          .record(
              new IngestRun(
                  tasks.get(0).runId(),
                  "a.csv",
                  "h009",
                  "",
                  "H009",
                  "2024-01",
                  RunStatus.RUNNING,
                  java.time.Instant.now(),
                  0,
                  0,
                  0,
                  0,
                  java.util.Map.of(),
                  0,
                  0,
                  0,
                  null,
                  ""));
      Iterator<byte[]> outcomes =
          List.<java.util.function.Supplier<byte[]>>of(
                  () -> {
                    throw new IllegalStateException(
                        "Job aborted due to stage failure: Task 0 in stage 0.0 failed 4 times\nstack");
                  },
                  () -> staged)
              .stream()
              .map(java.util.function.Supplier::get)
              .iterator();
      ByteArrayOutputStream errors = new ByteArrayOutputStream();
      assertThat(
              IngestJob.commitAll(
                  service,
                  tasks,
                  outcomes,
                  discard(),
                  new PrintStream(errors, true, StandardCharsets.UTF_8)))
          .isEqualTo(1);
      assertThat(errors.toString(StandardCharsets.UTF_8))
          .isEqualTo(
              "medlake-spark: error: "
                  + tasks.get(0).file()
                  + ": the task failed: Job aborted due to stage failure: Task 0 in stage 0.0 failed 4 times"
                  + System.lineSeparator());
      IngestRun failed = service.ledger().find(tasks.get(0).runId()).orElseThrow();
      assertThat(failed.status()).isEqualTo(RunStatus.FAILED);
      assertThat(failed.message()).startsWith("the task failed: Job aborted");
      assertThat(service.ledger().find(tasks.get(1).runId()).orElseThrow().status())
          .isEqualTo(RunStatus.SUCCEEDED);
    }
  }

  @Test
  void anExecutorWithoutTheHomeOrWithAnotherKeyFailsItsFileBeforeAnyWork() throws Exception {
    write("h009/2024-01/a.csv", 1, 4);
    write("h009/2024-02/b.csv", 1, 4);
    try (IngestService service = open()) {
      List<StageTask> planned = IngestJob.plan(service, keyCheck(), arguments());
      StageTask elsewhere = planned.get(0);
      StageTask noHome =
          new StageTask(
              root.resolve("not-here").toString(),
              elsewhere.file(),
              elsewhere.source(),
              elsewhere.month(),
              "",
              elsewhere.runId(),
              elsewhere.mappingSha256(),
              elsewhere.keyCheck());
      StageTask otherKey = planned.get(1);
      StageTask wrongKey =
          new StageTask(
              otherKey.home(),
              otherKey.file(),
              otherKey.source(),
              otherKey.month(),
              "",
              otherKey.runId(),
              otherKey.mappingSha256(),
              "0000000000000000");
      List<TaskOutcome> outcomes = List.of(stage(noHome), stage(wrongKey));
      assertThat(outcomes.get(0).failure())
          .hasValueSatisfying(
              message ->
                  assertThat(message)
                      .startsWith(
                          "The medlake home " + root.resolve("not-here") + " is not on executor "));
      assertThat(outcomes.get(1).failure())
          .hasValueSatisfying(
              message ->
                  assertThat(message)
                      .contains(
                          "is not the driver's: give every executor the same MEDLAKE_PSEUDONYM_KEY or the home's pseudonym.key"));
      assertThat(Files.exists(root.resolve("not-here"))).isFalse();

      assertThat(
              IngestJob.commitAll(
                  service, List.of(noHome, wrongKey), serialized(outcomes), discard(), discard()))
          .isEqualTo(2);
      assertThat(service.ledger().list())
          .extracting(IngestRun::status)
          .containsExactly(RunStatus.FAILED, RunStatus.FAILED);
      assertThat(service.ledger().find(wrongKey.runId()).orElseThrow().message())
          .contains("is not the driver's");
    }
  }

  @Test
  void aClusterNeedsTheSharedDatabases() {
    IngestJob.requireSharedDatabases(home, "local[2]");
    assertThatThrownBy(() -> IngestJob.requireSharedDatabases(home, "yarn"))
        .isInstanceOf(MedlakeException.class)
        .hasMessage(
            "Spark master yarn runs executors on other machines: set platform.jdbc-url (run ledger and link vault) and"
                + " catalog.jdbc-url or catalog.type glue (Iceberg catalog) in "
                + home.configFile()
                + "; the home's SQLite files serve a local[N] master only");
  }

  private IngestService open() {
    return IngestService.open(home, key(), ProgressListener.NONE);
  }

  private byte[] key() {
    return PseudonymKey.load(home.pseudonymKeyFile(), Optional.empty());
  }

  private String keyCheck() {
    return IngestJob.keyCheck(key());
  }

  private JobArguments arguments(Path... paths) {
    List<String> inputs =
        paths.length == 0
            ? List.of(landing.toString())
            : java.util.Arrays.stream(paths).map(Path::toString).toList();
    return new JobArguments(
        home.root(), Optional.empty(), Optional.empty(), Optional.empty(), inputs);
  }

  private static TaskOutcome stage(StageTask task) {
    return Serialization.read(IngestJob.stage(Serialization.write(task)), TaskOutcome.class);
  }

  private static Iterator<byte[]> serialized(List<TaskOutcome> outcomes) {
    return outcomes.stream().map(Serialization::write).iterator();
  }

  /**
   * Stages tasks on {@code count} threads at once, the outcomes in the tasks' order as they finish,
   * as the Spark job hands them over.
   */
  private static Function<List<byte[]>, Iterator<byte[]>> threads(int count) {
    return tasks -> {
      ExecutorService pool = Executors.newFixedThreadPool(count);
      List<Future<byte[]>> futures =
          tasks.stream().map(task -> pool.submit(() -> IngestJob.stage(task))).toList();
      pool.shutdown();
      return futures.stream()
          .map(
              future -> {
                try {
                  return future.get();
                } catch (InterruptedException | ExecutionException e) {
                  throw new IllegalStateException(e);
                }
              })
          .iterator();
    };
  }

  private static PrintStream discard() {
    return new PrintStream(java.io.OutputStream.nullOutputStream());
  }

  private void write(String path, int firstPatient, int rows) throws Exception {
    Path file = landing.resolve(path);
    Files.createDirectories(file.getParent());
    Files.writeString(file, GlucoseSource.csv(firstPatient, rows));
  }
}
