package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code medlake generate} with the real-world shapes, a backfill and a broken resubmission. */
class TestGenerateCommand {
  @TempDir Path directory;

  @Test
  void writesTheSpecialFilesAndSaysWhatTheyAre() throws Exception {
    Path home = directory.resolve("home");
    Path landing = directory.resolve("landing");
    Cli.Result result =
        Cli.run(
            home,
            "generate",
            "--out",
            landing.toString(),
            "--hospitals",
            "3",
            "--months",
            "1",
            "--rows-per-file",
            "1500",
            "--real-world",
            "--backfill-months",
            "24",
            "--resubmission");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("wrote 5 files, 7,500 rows (1,500 with an injected defect)")
        .contains(
            "backfill: h001-backfill/2023-12/lab_results_backfill_2022-01_2023-12.csv, 1,500 rows of H001 through source"
                + " h001-backfill (collected-at-in-month off), delivered for 2023-12")
        .contains(
            "broken resubmission: h001/2024-01/lab_results_2024-01_resubmitted.csv, a second delivery of H001 2024-01")
        .containsPattern("real-world shape +rows")
        .containsPattern("UNMAPPED_CODE +[0-9]+")
        .containsPattern("CONVERTED_UNIT +[0-9]+");
    assertThat(Files.readString(home.resolve("sources/h001-backfill.yaml")))
        .contains("rules: {disabled: [collected-at-in-month]}");
    assertThat(landing.resolve("h001/2024-01/lab_results_2024-01_resubmitted.csv")).isRegularFile();
  }

  @Test
  void refusesABackfillLongerThanAHundredYears() {
    Cli.Result result =
        Cli.run(
            directory.resolve("home"),
            "generate",
            "--out",
            directory.resolve("landing").toString(),
            "--backfill-months",
            "1201");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Backfill months must be between 0 and 1200, got 1201");
  }
}
