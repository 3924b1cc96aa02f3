package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.generate.GeneratedFile;
import org.medlake.testkit.generate.GenerationReport;
import org.medlake.testkit.generate.GeneratorOptions;
import org.medlake.testkit.generate.LabDataGenerator;

/**
 * A watcher killed at random moments while it ingests a landing zone, then restarted: every file
 * ends up ingested exactly once (one succeeded run, its rows once in the table).
 */
class WatchCrashIT {
  private static final int KILLS = 6;

  @TempDir Path directory;

  @Test
  void aKilledAndRestartedWatcherIngestsEveryFileExactlyOnce() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    GenerationReport report =
        LabDataGenerator.generate(
            GeneratorOptions.builder(home.landing(), home.sources())
                .hospitals(2)
                .months(3)
                .rowsPerFile(15_000)
                .seed(21)
                .dirtyFraction(0.01)
                .build(),
            written -> {});
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int attempt = 0; attempt < KILLS; attempt++) {
      Process watcher = WatchProcess.start(home.root(), "killed-" + attempt + ".log");
      assertThat(watcher.waitFor(1500 + random.nextInt(3000), TimeUnit.MILLISECONDS))
          .as("the watcher runs until killed")
          .isFalse();
      watcher.destroyForcibly().waitFor();
    }
    Process watcher = WatchProcess.start(home.root(), "final.log");
    try {
      await("all files ingested in time (seed " + seed + ")")
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(200))
          .failFast(
              () ->
                  assertThat(watcher.isAlive())
                      .as(Files.readString(home.root().resolve("final.log")))
                      .isTrue())
          .until(() -> succeededFiles(home) >= report.files().size());
    } finally {
      watcher.destroyForcibly().waitFor();
    }

    try (Lakehouse lakehouse = Lakehouse.open(home);
        RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      List<IngestRun> runs = ledger.list();
      assertThat(runs).noneMatch(run -> run.status() == RunStatus.RUNNING);
      long accepted = 0;
      for (GeneratedFile file : report.files()) {
        String sourceFile =
            home.root().relativize(file.path().toAbsolutePath().normalize()).toString();
        List<IngestRun> succeeded =
            runs.stream()
                .filter(
                    run ->
                        run.status() == RunStatus.SUCCEEDED && run.sourceFile().equals(sourceFile))
                .toList();
        assertThat(succeeded).as("%s (seed %d)", sourceFile, seed).hasSize(1);
        IngestRun run = succeeded.get(0);
        assertThat(run.rowsRead()).isEqualTo(file.dataRows());
        assertThat(
                LakeReader.count(
                    lakehouse.labResults(),
                    home.temporary(),
                    "SELECT count(*) FROM t WHERE ingest_run_id = '" + run.id() + "'"))
            .as(sourceFile)
            .isEqualTo(run.rowsAccepted());
        accepted += run.rowsAccepted();
      }
      assertThat(
              LakeReader.count(lakehouse.labResults(), home.temporary(), "SELECT count(*) FROM t"))
          .isEqualTo(accepted);
    }
  }

  private static long succeededFiles(MedlakeHome home) {
    try (RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      return ledger.list().stream()
          .filter(run -> run.status() == RunStatus.SUCCEEDED)
          .map(IngestRun::sourceFile)
          .distinct()
          .count();
    }
  }
}
