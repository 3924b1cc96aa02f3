package org.medlake.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `medlake ingest` exits non-zero whenever a delivery fails, also before its run exists. */
class TestIngestExitCode {
  @TempDir Path directory;

  @Test
  void aDeliveryWhoseSourceHasNoMappingIsExitCodeTwoAndTheOthersStillGoIn() throws Exception {
    Path home = directory.resolve("home");
    Path landing = directory.resolve("landing");
    assertThat(
            Cli.run(
                    home,
                    "generate",
                    "--out",
                    landing.toString(),
                    "--hospitals",
                    "1",
                    "--months",
                    "1",
                    "--start",
                    "2025-01",
                    "--rows-per-file",
                    "50",
                    "--seed",
                    "4")
                .exitCode())
        .isZero();
    Path delivered;
    try (var files = Files.walk(landing)) {
      delivered =
          files
              .filter(Files::isRegularFile)
              .filter(file -> file.toString().contains("2025-01"))
              .findFirst()
              .orElseThrow();
    }
    Path unmapped =
        directory
            .resolve("other")
            .resolve("nomapping")
            .resolve("2025-01")
            .resolve(delivered.getFileName());
    Files.createDirectories(unmapped.getParent());
    Files.copy(delivered, unmapped);

    Cli.Result alone = Cli.run(home, "ingest", unmapped.toString());
    assertThat(alone.exitCode()).as(alone.err()).isEqualTo(2);
    assertThat(alone.err()).contains("medlake: error: ").contains("nomapping");

    Cli.Result both = Cli.run(home, "ingest", "--json", delivered.toString(), unmapped.toString());
    assertThat(both.exitCode()).as(both.err()).isEqualTo(2);
    assertThat(both.out()).contains("\"status\" : \"SUCCEEDED\"");

    Cli.Result good = Cli.run(home, "ingest", landing.toString());
    assertThat(good.exitCode()).as(good.err()).isZero();
  }
}
