package org.medlake.core.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestSourceRegistry {
  private static final String COLUMNS =
      """
      hospital-id: H001
      columns:
        patient-id: pid
        test-code: loinc
        test-name: name
        result: value
        collected-at: drawn
      """;

  @TempDir Path directory;

  @Test
  void aHospitalsMonthlyFeedWinsOverItsBackfillWhoseFileSortsFirst() throws Exception {
    // "h001-backfill.yaml" sorts before "h001.yaml" ('-' < '.'): uploads for H001 went to the
    // backfill source, whose month check is off, so a file of the wrong month was accepted
    Files.writeString(directory.resolve("h001-backfill.yaml"), "cadence: none\n" + COLUMNS);
    Files.writeString(directory.resolve("h001.yaml"), "cadence: monthly\n" + COLUMNS);
    Files.writeString(directory.resolve("h002.yaml"), COLUMNS.replace("H001", "H002"));

    SourceRegistry registry = new SourceRegistry(directory);

    assertThat(registry.findByHospital("H001")).map(SourceMapping::source).hasValue("h001");
    assertThat(registry.findByHospital("H002")).map(SourceMapping::source).hasValue("h002");
    assertThat(registry.findByHospital("H003")).isEmpty();
  }
}
