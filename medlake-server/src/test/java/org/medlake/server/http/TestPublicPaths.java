package org.medlake.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;

/** Which paths an answer may show (issue 17, point 4). */
class TestPublicPaths {
  @Test
  void absolutePathsBecomeRelativeToTheHomeOrTheFileName(@TempDir Path directory) {
    MedlakeHome home = MedlakeHome.open(directory.resolve("home"));
    PublicPaths paths = new PublicPaths(home);
    String root = home.root().toAbsolutePath().normalize().toString();

    assertThat(paths.sourceFile(root + "/landing/h001/2024-01/a.csv"))
        .isEqualTo("landing/h001/2024-01/a.csv");
    assertThat(paths.sourceFile("landing/h001/2024-01/a.csv"))
        .isEqualTo("landing/h001/2024-01/a.csv");
    assertThat(paths.sourceFile("/incoming/lab march.csv")).isEqualTo("lab march.csv");
    assertThat(paths.sourceFile("s3://bucket/landing/h001/2024-01/a.csv"))
        .isEqualTo("s3://bucket/landing/h001/2024-01/a.csv");

    assertThat(
            paths.message(root + "/landing/h001/2024-01/a.csv: line 1: required column(s) missing"))
        .isEqualTo("landing/h001/2024-01/a.csv: line 1: required column(s) missing");
    assertThat(paths.message("The file of run r is gone: /srv/incoming/h001/a.csv"))
        .isEqualTo("The file of run r is gone: a.csv");
    assertThat(
            paths.message(
                "IO Error: No files found that match the pattern \"/var/lib/medlake/warehouse/x/data.parquet\""))
        .isEqualTo("IO Error: No files found that match the pattern \"data.parquet\"");
    assertThat(paths.message("s3://bucket/a/b.csv: 1/2 of 3/4 rows; 'YYYY-MM' and a/b stay"))
        .isEqualTo("s3://bucket/a/b.csv: 1/2 of 3/4 rows; 'YYYY-MM' and a/b stay");
  }
}
