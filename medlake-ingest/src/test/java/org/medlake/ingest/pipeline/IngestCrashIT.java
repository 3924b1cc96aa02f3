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
import org.medlake.ingest.generate.GeneratedFile;
import org.medlake.ingest.generate.GenerationReport;
import org.medlake.ingest.generate.GeneratorOptions;
import org.medlake.ingest.generate.LabDataGenerator;
import org.medlake.ingest.ledger.IngestRun;
import org.medlake.ingest.ledger.RunLedger;
import org.medlake.ingest.ledger.RunStatus;
import org.medlake.lake.Lakehouse;

/** Ingest processes killed at random moments, and ingests running at the same time, lose and duplicate nothing. */
class IngestCrashIT {
  private static final int KILLS = 20;

  @TempDir Path directory;

  @Test
  void killedIngestsLeaveNoPartialOrDuplicateRowsAfterRerun() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    GenerationReport report = generate(home, 2, 3, 15_000);
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int killedWhileRunning = 0;
    for (int attempt = 0; attempt < KILLS; attempt++) {
      Process process = IngestProcess.start(home.root(), "killed.log", home.landing());
      long delay = 300 + random.nextInt(4000);
      if (!process.waitFor(delay, TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        killedWhileRunning++;
      }
      assertConsistent(home, report, false);
    }
    assertThat(killedWhileRunning).as("kills that hit a running ingest (seed %d)", seed).isGreaterThan(KILLS / 2);
    Process rerun = IngestProcess.start(home.root(), "rerun.log", home.landing());
    assertThat(rerun.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(rerun.exitValue()).as(Files.readString(home.root().resolve("rerun.log"))).isZero();
    assertConsistent(home, report, true);
  }

  @Test
  void twoIngestsAtOnceBothCommit() throws Exception {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    GenerationReport report = generate(home, 2, 2, 10_000);
    Process left = IngestProcess.start(home.root(), "left.log", home.landing().resolve("h001"));
    Process right = IngestProcess.start(home.root(), "right.log", home.landing().resolve("h002"));
    assertThat(left.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(right.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(left.exitValue()).as(Files.readString(home.root().resolve("left.log"))).isZero();
    assertThat(right.exitValue()).as(Files.readString(home.root().resolve("right.log"))).isZero();
    assertConsistent(home, report, true);
  }

  private static GenerationReport generate(MedlakeHome home, int hospitals, int months, int rows) {
    return LabDataGenerator.generate(
        GeneratorOptions.builder(home.landing(), home.sources()).hospitals(hospitals).months(months).rowsPerFile(rows).seed(3)
            .dirtyFraction(0.01).build(),
        written -> {});
  }

  /** Every hospital-month holds all of one file's accepted rows or nothing; with {@code complete}, all of them. */
  private static void assertConsistent(MedlakeHome home, GenerationReport report, boolean complete) {
    try (Lakehouse lakehouse = Lakehouse.open(home); RunLedger ledger = RunLedger.open(home.platformDatabase())) {
      List<IngestRun> runs = ledger.list();
      for (GeneratedFile file : report.files()) {
        String where = " FROM t WHERE hospital_id = '" + file.hospitalId() + "' AND ingest_run_id IN (SELECT ingest_run_id FROM t"
            + " WHERE hospital_id = '" + file.hospitalId() + "' AND strftime(collected_at, '%Y-%m') = '" + file.month() + "')";
        long rows = LakeReader.count(lakehouse.labResults(), home.temporary(), "SELECT count(*)" + where);
        long runsInTable = LakeReader.count(lakehouse.labResults(), home.temporary(), "SELECT count(DISTINCT ingest_run_id)" + where);
        List<IngestRun> succeeded = runs.stream()
            .filter(run -> run.status() == RunStatus.SUCCEEDED && run.hospitalId().equals(file.hospitalId())
                && run.month().equals(file.month().toString()))
            .toList();
        assertThat(runsInTable).as(file.path().toString()).isLessThanOrEqualTo(1);
        assertThat(succeeded.size()).as(file.path().toString()).isLessThanOrEqualTo(1);
        if (complete || rows > 0) {
          assertThat(rows).as(file.path().toString()).isEqualTo(file.dataRows() - file.defectiveRows());
        }
        if (complete) {
          assertThat(succeeded).as(file.path().toString()).hasSize(1);
          assertThat(succeeded.get(0).rowsRejected()).isEqualTo(file.defectiveRows());
        }
      }
      if (complete) {
        long rejects = report.files().stream().mapToLong(GeneratedFile::defectiveRows).sum();
        assertThat(LakeReader.count(lakehouse.rejects(), home.temporary(), "SELECT count(*) FROM t")).isEqualTo(rejects);
      }
    }
  }
}
