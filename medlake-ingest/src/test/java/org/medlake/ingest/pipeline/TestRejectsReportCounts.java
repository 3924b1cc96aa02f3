package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;
import org.medlake.ingest.ledger.RejectedRows;

/**
 * The hospital's feedback names the unmapped local codes (the most frequent, with row counts) and
 * the other flags.
 */
class TestRejectsReportCounts {
  @Test
  void unmappedCodesAndFlagsAreInTheSummary() {
    Map<String, Long> codes = new LinkedHashMap<>();
    for (int code = 1; code <= 25; code++) {
      codes.put("K" + code, (long) code);
    }
    String summary =
        RejectsReport.of(
                run(Map.of("UNMAPPED_CODE", 325L, "UNIT_NOT_CONVERTED", 3L), codes, 1),
                List.of(new RejectedRows.Row(7, List.of("INVALID_FLAG"), "P1,...,X,...")))
            .summary();
    assertThat(summary)
        .contains(
            "Unmapped codes (stored without a standard code): 325 row(s); the 20 most frequent codes with their row counts:\n"
                + "  K25: 25 row(s)\n  K24: 24 row(s)\n")
        .contains("  K6: 6 row(s)\n")
        .doesNotContain("  K5: ")
        .contains("Stored with a flag: UNIT_NOT_CONVERTED 3\n")
        .contains("INVALID_FLAG: 1 row(s)");

    String few =
        RejectsReport.of(run(Map.of(), Map.of("K1", 4L, "K2", 9L), 0), List.of()).summary();
    assertThat(few)
        .contains(
            "Unmapped codes (stored without a standard code): 13 row(s) in 2 code(s):\n  K2: 9 row(s)\n  K1: 4 row(s)\n")
        .contains("No rejected rows.");
  }

  private static IngestRun run(
      Map<String, Long> flagged, Map<String, Long> unmapped, long rejected) {
    return new IngestRun(
        "run-1",
        "landing/h001/2024-01/a.csv",
        "h001",
        "abc",
        "H001",
        "2024-01",
        RunStatus.SUCCEEDED,
        Instant.EPOCH,
        400,
        400 - rejected,
        rejected,
        0,
        rejected == 0 ? Map.of() : Map.of("INVALID_FLAG", rejected),
        10,
        10,
        1,
        1L,
        "",
        flagged,
        unmapped,
        "",
        null);
  }
}
