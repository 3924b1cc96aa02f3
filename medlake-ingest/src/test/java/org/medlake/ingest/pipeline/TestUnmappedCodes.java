package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/**
 * A real dictionary lacks a standard code for many items: their rows are stored with their local
 * code and name and a null test code, unless the source chooses to reject them.
 */
class TestUnmappedCodes {
  @TempDir Path directory;

  private static final String DICTIONARY =
      """
      local_code,test_code,test_name,unit
      K1,2823-3,Potassium [Moles/volume] in Serum or Plasma,mmol/L
      U7,,Urine sediment casts,/[LPF]
      U8,,,
      """;

  private static final String FILE =
      """
      pid,item,label,value,unit,drawn
      P1,K1,K+,4.2,,2024-01-15 08:30:00
      P2,U7,Casts,0-2,,2024-01-15 08:30:00
      P3,U8,Crystals,FEW,,2024-01-15 08:30:00
      P4,Z9,New assay,12,U/L,2024-01-15 08:30:00
      P5,Z9,,13,U/L,2024-01-15 08:30:00
      P6,,,13,U/L,2024-01-15 08:30:00
      """;

  /** The stored rows of the last ingest, rendered. */
  private List<String> stored;

  private IngestRun ingest(String rules) throws IOException {
    Path root = directory.resolve("home");
    Files.createDirectories(root);
    MedlakeHome home = MedlakeHome.open(root);
    Files.writeString(
        home.sources().resolve("h007.yaml"),
        """
        hospital-id: H007
        rules: {disabled: [collected-at-in-month]%s}
        columns: {patient-id: pid, local-code: item, local-name: label, result: value, unit: unit, collected-at: drawn}
        code-lookup: {dictionary: h007-items.csv}
        """
            .formatted(rules));
    Files.writeString(home.sources().resolve("h007-items.csv"), DICTIONARY);
    Path file = directory.resolve("items.csv");
    Files.writeString(file, FILE);
    try (IngestService service = IngestService.open(home, (name, phase, fraction) -> {})) {
      IngestRun run =
          service.ingest(new IngestService.Delivery(file, "h007", YearMonth.of(2024, 1)));
      stored =
          LakeReader.query(
                  service.lakehouse().labResults(),
                  home.temporary(),
                  "SELECT concat_ws('|', coalesce(test_code, '-'), test_name, local_code, coalesce(local_name, '-'), coalesce(unit, '-'))"
                      + " FROM t ORDER BY 1")
              .stream()
              .map(row -> row.get(0))
              .toList();
      return run;
    }
  }

  @Test
  void rowsOfLocalCodesWithoutAStandardCodeAreKept() throws IOException {
    IngestRun run = ingest("");
    assertThat(run.status()).as(run.message()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.rowsRead()).isEqualTo(6);
    assertThat(run.rejectedByReason()).containsExactly(Map.entry("MISSING_TEST_CODE", 1L));
    assertThat(run.rowsAccepted()).isEqualTo(5);
    assertThat(run.flaggedByReason()).containsExactly(Map.entry("UNMAPPED_CODE", 4L));
    assertThat(run.unmappedCodes())
        .containsExactly(Map.entry("Z9", 2L), Map.entry("U7", 1L), Map.entry("U8", 1L));
    assertThat(stored)
        .containsExactly(
            "-|Crystals|U8|Crystals|-",
            "-|New assay|Z9|New assay|U/L",
            "-|Urine sediment casts|U7|Casts|/[LPF]",
            "-|Z9|Z9|-|U/L",
            "2823-3|Potassium [Moles/volume] in Serum or Plasma|K1|K+|mmol/L");
  }

  @Test
  void aSourceMayRejectThemInstead() throws IOException {
    IngestRun run = ingest(", unmapped-codes: reject");
    // five of six rows rejected: the run is held, not committed (the fail-safe)
    assertThat(run.status()).as(run.message()).isEqualTo(RunStatus.HELD);
    assertThat(stored).isEmpty();
    assertThat(run.rowsAccepted()).isEqualTo(1);
    assertThat(run.rejectedByReason())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("MISSING_TEST_CODE", 1L, "UNMAPPED_LOCAL_CODE", 2L, "UNKNOWN_LOCAL_CODE", 2L));
  }
}
