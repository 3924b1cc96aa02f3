package org.medlake.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.core.error.ErrorCode;
import org.medlake.core.error.ValidationException;
import org.medlake.core.source.SourceMapping.Field;
import org.medlake.core.source.SourceMapping.SwitchableRule;

class TestSourceMappingParser {
  private static final String MINIMAL =
      """
      hospital-id: H009
      columns:
        patient-id: pid
        test-code: loinc
        test-name: name
        result: value
        collected-at: drawn
      """;

  @TempDir Path directory;

  @Test
  void examplesShippedWithTheProjectParse() {
    Path examples = Path.of("..", "examples", "sources");
    SourceMapping german = SourceMappingParser.parse(examples.resolve("h002.yaml"));
    assertThat(german.csv().delimiter()).isEqualTo(';');
    assertThat(german.decimalSeparator()).isEqualTo(",");
    assertThat(german.valueMaps().get(Field.PATIENT_SEX)).containsEntry("W", "F");
    assertThat(german.cadence()).isEqualTo(SourceMapping.Cadence.MONTHLY);
    SourceMapping items = SourceMappingParser.parse(examples.resolve("h003.yaml"));
    assertThat(items.codeLookup()).hasValue(new SourceMapping.CodeLookup("h003-items.csv"));
    assertThat(items.filter()).hasValue(new SourceMapping.RowFilter("category", List.of("LAB")));
  }

  @Test
  void defaultsFillWhatTheMinimalMappingLeavesOut() throws Exception {
    SourceMapping mapping = SourceMappingParser.parse(write("h009.yaml", MINIMAL));
    assertThat(mapping.source()).isEqualTo("h009");
    assertThat(mapping.csv()).isEqualTo(SourceMapping.CsvFormat.defaults());
    assertThat(mapping.timeZone()).isEqualTo("UTC");
    assertThat(mapping.cadence()).isEqualTo(SourceMapping.Cadence.NONE);
    assertThat(
            SourceMappingParser.parse(write("h010.yaml", "cadence: monthly\n" + MINIMAL)).cadence())
        .isEqualTo(SourceMapping.Cadence.MONTHLY);
    assertThat(mapping.rules().enabled(SwitchableRule.COLLECTED_AT_IN_MONTH)).isTrue();
    assertThat(mapping.columns())
        .containsAllEntriesOf(Map.of(Field.PATIENT_ID, "pid", Field.RESULT, "value"));
  }

  @Test
  void theDictionarysColumnNamesComeFromTheMappingOrTheDefaults() throws Exception {
    String lookup = MINIMAL.replace("  test-code: loinc\n", "  local-code: item\n");
    SourceMapping named =
        SourceMappingParser.parse(
            write(
                "icu.yaml",
                lookup
                    + "code-lookup: {dictionary: d_labitems.csv, columns: {local-code: itemid, test-code: loinc_code, test-name: label, unit: uom}}\n"));
    assertThat(named.codeLookup())
        .hasValue(
            new SourceMapping.CodeLookup(
                "d_labitems.csv",
                new SourceMapping.DictionaryColumns(
                    "itemid", "loinc_code", "label", java.util.Optional.of("uom"))));
    SourceMapping partly =
        SourceMappingParser.parse(
            write(
                "icu.yaml",
                lookup + "code-lookup: {dictionary: d.csv, columns: {local-code: itemid}}\n"));
    assertThat(partly.codeLookup().orElseThrow().columns())
        .isEqualTo(
            new SourceMapping.DictionaryColumns(
                "itemid", "test_code", "test_name", java.util.Optional.empty()));
    SourceMapping plain =
        SourceMappingParser.parse(write("icu.yaml", lookup + "code-lookup: {dictionary: d.csv}\n"));
    assertThat(plain.codeLookup().orElseThrow().columns())
        .isEqualTo(SourceMapping.DictionaryColumns.defaults());
  }

  @Test
  void mistakesNameTheFileAndTheKey() throws Exception {
    assertError("x: 1\n" + MINIMAL, "unknown key 'x'");
    assertError(MINIMAL.replace("patient-id", "patient"), "unknown field 'columns.patient'");
    assertError(MINIMAL.replace("hospital-id: H009\n", ""), "hospital-id is required");
    assertError(MINIMAL.replace("  result: value\n", ""), "columns.result is required");
    assertError(
        "time-zone: Mars/Olympus\n" + MINIMAL, "time-zone 'Mars/Olympus' is not a known time zone");
    assertError("decimal-separator: ';'\n" + MINIMAL, "decimal-separator must be '.' or ','");
    assertError("cadence: weekly\n" + MINIMAL, "cadence must be 'monthly' or 'none', not 'weekly'");
    assertError("csv: {delimiter: ';;'}\n" + MINIMAL, "csv.delimiter must be a single character");
    assertError(
        "csv: {null-values: []}\n" + MINIMAL, "csv.null-values must list at least one value");
    assertError(
        "filter: {column: c, keep: []}\n" + MINIMAL, "filter.keep must list at least one value");
    assertError(
        "rules: {disabled: [no-rules]}\n" + MINIMAL, "rules.disabled: unknown rule 'no-rules'");
    assertError(
        "code-lookup: {dictionary: d.csv}\n" + MINIMAL, "code-lookup needs columns.local-code");
    String lookup = MINIMAL.replace("  test-code: loinc\n", "  local-code: item\n");
    assertError(
        "code-lookup: {dictionary: d.csv, columns: {loinc: loinc_code}}\n" + lookup,
        "unknown key 'code-lookup.columns.loinc' (known: local-code, test-code, test-name, unit)");
    assertError(
        "code-lookup: {dictionary: d.csv, columns: {test-code: \"\"}}\n" + lookup,
        "code-lookup.columns.test-code must name a column of the dictionary");
    assertError(
        "code-lookup: {dictionary: d.csv, columns: [itemid]}\n" + lookup,
        "code-lookup.columns must be a mapping");
    assertError(
        "columns: [a, b]\nhospital-id: H\n", "columns must be a mapping of field to column");
    assertError("hospital-id: [unclosed\n", "not valid YAML");
  }

  private void assertError(String yaml, String message) throws Exception {
    Path file = write("bad.yaml", yaml);
    assertThatThrownBy(() -> SourceMappingParser.parse(file))
        .isInstanceOf(ValidationException.class)
        .hasMessageStartingWith(file + ": ")
        .hasMessageContaining(message)
        .satisfies(
            e ->
                assertThat(((ValidationException) e).errorCode())
                    .isEqualTo(ErrorCode.INVALID_SOURCE_MAPPING))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  private Path write(String name, String yaml) throws Exception {
    Path file = directory.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }
}
