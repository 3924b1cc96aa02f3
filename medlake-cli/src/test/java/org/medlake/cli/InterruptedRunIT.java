package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.bench.FaultTrials;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.pipeline.IngestService;
import org.medlake.ingest.pipeline.ProgressListener;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.generate.GeneratedFile;

/**
 * A {@code medlake ingest} killed (SIGKILL) while its run is RUNNING: the next ingest service on
 * this host marks it FAILED.
 */
class InterruptedRunIT {
  @TempDir Path directory;

  @Test
  void aRunOfAKilledProcessIsMarkedFailedWhenTheNextIngestServiceOpens() throws Exception {
    Path root = directory.resolve("home");
    MedlakeHome home = MedlakeHome.open(root);
    Process process = killedWhileRunning(home, root);
    try (IngestService ignored = IngestService.open(home, ProgressListener.NONE)) {
      // opening is enough
    }
    assertFailedAsInterrupted(home, process);
  }

  @Test
  void medlakeRunsShowsTheRunOfAKilledProcessAsFailed() throws Exception {
    Path root = directory.resolve("home");
    MedlakeHome home = MedlakeHome.open(root);
    Process process = killedWhileRunning(home, root);
    Cli.Result listed = Cli.run(root, "runs");
    assertThat(listed.exitCode()).isZero();
    assertThat(listed.out()).contains("FAILED").doesNotContain("RUNNING");
    assertFailedAsInterrupted(home, process);
  }

  private Process killedWhileRunning(MedlakeHome home, Path root) throws Exception {
    List<GeneratedFile> files =
        GenerateCommand.generate(
                home,
                directory.resolve("landing"),
                1,
                1,
                YearMonth.of(2023, 1),
                20_000,
                3,
                0,
                false,
                false)
            .files();
    Process process = FaultTrials.start(root, files.get(0).path());
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> !process.isAlive() || running(home));
    boolean running = process.isAlive() && running(home);
    process.destroyForcibly();
    process.waitFor();
    assertThat(running).as("the run was RUNNING before the kill").isTrue();
    try (RunLedger ledger = RunLedger.open(home)) {
      assertThat(ledger.list()).extracting(IngestRun::status).containsExactly(RunStatus.RUNNING);
    }
    return process;
  }

  private static boolean running(MedlakeHome home) {
    try (RunLedger ledger = RunLedger.open(home)) {
      return ledger.list().stream().anyMatch(run -> run.status() == RunStatus.RUNNING);
    }
  }

  private static void assertFailedAsInterrupted(MedlakeHome home, Process process) {
    try (RunLedger ledger = RunLedger.open(home)) {
      assertThat(ledger.list())
          .singleElement()
          .satisfies(
              run -> {
                assertThat(run.status()).isEqualTo(RunStatus.FAILED);
                assertThat(run.message())
                    .matches(
                        "interrupted: process "
                            + process.pid()
                            + " on \\S+ ended before the run finished");
              });
    }
  }
}
