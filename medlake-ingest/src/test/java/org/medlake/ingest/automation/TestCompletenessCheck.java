package org.medlake.ingest.automation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.source.SourceRegistry;
import org.medlake.ingest.automation.CompletenessCheck.MissingDelivery;
import org.medlake.platform.store.RunLedger;

/** Only sources that declare a monthly cadence can miss a month. */
class TestCompletenessCheck {
  @TempDir Path directory;

  @Test
  void oneOffSourcesAreNeverMissing() throws Exception {
    Path sources = Files.createDirectories(directory.resolve("sources"));
    mapping(sources, "monthly", "H001", "cadence: monthly\n");
    mapping(sources, "explicit-none", "H002", "cadence: none\n");
    mapping(sources, "backfill", "H003", "");
    try (RunLedger ledger = RunLedger.open(directory.resolve("platform.db"))) {
      assertThat(
              CompletenessCheck.missing(new SourceRegistry(sources), ledger, YearMonth.of(2025, 2)))
          .containsExactly(new MissingDelivery("monthly", "H001", "2025-02"));
    }
  }

  private static void mapping(Path sources, String source, String hospital, String cadence)
      throws Exception {
    Files.writeString(
        sources.resolve(source + ".yaml"),
        "hospital-id: "
            + hospital
            + "\n"
            + cadence
            + """
        columns:
          patient-id: pid
          test-code: loinc
          test-name: name
          result: value
          collected-at: drawn
        """);
  }
}
