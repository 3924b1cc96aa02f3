package org.medlake.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.MedlakeException;
import org.medlake.core.source.SourceMapping;
import org.medlake.core.source.SourceMappingParser;

/** The Spark job's dictionary reader on a dictionary with its own column names (no Spark needed). */
class TestDictionary {
  /** The same dictionary as the embedded pipeline's TestDictionaryColumns. */
  private static final String DICTIONARY = """
      itemid,label,fluid,category,loinc_code,valueuom
      50912,"Creatinine, serum",Blood,Chemistry,2160-0,mg/dL
      50971,Potassium,Blood,Chemistry, 2823-3 ,mEq/L
      51300,WBC Count,Blood,Hematology,,K/uL
      ,Placeholder without an item id,Blood,Chemistry,,
      ,Another placeholder,Blood,Chemistry,,
      """;

  @TempDir Path sources;

  @Test
  void theMappingNamesTheDictionarysColumns() throws Exception {
    Files.writeString(sources.resolve("d_labitems.csv"), DICTIONARY);
    Map<String, RecordChecker.DictionaryEntry> entries =
        Dictionary.load(sources, mapping("{local-code: itemid, test-code: loinc_code, test-name: label, unit: valueuom}"));
    assertThat(entries).containsOnly(
        Map.entry("50912", new RecordChecker.DictionaryEntry("2160-0", "Creatinine, serum", "mg/dL")),
        Map.entry("50971", new RecordChecker.DictionaryEntry("2823-3", "Potassium", "mEq/L")),
        Map.entry("51300", new RecordChecker.DictionaryEntry(null, "WBC Count", "K/uL")));
  }

  @Test
  void theDefaultNamesStillWorkAndAMissingColumnIsNamed() throws Exception {
    Files.writeString(sources.resolve("d_labitems.csv"), "local_code,test_code,test_name\nK1,2823-3,Potassium\n");
    assertThat(Dictionary.load(sources, mapping(null)))
        .containsExactly(Map.entry("K1", new RecordChecker.DictionaryEntry("2823-3", "Potassium", null)));
    assertThatThrownBy(() -> Dictionary.load(sources, mapping("{local-code: local_code, unit: uom}")))
        .isInstanceOf(MedlakeException.class)
        .hasMessageEndingWith("d_labitems.csv: the code dictionary has no column 'uom' (columns: local_code, test_code, test_name)");
  }

  private SourceMapping mapping(String columns) throws Exception {
    Path file = sources.resolve("icu.yaml");
    Files.writeString(file, """
        hospital-id: H042
        columns:
          patient-id: subject_id
          local-code: itemid
          collected-at: charttime
          result: value
        code-lookup:
          dictionary: d_labitems.csv
        """ + (columns == null ? "" : "  columns: " + columns + "\n"));
    return SourceMappingParser.parse(file);
  }
}
