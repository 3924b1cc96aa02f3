package org.medlake.spark.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.lake.Lakehouse;
import org.medlake.platform.store.RunLedger;
import org.medlake.testkit.GlucoseSource;

/**
 * The Spark job applies the embedded pipeline's fail-safe (RunHold): a much smaller resubmission of
 * a hospital-month is held, commits nothing, and the job exits 1 with the reason.
 */
class SparkHeldRunIT {

  @TempDir Path root;

  @Test
  void aMuchSmallerResubmissionIsHeldAndCommitsNothing() throws Exception {
    MedlakeHome home = ParityChecks.open(root.resolve("home"), "");
    Files.writeString(home.sources().resolve("h009.yaml"), GlucoseSource.MAPPING);
    Path first =
        write(
            root.resolve("first").resolve("h009").resolve("2024-01").resolve("results.csv"), 1, 10);
    Path smaller =
        write(
            root.resolve("second").resolve("h009").resolve("2024-01").resolve("results.csv"),
            50,
            3);
    Lakehouse.open(home).close();

    SparkJobProcess.Result committed =
        SparkJobProcess.run(
            root.resolve("first.log"),
            List.of(),
            "--home",
            home.root().toString(),
            "--master",
            "local[2]",
            first.toString());
    assertThat(committed.exitCode()).as(committed.output()).isZero();
    long snapshot;
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      snapshot = lakehouse.labResults().currentSnapshot().snapshotId();
    }

    SparkJobProcess.Result held =
        SparkJobProcess.run(
            root.resolve("second.log"),
            List.of(),
            "--home",
            home.root().toString(),
            "--master",
            "local[2]",
            smaller.toString());
    assertThat(held.exitCode()).as(held.output()).isEqualTo(1);
    IngestRun run;
    try (RunLedger ledger = RunLedger.open(home)) {
      run = ledger.list().get(1);
    }
    assertThat(run.status()).isEqualTo(RunStatus.HELD);
    assertThat(run.message())
        .isEqualTo(
            "held: 3 rows accepted would replace 10 stored rows of H009/2024-01 (30.0 %, less than"
                + " ingest.hold.min-kept-share 50.0 %); fix the mapping and re-run, or medlake runs approve "
                + run.id());
    assertThat(run.snapshotId()).isNull();
    assertThat(run.mappingSha256()).hasSize(64);
    assertThat(held.output()).contains("medlake-spark: " + smaller + ": " + run.message());
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      Table results = lakehouse.labResults();
      assertThat(results.currentSnapshot().snapshotId()).isEqualTo(snapshot);
      assertThat(Long.parseLong(results.currentSnapshot().summary().get("medlake.rows-accepted")))
          .isEqualTo(10);
    }
  }

  private static Path write(Path file, int first, int count) throws Exception {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, GlucoseSource.csv(first, count));
  }
}
