package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * Ingest processes killed at random moments, and ingests running at the same time, lose and
 * duplicate nothing.
 */
class IngestCrashIT {
  private static final int KILLS = 20;

  @TempDir Path directory;

  /**
   * Every attempt delivers a new version of every hospital-month (a resubmission, so there is real
   * work to interrupt) and is killed at a random moment; the table must always hold, per
   * hospital-month, exactly the rows one run committed. A final uninterrupted rerun of the last
   * version must leave exactly that version.
   */
  @Test
  void killedIngestsLeaveNoPartialOrDuplicateRowsAfterRerun() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int killedWhileRunning = 0;
    Path landing = null;
    GenerationReport report = null;
    for (int attempt = 0; attempt < KILLS; attempt++) {
      landing = home.landing().resolve("delivery-" + attempt);
      report = generate(home, landing, 100 + attempt);
      Process process = IngestProcess.start(home.root(), "killed.log", landing);
      if (!process.waitFor(200 + random.nextInt(2500), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        killedWhileRunning++;
      }
      assertEveryHospitalMonthHoldsOneWholeCommit(home, report);
    }
    assertThat(killedWhileRunning)
        .as("kills that hit a running ingest (seed %d)", seed)
        .isGreaterThan(KILLS / 2);
    Process rerun = IngestProcess.start(home.root(), "rerun.log", landing);
    assertThat(rerun.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(rerun.exitValue()).as(Files.readString(home.root().resolve("rerun.log"))).isZero();
    assertComplete(home, report);
  }

  private static GenerationReport generate(MedlakeHome home, Path landing, long seed) {
    return LabDataGenerator.generate(
        GeneratorOptions.builder(landing, home.sources())
            .hospitals(2)
            .months(3)
            .rowsPerFile(15_000)
            .seed(seed)
            .dirtyFraction(0.01)
            .build(),
        written -> {});
  }

  private static void assertEveryHospitalMonthHoldsOneWholeCommit(
      MedlakeHome home, GenerationReport report) {
    try (Lakehouse lakehouse = Lakehouse.open(home)) {
      org.apache.iceberg.Table table = lakehouse.labResults();
      java.util.Map<String, Long> committedRows = new java.util.HashMap<>();
      if (table.currentSnapshot() != null) {
        for (org.apache.iceberg.Snapshot snapshot :
            org.apache.iceberg.util.SnapshotUtil.currentAncestors(table)) {
          committedRows.putIfAbsent(
              snapshot.summary().get("medlake.run-id"),
              Long.parseLong(snapshot.summary().get("medlake.rows-accepted")));
        }
      }
      for (List<String> row :
          LakeReader.query(
              table,
              home.temporary(),
              "SELECT ingest_run_id, count(*) FROM t GROUP BY ingest_run_id")) {
        assertThat(committedRows).as("run %s is committed", row.get(0)).containsKey(row.get(0));
        assertThat(Long.parseLong(row.get(1)))
            .as("rows of run %s", row.get(0))
            .isEqualTo(committedRows.get(row.get(0)));
      }
      for (GeneratedFile file : report.files()) {
        assertThat(
                LakeReader.count(
                    table,
                    home.temporary(),
                    "SELECT count(DISTINCT ingest_run_id) FROM t WHERE hospital_id = '"
                        + file.hospitalId()
                        + "' AND strftime(collected_at, '%Y-%m') = '"
                        + file.month()
                        + "'"))
            .as(file.hospitalId() + " " + file.month())
            .isLessThanOrEqualTo(1);
      }
    }
  }

  @Test
  void twoIngestsAtOnceBothCommit() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    GenerationReport report = generate(home, home.landing().resolve("delivery"), 3);
    Process left =
        IngestProcess.start(home.root(), "left.log", home.landing().resolve("delivery/h001"));
    Process right =
        IngestProcess.start(home.root(), "right.log", home.landing().resolve("delivery/h002"));
    assertThat(left.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(right.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(left.exitValue()).as(Files.readString(home.root().resolve("left.log"))).isZero();
    assertThat(right.exitValue()).as(Files.readString(home.root().resolve("right.log"))).isZero();
    assertComplete(home, report);
  }

  /**
   * Every hospital-month holds exactly the accepted rows of its file in {@code report}, and the
   * rejects table its rejects.
   */
  private static void assertComplete(MedlakeHome home, GenerationReport report) {
    try (Lakehouse lakehouse = Lakehouse.open(home);
        RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      List<IngestRun> runs = ledger.list();
      for (GeneratedFile file : report.files()) {
        String sourceFile =
            home.root().relativize(file.path().toAbsolutePath().normalize()).toString();
        List<IngestRun> succeeded =
            runs.stream()
                .filter(
                    run ->
                        run.status() == RunStatus.SUCCEEDED && run.sourceFile().equals(sourceFile))
                .toList();
        assertThat(succeeded).as(sourceFile).hasSize(1);
        IngestRun run = succeeded.get(0);
        assertThat(run.rowsRejected()).as(sourceFile).isEqualTo(file.defectiveRows());
        assertThat(
                LakeReader.count(
                    lakehouse.labResults(),
                    home.temporary(),
                    "SELECT count(*) FROM t WHERE ingest_run_id = '" + run.id() + "'"))
            .as(sourceFile)
            .isEqualTo(file.dataRows() - file.defectiveRows());
      }
      long accepted =
          report.files().stream().mapToLong(file -> file.dataRows() - file.defectiveRows()).sum();
      long rejects = report.files().stream().mapToLong(GeneratedFile::defectiveRows).sum();
      assertThat(
              LakeReader.count(lakehouse.labResults(), home.temporary(), "SELECT count(*) FROM t"))
          .isEqualTo(accepted);
      assertThat(LakeReader.count(lakehouse.rejects(), home.temporary(), "SELECT count(*) FROM t"))
          .isEqualTo(rejects);
    }
  }
}
