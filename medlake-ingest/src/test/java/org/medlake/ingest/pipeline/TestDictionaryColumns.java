package org.medlake.ingest.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.YearMonth;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.config.MedlakeHome;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.ledger.IngestRun;
import org.medlake.core.ledger.RunStatus;

/**
 * A code dictionary read with the column names its mapping gives, as real item dictionaries come.
 */
class TestDictionaryColumns {
  /**
   * Shaped like a real ICU item dictionary: its own names, extra columns, quoted commas, an item
   * without LOINC code.
   */
  static final String DICTIONARY =
      """
      itemid,label,fluid,category,loinc_code,valueuom
      50912,"Creatinine, serum",Blood,Chemistry,2160-0,mg/dL
      50971,Potassium,Blood,Chemistry, 2823-3 ,mEq/L
      51300,WBC Count,Blood,Hematology,,K/uL
      ,Placeholder without an item id,Blood,Chemistry,,
      ,Another placeholder,Blood,Chemistry,,
      """;

  private static final String LABEVENTS =
      """
      subject_id,itemid,charttime,value,valueuom
      10001,50912,2180-03-05 08:00:00,1.1,
      10002,50971,2180-03-06 09:30:00,4.2,mmol/L
      10001,50971,2180-03-07 07:15:00,3.9,
      """;

  @TempDir Path directory;
  private MedlakeHome home;
  private IngestService service;

  @BeforeEach
  void open() throws Exception {
    home = MedlakeHome.open(directory.resolve("home"));
    service = IngestService.open(home, ProgressListener.NONE);
    Files.writeString(home.sources().resolve("d_labitems.csv"), DICTIONARY);
  }

  @AfterEach
  void close() {
    service.close();
  }

  @Test
  void theMappingNamesTheDictionarysColumns() throws Exception {
    IngestRun run =
        ingest(
            """
        code-lookup:
          dictionary: d_labitems.csv
          columns: {local-code: itemid, test-code: loinc_code, test-name: label, unit: valueuom}
        """);
    assertThat(run.status()).as(run.message()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.rowsAccepted()).isEqualTo(3);
    assertThat(
            LakeReader.query(
                service.lakehouse().labResults(),
                home.temporary(),
                "SELECT test_code, test_name, unit, value_numeric FROM t ORDER BY collected_at"))
        .containsExactly(
            List.of("2160-0", "Creatinine, serum", "mg/dL", "1.1"),
            List.of("2823-3", "Potassium", "mmol/L", "4.2"),
            List.of("2823-3", "Potassium", "meq/L", "3.9"));
  }

  @Test
  void aColumnTheDictionaryLacksFailsTheFileNamingIt() {
    assertThatThrownBy(
            () ->
                ingest(
                    """
        code-lookup:
          dictionary: d_labitems.csv
          columns: {local-code: itemid, test-code: loinc, test-name: label}
        """))
        .isInstanceOf(MedlakeException.class)
        .hasMessageEndingWith(
            "d_labitems.csv: the code dictionary has no column 'loinc'"
                + " (columns: itemid, label, fluid, category, loinc_code, valueuom)");
    assertThatThrownBy(
            () ->
                ingest(
                    """
        code-lookup:
          dictionary: d_labitems.csv
          columns: {local-code: itemid, test-code: loinc_code, test-name: label, unit: uom}
        """))
        .hasMessageContaining("has no column 'uom'");
  }

  private IngestRun ingest(String codeLookup) throws Exception {
    Files.writeString(
        home.sources().resolve("icu.yaml"),
        """
        hospital-id: H042
        timestamp-formats: ["%Y-%m-%d %H:%M:%S"]
        rules:
          disabled: [no-future-timestamps]
        columns:
          patient-id: subject_id
          local-code: itemid
          collected-at: charttime
          result: value
          unit: valueuom
        """
            + codeLookup);
    Path file = directory.resolve("labevents-" + System.nanoTime() + ".csv");
    Files.writeString(file, LABEVENTS);
    return service.ingest(
        new IngestService.Delivery(file, "icu", YearMonth.of(2180, 3), java.util.Optional.empty()));
  }
}
