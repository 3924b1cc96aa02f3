package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.bench.FaultBench;
import org.medlake.bench.FaultTrials;
import org.medlake.core.config.MedlakeHome;
import org.medlake.testkit.PostgresServer;
import org.medlake.testkit.S3Server;
import org.medlake.testkit.generate.GeneratedFile;

/**
 * The reliability suite (docs/reliability.md): real {@code medlake ingest} processes killed, run
 * four at once, cut off from the catalog database or the object store, and given a full warehouse
 * disk. Each trial checks the lake against an independent count of the delivered CSV lines and the
 * ledger (FaultTrials). {@code medlake bench faults} runs the same trials with more of them.
 */
class ReliabilityIT {
  /** Small files keep the suite at a few minutes; {@code medlake bench faults} runs larger ones. */
  private static final int ROWS = 1_000;

  /**
   * The 20 kill points run in {@code medlake bench faults --trials 20}
   * (docs/reliability.md); the IT runs 8.
   */
  private static final int KILL_TRIALS = 8;

  @TempDir Path directory;

  @Test
  void killNineAtRandomPointsLeavesEachFileWholeOrAbsentAndTheNextRunCompletes() throws Exception {
    FaultTrials.Report report =
        FaultBench.print(FaultTrials.killTrials(directory, KILL_TRIALS, ROWS, 17, true));
    assertThat(report.trials()).isEqualTo(KILL_TRIALS);
    assertThat(report.failures()).isEmpty();
  }

  @Test
  void fourConcurrentWritersOnOneTableLoseNoCommit() throws Exception {
    FaultTrials.Report report =
        FaultBench.print(FaultTrials.concurrentWriters(directory, 4, 1, ROWS, 23));
    assertThat(report.trials()).isEqualTo(1);
    assertThat(report.failures()).isEmpty();
  }

  /**
   * Needs root (a tmpfs mount): without it the test fails with the mount's message, it does not
   * skip.
   */
  @Test
  void aFullWarehouseDiskFailsCleanlyAndTheRunAfterFreeingSpaceCompletes() throws Exception {
    FaultTrials.Report report = FaultBench.print(FaultTrials.diskFull(directory, 2, ROWS, 29));
    assertThat(report.trials()).isEqualTo(2);
    assertThat(report.failures()).isEmpty();
    assertThat(report.figures().get("outcomes").toString()).contains("failed");
  }

  @Test
  void theCatalogDatabaseStoppedMidRunFailsTheRunCleanlyAndTheRunAfterItsRestartCompletes()
      throws Exception {
    try (PostgresServer postgres = PostgresServer.start()) {
      Path home = directory.resolve("home");
      Files.createDirectories(home);
      Files.writeString(
          home.resolve("medlake.yaml"),
          "catalog:\n  jdbc-url: "
              + postgres.createDatabase("catalog")
              + "\n  jdbc-user: "
              + PostgresServer.USER
              + "\n");
      FaultTrials.Report report =
          FaultBench.print(
              FaultTrials.outage(
                  "catalog database stopped mid-run",
                  home,
                  files(home, 20_000),
                  Map.of(),
                  postgres::stopServer,
                  postgres::startServer,
                  Function.identity()));
      assertThat(report.failures()).isEmpty();
    }
  }

  @Test
  void theObjectStoreStoppedMidRunFailsTheRunCleanlyAndTheRunAfterItsRestartCompletes()
      throws Exception {
    Path objects = directory.resolve("s3");
    AtomicReference<S3Server> server = new AtomicReference<>(S3Server.start(objects, "medlake-it"));
    Path home = directory.resolve("home");
    Files.createDirectories(home);
    FaultTrials.Step configure =
        () ->
            Files.writeString(
                home.resolve("medlake.yaml"),
                "catalog:\n  warehouse: s3://medlake-it/warehouse\n"
                    + "  s3:\n    endpoint: "
                    + server.get().endpoint()
                    + "\n    path-style-access: true\n    region: us-east-1\n");
    configure.run();
    Map<String, String> credentials =
        Map.of(
            "AWS_ACCESS_KEY_ID",
            S3Server.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY",
            S3Server.SECRET_KEY,
            "AWS_REQUEST_CHECKSUM_CALCULATION",
            "when_required",
            "AWS_RESPONSE_CHECKSUM_VALIDATION",
            "when_required");
    try {
      FaultTrials.Report report =
          FaultBench.print(
              FaultTrials.outage(
                  "object store stopped mid-run",
                  home,
                  files(home, 20_000),
                  credentials,
                  () -> server.get().close(),
                  () -> {
                    // a new server over the same objects, on a new port
                    server.set(S3Server.start(objects, "medlake-it"));
                    configure.run();
                  },
                  location -> location.replaceFirst("^s3a?://", objects.toString() + "/")));
      assertThat(report.failures()).isEmpty();
    } finally {
      server.get().close();
    }
  }

  private List<GeneratedFile> files(Path home, int rows) {
    return GenerateCommand.generate(
            MedlakeHome.open(home),
            directory.resolve("landing"),
            1,
            2,
            YearMonth.of(2023, 1),
            rows,
            31,
            0,
            false,
            false)
        .files();
  }
}
